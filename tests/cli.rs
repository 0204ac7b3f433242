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
        stderr.contains("1 document: 1 exported, 0 duplicates, 0 rejected"),
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

#[test]
fn explain_shows_every_line_with_its_decision() {
    let seed = crate::util::sample().join("seed-bol-xi-putin.txt");
    let output = run(&["explain", arg(&seed)]);
    assert_code(&output, 0);
    let text = String::from_utf8(output.stdout).unwrap();
    // Piped: plain text, no colour codes.
    assert!(!text.contains('\u{1b}'), "colour codes in piped output");
    let lines: Vec<&str> = text.lines().collect();
    // A header, then one row per input line (blank lines included).
    let n_input = std::fs::read_to_string(&seed).unwrap().lines().count();
    assert_eq!(lines.len(), n_input + 1);
    assert!(
        lines[0].contains("title \"US urges Xi to press Putin"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("x boilerplate:ad-label") && lines[1].ends_with("Advertisement"),
        "{}",
        lines[1]
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" title ") && l.ends_with("in Ukraine"))
    );
    assert!(lines.iter().any(|l| l.contains("x repeated headline")));
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" heading ") && l.ends_with("Hours of informal talks"))
    );
    assert!(lines.iter().any(|l| l.contains(" summary ")));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("x footer") && l.ends_with("End of Article"))
    );
    let colour = run(&["explain", arg(&seed), "--color", "always"]);
    assert!(
        String::from_utf8(colour.stdout)
            .unwrap()
            .contains("\u{1b}[32m")
    );
}

#[test]
fn explain_with_a_site_model_shows_template_lines() {
    let env = TestEnv::new();
    for (i, topic) in ["harbour", "railway", "library"].iter().enumerate() {
        env.write(
            &format!("in/site.example/{topic}.txt"),
            format!(
                "Menu of the Example Gazette\nThe {topic} reopens\nThe {topic} reopened on Monday after two years of work, officials said, and crowds came at once to see it.\nStory {i} ends here with a sentence that is long enough to be read as prose by anyone.\n"
            ),
        );
    }
    let model = env.path("site.model");
    assert_code(
        &run(&["learn", arg(&env.path("in")), "-o", arg(&model), "-q"]),
        0,
    );
    let page = env.path("in/site.example/harbour.txt");
    let output = run(&[
        "explain",
        arg(&page),
        "--model",
        arg(&model),
        "--root",
        arg(&env.path("in")),
    ]);
    assert_code(&output, 0);
    let text = String::from_utf8(output.stdout).unwrap();
    let menu = text
        .lines()
        .find(|l| l.ends_with("Menu of the Example Gazette"))
        .unwrap();
    assert!(menu.contains("x site template"), "{text}");
    // Without --root the page has no directory, so no site of the model: no template verdict.
    let output = run(&["explain", arg(&page), "--model", arg(&model)]);
    assert!(
        !String::from_utf8(output.stdout)
            .unwrap()
            .contains("site template")
    );
}
