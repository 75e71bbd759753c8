//! `asl serve` as a child process of a test.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `asl serve`, killed (SIGKILL) when dropped.
pub struct Serve {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Serve {
    /// Starts `asl serve ARGS` on a free loopback port, with `env` set (and
    /// `SFN_MOCK_CONFIG` only if `env` sets it); returns once it listens.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_asl"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .env_remove("SFN_MOCK_CONFIG")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("asl serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("asl serve says where it listens").unwrap();
        let endpoint = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        // Its later complaints go to the test's output.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| eprintln!("asl serve: {l}")));
        Serve { child, endpoint }
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
