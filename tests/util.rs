//! Test helpers: a temporary directory per test and the `newsclean` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled sample archive.
pub fn sample() -> PathBuf {
    root().join("fixtures/sample")
}

/// A temporary directory that lives as long as the value.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file (creating parent directories) and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
        path
    }
}

/// A `newsclean` command, run in Cargo's scratch directory for integration tests: a run
/// whose articles go to standard output writes its rejects and duplicates into the current
/// directory (`newsclean.rejects.jsonl`), which must not be the repository. Tests that look
/// at those files set their own directory.
pub fn newsclean() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsclean"));
    cmd.stdin(Stdio::null())
        .current_dir(env!("CARGO_TARGET_TMPDIR"));
    cmd
}

/// Runs `newsclean` with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    newsclean().args(args).output().expect("newsclean runs")
}

/// Runs `newsclean` with `args` and `stdin` as standard input.
pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = newsclean()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsclean starts");
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The child may exit before reading everything (bad input); that is fine.
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("newsclean finishes");
    writer.join().expect("stdin writer");
    output
}

/// The exit code, with stderr shown when it is not the expected one.
#[track_caller]
pub fn assert_code(output: &Output, expected: i32) {
    assert_eq!(
        output.status.code(),
        Some(expected),
        "stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .expect("jsonl output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("valid JSON line"))
        .collect()
}

/// A path as a `&str` argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// A small deterministic generator (an LCG), so that generated inputs are the same on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Words for generated news text.
pub const WORDS: &str = "the a city council plan river bridge school teacher budget vote mayor storm \
    harbour police court judge farmer market price energy solar wind train station museum \
    festival night road village doctor hospital patient nurse factory worker union strike \
    minister report study scientist ocean island forest fire water drought harvest coffee \
    bread bakery library book author painter music concert stadium team coach season match \
    goal player fan ticket airport flight pilot weather winter summer spring autumn morning \
    evening neighbour family child parent student exam result office manager company profit \
    loss bank loan tax law election campaign speech protest crowd square street house garden \
    park tree bird dog cat horse boat fisherman net shop owner customer delivery truck driver";
