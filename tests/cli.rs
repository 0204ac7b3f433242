//! Usage errors and exit codes.

use crate::util::{TestEnv, arg, assert_code, run};

#[test]
fn usage_errors_exit_2() {
    assert_code(&run(&[]), 2);
    assert_code(&run(&["run"]), 2);
    assert_code(&run(&["run", "x", "--format", "nope", "-o", "y"]), 2);
    assert_code(&run(&["frobnicate"]), 2);
}

#[test]
fn missing_input_is_fatal() {
    let env = TestEnv::new();
    let output = run(&[
        "run",
        arg(&env.path("nope")),
        "-o",
        arg(&env.path("o.jsonl")),
    ]);
    assert_code(&output, 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
}

#[test]
fn zero_threads_is_a_usage_error() {
    let env = TestEnv::new();
    let input = env.write("a.txt", "A page\n");
    let output = run(&[
        "run",
        arg(&input),
        "-o",
        arg(&env.path("o.jsonl")),
        "-j",
        "0",
    ]);
    assert_code(&output, 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("--threads must be at least 1"));
}

#[test]
fn clean_run_exits_0_with_summary() {
    let env = TestEnv::new();
    let input = env.write(
        "a.txt",
        "A headline\nA headline\nA first paragraph that is long enough to be kept as text.\n",
    );
    let output = run(&["run", arg(&input), "-o", arg(&env.path("o.jsonl"))]);
    assert_code(&output, 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 documents: 1 exported, 0 duplicates, 0 rejected"),
        "{stderr}"
    );
    assert!(stderr.contains("1 repeated_headline"), "{stderr}");
}

#[test]
fn globs_select_inputs() {
    let env = TestEnv::new();
    env.write(
        "in/a.txt",
        "Page a has a long enough first paragraph to be kept here.\n",
    );
    env.write("in/a.truth.txt", "truth\n");
    let out = env.path("o.jsonl");
    assert_code(
        &run(&[
            "run",
            arg(&env.path("in")),
            "--exclude",
            "*.truth.txt",
            "-o",
            arg(&out),
            "-q",
        ]),
        0,
    );
    let ids: Vec<String> = crate::util::read_jsonl(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["a"]);
}
