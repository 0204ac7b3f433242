//! Each stage command alone, and the stage commands piped together.

use crate::util::{TestEnv, arg, assert_code, run, run_with_stdin, sample};

/// `ingest | dedupe | segment | export` through real pipes of the frame stream.
fn staged(
    env: &TestEnv,
    input: &std::path::Path,
    format: &str,
    out_name: &str,
    threads: &str,
) -> Vec<u8> {
    let bad = crate::util::root().join("fixtures/bad");
    let ingest = run(&["ingest", arg(input), arg(&bad), "-j", threads]);
    assert_code(&ingest, 0);
    // `run` learns the site model first (pass 1); `learn` writes that model for `dedupe`.
    let model = env.path(&format!("{out_name}.model"));
    assert_code(
        &run(&["learn", arg(input), arg(&bad), "-o", arg(&model), "-q"]),
        0,
    );
    let dedupe = run_with_stdin(
        &["dedupe", "-j", threads, "--model", arg(&model)],
        &ingest.stdout,
    );
    assert_code(&dedupe, 0);
    let segment = run_with_stdin(&["segment", "-j", threads], &dedupe.stdout);
    assert_code(&segment, 0);
    let out = env.path(out_name);
    let export = run_with_stdin(
        &["export", "-f", format, "-o", arg(&out), "-q", "-j", threads],
        &segment.stdout,
    );
    // Exit code 1: `fixtures/bad` has two bad files, reported as rejects by export.
    assert_code(&export, 1);
    std::fs::read(out).unwrap()
}

#[test]
fn stages_piped_equal_run() {
    let env = TestEnv::new();
    for format in ["jsonl", "bincode"] {
        let whole = env.path(&format!("run.{format}"));
        let bad = crate::util::root().join("fixtures/bad");
        assert_code(
            &run(&[
                "run",
                arg(&sample()),
                arg(&bad),
                "-f",
                format,
                "-o",
                arg(&whole),
                "-q",
            ]),
            1,
        );
        let piped = staged(&env, &sample(), format, &format!("piped.{format}"), "3");
        assert!(
            std::fs::read(&whole).unwrap() == piped,
            "{format}: stages piped differ from run"
        );
        let rejects_run = std::fs::read(env.path("run.rejects.jsonl")).unwrap();
        let rejects_piped = std::fs::read(env.path("piped.rejects.jsonl")).unwrap();
        assert_eq!(rejects_run, rejects_piped);
    }
}

#[test]
fn segment_output_equals_run_bincode() {
    // `run --format bincode` writes what `segment` writes: the same frames.
    let env = TestEnv::new();
    let whole = env.path("run.bin");
    assert_code(
        &run(&[
            "run",
            arg(&sample()),
            "-f",
            "bincode",
            "-o",
            arg(&whole),
            "-q",
        ]),
        0,
    );
    let model = env.path("sample.model");
    assert_code(&run(&["learn", arg(&sample()), "-o", arg(&model), "-q"]), 0);
    let ingest = run(&["ingest", arg(&sample())]);
    let dedupe = run_with_stdin(&["dedupe", "--model", arg(&model)], &ingest.stdout);
    let segment = run_with_stdin(&["segment"], &dedupe.stdout);
    assert_code(&segment, 0);
    assert!(segment.stdout == std::fs::read(&whole).unwrap());
}

#[test]
fn wrong_stage_input_is_a_clear_error() {
    let ingest = run(&["ingest", arg(&sample())]);
    let output = run_with_stdin(&["segment"], &ingest.stdout);
    assert_code(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "`segment` reads the output of `dedupe`, but this stream was written by `ingest`"
        ),
        "{stderr}"
    );
}

#[test]
fn garbage_input_is_a_clear_error() {
    for stage in ["dedupe", "segment"] {
        let output = run_with_stdin(&[stage], b"this is not a frame stream at all");
        assert_code(&output, 2);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("not a newsclean frame stream"), "{stderr}");
    }
    let env = TestEnv::new();
    let out = env.path("o.jsonl");
    let output = run_with_stdin(&["export", "-f", "jsonl", "-o", arg(&out)], b"");
    assert_code(&output, 2);
    assert!(!out.exists(), "no output may appear for a failed export");
}

#[test]
fn truncated_stream_is_detected() {
    let ingest = run(&["ingest", arg(&sample())]);
    let cut = &ingest.stdout[..ingest.stdout.len() - 7];
    let output = run_with_stdin(&["dedupe"], cut);
    assert_code(&output, 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("ended early"));
}

#[test]
fn stdin_document() {
    let env = TestEnv::new();
    let out = env.path("o.jsonl");
    let page = std::fs::read(sample().join("related-middle.txt")).unwrap();
    let output = run_with_stdin(&["run", "-", "-o", arg(&out), "-q"], &page);
    assert_code(&output, 0);
    let records = crate::util::read_jsonl(&out);
    assert_eq!(records[0]["id"], "stdin");
    assert_eq!(records[0]["title"], "City council approves new bus routes");
}
