//! Where a user's habits meet the tool (issue 12): the output format from its name, inputs
//! recognised by content, sizes with suffixes, stdout by default, what goes to stderr.

use crate::util::{TestEnv, arg, assert_code, run, run_with_stdin, sample};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The help text of one option of `newsclean run --help`, from its line to the next option.
fn option_help(option: &str) -> String {
    let output = run(&["run", "--help"]);
    assert_code(&output, 0);
    let help = String::from_utf8(output.stdout).unwrap();
    let mut lines = help
        .lines()
        .skip_while(|line| !line.trim_start().starts_with(option));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("{option} in --help:\n{help}"));
    let rest = lines.take_while(|line| !line.trim_start().starts_with('-'));
    std::iter::once(first)
        .chain(rest)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn output_format_follows_the_extension() {
    let env = TestEnv::new();
    let parquet = env.path("out.parquet");
    assert_code(&run(&["run", arg(&sample()), "-o", arg(&parquet), "-q"]), 0);
    let bytes = std::fs::read(&parquet).unwrap();
    assert!(
        bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
        "not parquet"
    );
    let csv = env.path("out.csv.gz");
    assert_code(&run(&["run", arg(&sample()), "-o", arg(&csv), "-q"]), 0);
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&csv).unwrap()),
        &mut text,
    )
    .unwrap();
    assert!(text.starts_with("id,url,site,title,text\r\n"), "{text}");
    let md = env.path("out.md");
    assert_code(&run(&["run", arg(&sample()), "-o", arg(&md), "-q"]), 0);
    assert!(md.is_dir(), "markdown writes a directory");
    assert!(md.join("seed-bol-xi-putin.md").is_file());
}

#[test]
fn a_format_that_contradicts_the_name_is_refused() {
    let env = TestEnv::new();
    let out = env.path("x.parquet");
    let output = run(&["run", arg(&sample()), "-f", "jsonl", "-o", arg(&out)]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("--format jsonl contradicts the output name"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
    // A name that says nothing leaves --format free; `.txt` alone is ambiguous.
    assert_code(
        &run(&[
            "run",
            arg(&sample()),
            "-f",
            "csv",
            "-o",
            arg(&env.path("x.out")),
            "-q",
        ]),
        0,
    );
    let output = run(&["run", arg(&sample()), "-o", arg(&env.path("x.txt"))]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("--format text"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn jsonl_goes_to_stdout_without_o() {
    let output = run(&["run", arg(&sample()), "-q"]);
    assert_code(&output, 0);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let n_files = std::fs::read_dir(sample()).unwrap().count();
    assert_eq!(stdout.lines().count(), n_files, "{stdout}");
    for line in stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["title"].is_string());
    }
    let output = run(&["run", arg(&sample()), "-f", "parquet"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("needs -o"), "{}", stderr(&output));
}

#[test]
fn sizes_take_suffixes() {
    let env = TestEnv::new();
    let big = "A long enough paragraph of words to be kept as the text of a page. ".repeat(20);
    let input = env.write("in/big.txt", &big);
    let out = env.path("o.jsonl");
    let output = run(&[
        "run",
        arg(&input),
        "--max-doc-bytes",
        "1K",
        "-o",
        arg(&out),
        "-q",
    ]);
    assert_code(&output, 1);
    let rejects = std::fs::read_to_string(env.path("o.rejects.jsonl")).unwrap();
    assert!(
        rejects.contains(&format!("is {} bytes, over the limit of 1024", big.len())),
        "{rejects}"
    );
    assert_code(
        &run(&[
            "run",
            arg(&input),
            "--max-doc-bytes",
            "16X",
            "-o",
            arg(&out),
        ]),
        2,
    );
    assert!(option_help("--max-doc-bytes").contains("[default: 16M]"));
    assert!(option_help("--max-archive-bytes").contains("[default: 32G]"));
}

#[test]
fn id_field_shows_one_default() {
    let help = option_help("--id-field");
    assert_eq!(help.matches("default").count(), 1, "{help}");
}
