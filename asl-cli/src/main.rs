//! The `asl` command; all logic lives in the library.

fn main() -> std::process::ExitCode {
    asl_cli::main(std::env::args_os())
}
