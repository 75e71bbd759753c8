//! The kill -9 harness, shared by the durable store's runners: `asl worker`
//! on a store file (driven with the CLI) and `asl serve` (driven through
//! the Step Functions API).
//!
//! Executions with Tasks, Retry and Catch, a Choice loop around Waits, a
//! Parallel, a Map and a callback run while their runner is killed with
//! SIGKILL at random moments (seeded: the seed is printed; set
//! `ASL_CRASH_SEED` to repeat a run) and started again, until every
//! execution has ended; rounds repeat until at least the wanted number of
//! kills. Callback tokens are answered from outside. Once a round's
//! executions have ended, those that failed are redriven and run again
//! under kills. Every execution is compared with the same execution run
//! (and redriven) without a crash: status, output, error, cause and the
//! whole history (timestamps aside, and the task token, which is the
//! execution's own).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The definitions and mocks the rounds run.
pub fn resources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/resources/durable")
}

/// One execution of a round: its name and how it starts.
pub struct Job {
    /// Its name (the round's number first).
    pub name: String,
    /// `orders` or `callback` (the definition and the mocks' state machine).
    pub workflow: &'static str,
    /// Its test case in the mocks.
    pub test_case: &'static str,
    /// Its input.
    pub input: String,
}

/// The executions of round `round`.
pub fn jobs(round: usize) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (i, test_case) in ["smooth", "bumpy", "broken", "smooth", "bumpy"].into_iter().enumerate() {
        let input = format!(r#"{{"n": 0, "rounds": {}, "items": [1, 2, 3]}}"#, 2 + i % 2);
        jobs.push(Job { name: format!("r{round}-orders-{i}"), workflow: "orders", test_case, input });
    }
    for i in 0..2 {
        jobs.push(Job {
            name: format!("r{round}-callback-{i}"),
            workflow: "callback",
            test_case: "asked",
            input: "{}".into(),
        });
    }
    jobs
}

