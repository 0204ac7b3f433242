//! Exit codes.

use std::process::ExitCode;

/// How a run ended, as the process exit code tells scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: every document was exported (or listed as a duplicate).
    Success,
    /// 1: the run finished, but some documents were rejected.
    HasRejects,
    /// 1: the run read no document (an `--include` that matches no file, an empty input).
    NoInput,
    /// 2: a usage or fatal error stopped the run.
    Fatal,
    /// 130: interrupted by Ctrl-C.
    Interrupted,
}

impl ExitStatus {
    /// The status of a finished run with `n_rejected` rejects.
    pub fn of_run(n_rejected: u64) -> ExitStatus {
        if n_rejected == 0 {
            ExitStatus::Success
        } else {
            ExitStatus::HasRejects
        }
    }

    fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::HasRejects | ExitStatus::NoInput => 1,
            ExitStatus::Fatal => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(ExitStatus::of_run(0).code(), 0);
        assert_eq!(ExitStatus::of_run(3).code(), 1);
        assert_eq!(ExitStatus::NoInput.code(), 1);
        assert_eq!(ExitStatus::Fatal.code(), 2);
        assert_eq!(ExitStatus::Interrupted.code(), 130);
    }
}
