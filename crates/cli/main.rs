//! The `newsclean` binary: parses arguments, runs one command, maps the outcome to an exit code.

mod args;
mod commands;
mod exit;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::ExitStatus;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitStatus::Success.into(),
        Err(err) => {
            #[expect(clippy::print_stderr, reason = "the binary reports fatal errors")]
            {
                eprintln!("newsclean: error: {err:#}");
            }
            ExitStatus::Fatal.into()
        }
    }
}

/// A closed stdout (`newsclean ingest x | head -c 10`) is the reader's choice, not a failure.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