/// The callback's answer for `job`.
pub fn approval(job: &Job) -> String {
    format!(r#"{{"approvedFor": "{}"}}"#, job.name.split('-').skip(1).collect::<Vec<_>>().join("-"))
}

/// What runs a store's executions, and how a test talks to it.
pub trait Runner {
    /// Whether it is talked to through itself (a server: only while it is
    /// up) or through its store (at any time).
    const SERVED: bool;
    /// Starts it (a served runner: until it answers).
    fn up(&mut self);
    /// Kills it with SIGKILL, and waits for the process to be gone.
    fn kill(&mut self);
    /// Starts `job`'s execution.
    fn start(&mut self, job: &Job);
    /// How many executions are running.
    fn running(&mut self) -> usize;
    /// The token `job`'s callback task was handed, once it is out.
    fn token(&mut self, job: &Job) -> Option<String>;
    /// Answers the callback task of `token`; whether it was taken.
    fn answer(&mut self, token: &str, output: &str) -> bool;
    /// Whether `job` ended without success.
    fn failed(&mut self, job: &Job) -> bool;
    /// Redrives `job`.
    fn redrive(&mut self, job: &Job);
    /// What is compared: its ending and its history, without timestamps and
    /// task tokens, with the round in names replaced by `r*`.
    fn fingerprint(&mut self, job: &Job) -> String;
}

/// `job`'s round, as its name starts.
pub fn round_of(job: &Job) -> &str {
    job.name.split('-').next().unwrap()
}

/// Answers the callbacks whose tokens are out.
fn answer_callbacks(runner: &mut impl Runner, jobs: &[Job], answered: &mut HashSet<String>) {
    for job in jobs.iter().filter(|j| j.workflow == "callback") {
        if answered.contains(&job.name) {
            continue;
        }
        if let Some(token) = runner.token(job)
            && runner.answer(&token, &approval(job))
        {
            answered.insert(job.name.clone());
        }
    }
}

/// Redrives the round's executions that ended without success; how many.
fn redrive_failed(runner: &mut impl Runner, jobs: &[Job]) -> usize {
    let mut redriven = 0;
    for job in jobs {
        if runner.failed(job) {
            runner.redrive(job);
            redriven += 1;
        }
    }
    redriven
}

/// What a round's runner does from outside: answer callbacks, and once
/// nothing runs, redrive the failures (once). Whether the round is over.
struct Round {
    answered: HashSet<String>,
    redriven: bool,
    redrives: usize,
}

impl Round {
    fn new() -> Round {
        Round { answered: HashSet::new(), redriven: false, redrives: 0 }
    }

    fn step(&mut self, runner: &mut impl Runner, jobs: &[Job]) -> bool {
        answer_callbacks(runner, jobs, &mut self.answered);
        if runner.running() > 0 {
            return false;
        }
        if !self.redriven {
            self.redriven = true;
            self.redrives += redrive_failed(runner, jobs);
            assert!(self.redrives > 0, "each round has failed executions to redrive");
            return false;
        }
        true
    }
}

/// Runs a round's executions with an undisturbed runner, then redrives
/// those that failed and runs them again.
fn reference(runner: &mut impl Runner, jobs: &[Job]) -> BTreeMap<String, String> {
    runner.up();
    for job in jobs {
        runner.start(job);
    }
    let mut round = Round::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !round.step(runner, jobs) {
        assert!(Instant::now() < deadline, "the reference round did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
    let prints = jobs.iter().map(|j| (j.name.clone(), runner.fingerprint(j))).collect();
    runner.kill();
    prints
}

/// The test: rounds under kills until `ASL_CRASH_KILLS` (default
/// `default_kills`) kills, each execution compared with its reference.
/// `make` gives a runner on a store in the given folder, named as given.
pub fn crash_rounds<R: Runner>(what: &str, default_kills: usize, mut make: impl FnMut(&Path, &str) -> R) {
    let seed: u64 = std::env::var("ASL_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let wanted_kills: usize =
        std::env::var("ASL_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(default_kills);
    eprintln!("{what} crash test: seed {seed} (repeat with ASL_CRASH_SEED={seed}), {wanted_kills} kills");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut reference_runner = make(dir.path(), "reference");
    let mut runner = make(dir.path(), "crash");

    let (mut kills, mut round_number, mut compared, mut redrives) = (0, 0, 0, 0);
    let started = Instant::now();
    while kills < wanted_kills {
        let jobs = jobs(round_number);
        let want = reference(&mut reference_runner, &jobs);
        if !R::SERVED {
            for job in &jobs {
                runner.start(job);
            }
        }
        let mut round = Round::new();
        let mut fresh = true;
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            runner.up();
            if R::SERVED {
                // A server is talked to while it is up.
                if fresh {
                    for job in &jobs {
                        runner.start(job);
                    }
                    fresh = false;
                }
                if round.step(&mut runner, &jobs) {
                    runner.kill();
                    break;
                }
            }
            // Most kills come early, while the runner replays and resumes;
            // some after it has run a while.
            let life = if rng.u8(..4) == 0 { rng.u64(50..400) } else { rng.u64(0..60) };
            std::thread::sleep(Duration::from_millis(life));
            runner.kill();
            kills += 1;
            // A store file is answered while no runner runs.
            if !R::SERVED && round.step(&mut runner, &jobs) {
                break;
            }
            assert!(Instant::now() < deadline, "round {round_number} did not end (seed {seed}, {kills} kills)");
        }
        runner.up();
        for job in &jobs {
            let got = runner.fingerprint(job);
            let want = &want[&job.name];
            if got != *want {
                // Where they part, not two walls of text.
                let at = got.bytes().zip(want.bytes()).take_while(|(a, b)| a == b).count();
                let from = at.saturating_sub(200);
                panic!(
                    "{} differs after {kills} kills (seed {seed}), at byte {at}:\n crashed: …{}\n   uncrashed: …{}",
                    job.name,
                    got.get(from..(at + 300).min(got.len())).unwrap_or(&got),
                    want.get(from..(at + 300).min(want.len())).unwrap_or(want),
                );
            }
            compared += 1;
        }
        runner.kill();
        redrives += round.redrives;
        round_number += 1;
    }
    eprintln!(
        "{what} crash test: {kills} kills over {round_number} rounds, {compared} executions ({redrives} of them redriven) identical to their uncrashed runs, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
