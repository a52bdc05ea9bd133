//! The command line as users meet it: results on stdout, diagnostics (with codes)
//! on stderr, exit status 0 / 1 (diagnostic) / 2 (usage), never a half-written result.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dtl(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dtl"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dtl starts");
    let mut input = child.stdin.take().expect("stdin");
    // The program may stop before reading its input (a compile error): that is fine.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().expect("dtl finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch file in a per-test folder.
fn file(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dtl-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Asserts a failed run with `code` on stderr and nothing on stdout.
fn assert_diagnostic(o: &Output, code: &str) {
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(o));
    assert!(stderr(o).contains(code), "expected {code} in: {}", stderr(o));
    assert!(o.stdout.is_empty(), "stdout should be empty, got: {}", stdout(o));
}

#[test]
fn the_readme_example_gives_the_expected_output() {
    let o = dtl(&["run", "examples/person/person.dtl", "examples/person/input.json"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read_to_string("examples/person/expected.json").unwrap();
    assert_eq!(stdout(&o), expected);
    let json = dtl(&["run", "examples/person/person.json", "examples/person/input.json"], None);
    assert_eq!(stdout(&json), expected, "the JSON form of the program gives the same output");
}

#[test]
fn ndjson_from_stdin_to_stdout() {
    let program = file("ndjson", "p.dtl", "(rule default (copy _id) (add n (+ _S.n 1)))");
    let o =
        dtl(&["run", s(&program), "--output", "ndjson"], Some("{\"_id\":\"a\",\"n\":1}\n{\"_id\":\"b\",\"n\":2}\n"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"_id\":\"a\",\"n\":2}\n{\"_id\":\"b\",\"n\":3}\n");
}

#[test]
fn one_thread_and_many_threads_give_identical_output() {
    let mut input = String::new();
    for i in 0..20_000 {
        input.push_str(&format!("{{\"_id\":\"{i}\",\"v\":{i},\"tags\":[\"t{}\",\"x\"]}}\n", i % 7));
    }
    let path = file("threads", "in.ndjson", &input);
    let program = file(
        "threads",
        "p.dtl",
        "(rule default (copy _id) (add t (sorted _S.tags)) (add sq (* _S.v _S.v)) (filter (neq (% _S.v 3) 0)))",
    );
    let one = dtl(&["run", s(&program), s(&path), "--threads", "1", "--output", "ndjson"], None);
    let many = dtl(&["run", s(&program), s(&path), "--threads", "4", "--output", "ndjson"], None);
    assert!(one.status.success() && many.status.success());
    assert_eq!(one.stdout, many.stdout);
    assert_eq!(stdout(&one).lines().count(), 20_000 - 6_667);
}

#[test]
fn big_integers_and_exact_decimals_survive_a_run_unchanged() {
    let program = file("numbers", "p.dtl", "(rule default (copy *))");
    let entity = r#"{"_id":"1","big":123456789012345678901234567890,"neg":-98765432109876543210,"d":"~f12345678901234567890.1234567890","t":"~t0001-01-01T00:00:00Z","u":"~t9999-12-31T23:59:59.999999999Z"}"#;
    let o = dtl(&["run", s(&program), "--output", "ndjson"], Some(entity));
    assert_eq!(stdout(&o).trim(), entity);
}

#[test]
fn eval_takes_json_dtl_or_dtl_syntax() {
    assert_eq!(stdout(&dtl(&["eval", r#"["+", 1, 2]"#], None)), "3\n");
    assert_eq!(stdout(&dtl(&["eval", "(upper _S.name)", "--source", r#"{"name":"ada"}"#], None)), "\"ADA\"\n");
    assert_eq!(
        stdout(&dtl(&["eval", r#"["hash128", "murmur3", "abc"]"#], None)),
        "79267961763742113019008347020647561319\n"
    );
}

#[test]
fn fmt_converts_both_ways_without_loss() {
    let json = dtl(&["fmt", "--to", "json", "examples/person/person.dtl"], None);
    assert!(json.status.success());
    let path = file("fmt", "p.json", &stdout(&json));
    let back = dtl(&["fmt", "--to", "dtl", s(&path)], None);
    let path2 = file("fmt", "p2.dtl", &stdout(&back));
    let json2 = dtl(&["fmt", "--to", "json", s(&path2)], None);
    assert_eq!(stdout(&json), stdout(&json2));
}

#[test]
fn functions_and_help_describe_the_library() {
    let list = stdout(&dtl(&["functions"], None));
    for name in ["upper", "datetime-format", "hash128", "sorted", "add", "hops"] {
        assert!(list.contains(name), "{name} missing from `dtl functions`");
    }
    let help = stdout(&dtl(&["help", "coalesce"], None));
    assert!(help.contains("FUNCTION(function-expression{0|1})"), "{help}");
    let unknown = dtl(&["help", "uper"], None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("did you mean `upper`"));
}

#[test]
fn check_reports_every_error_of_a_program() {
    let program =
        file("check", "p.dtl", "(rule default\n  (copy _id)\n  (add a (uper _S.a))\n  (add b (concatt _S.b)))\n");
    let o = dtl(&["check", s(&program)], None);
    assert_diagnostic(&o, "dtl::E010");
    assert!(stderr(&o).contains("did you mean `upper`"));
    assert!(stderr(&o).contains("did you mean `concat`"));
    let good = dtl(&["check", "examples/person/person.dtl"], None);
    assert!(good.status.success());
}

#[test]
fn malformed_programs_are_diagnosed() {
    let cases = [
        ("unclosed.dtl", "(rule default (copy _id)", "dtl::E001"),
        ("bad.json", "{\"default\": [[\"copy\", \"_id\"]", "dtl::E002"),
        ("arity.dtl", "(rule default (copy _id) (add x (upper)))", "dtl::E011"),
        ("transform-as-expr.dtl", "(rule default (copy _id) (add x (copy _id)))", "dtl::E012"),
        ("expr-as-transform.dtl", "(rule default (copy _id) (upper _S.x))", "dtl::E013"),
        ("path.json", "{\"default\": [[\"copy\", \"_id\"], [\"add\", \"x\", \"_S.'unclosed\"]]}", "dtl::E014"),
        ("rule.dtl", "(rule default (copy _id) (add x (apply nope _S.x)))", "dtl::E016"),
        ("nodefault.dtl", "(rule other (copy _id))", "dtl::E017"),
        ("rulebody.json", "[[\"copy\", \"*\"]]", "dtl::E018"),
    ];
    for (name, text, code) in cases {
        let program = file("malformed", name, text);
        let o = dtl(&["run", s(&program)], Some("{\"_id\":\"1\",\"x\":\"a\"}"));
        assert_diagnostic(&o, code);
    }
    // A rule's body given as the whole file: the help says how to wrap it.
    let program = file("malformed", "rulebody.json", "[[\"copy\", \"*\"]]");
    let o = dtl(&["run", s(&program)], Some("{}"));
    assert!(stderr(&o).contains(r#"{"default": [["copy", "*"], ...]}"#), "{}", stderr(&o));
}

#[test]
fn bad_input_stops_the_run_without_partial_output() {
    let program = file("badinput", "p.dtl", "(rule default (copy *))");
    let o = dtl(&["run", s(&program)], Some("{\"_id\":\"1\"}\n{\"_id\": 2,}\n{\"_id\":\"3\"}\n"));
    assert_diagnostic(&o, "dtl::E030");
    assert!(stderr(&o).contains(":2"), "the position is reported: {}", stderr(&o));
    let o = dtl(&["run", s(&program)], Some("{\"_id\":\"1\"}\n[1, 2]\n"));
    assert_diagnostic(&o, "dtl::E031");
}

#[test]
fn an_entity_without_id_is_an_error_naming_its_position() {
    let program = file("noid", "p.dtl", "(rule default (add x 1))");
    let o = dtl(&["run", s(&program)], Some("{\"_id\":\"a\"}"));
    assert_diagnostic(&o, "dtl::E032");
    assert!(stderr(&o).contains("_id \"a\""), "{}", stderr(&o));
}

#[test]
fn fail_stops_the_run_even_with_keep_going() {
    let program = file("fail", "p.dtl", "(rule default (copy _id) (if (eq _S.ok false) (fail! \"bad input\")))");
    let o =
        dtl(&["run", s(&program), "--keep-going"], Some("{\"_id\":\"1\",\"ok\":true}\n{\"_id\":\"2\",\"ok\":false}\n"));
    assert_diagnostic(&o, "dtl::E040");
    assert!(stderr(&o).contains("bad input"));
}

#[test]
fn keep_going_skips_bad_entities_and_writes_the_rest() {
    let program = file("keepgoing", "p.dtl", "(rule default (copy *))");
    let o = dtl(
        &["run", s(&program), "--keep-going", "--output", "ndjson"],
        Some("{\"_id\":\"1\"}\n{oops}\n{\"_id\":\"3\"}\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "{\"_id\":\"1\"}\n{\"_id\":\"3\"}\n");
    assert!(stderr(&o).contains("dtl::E030"));
}

#[test]
fn missing_files_and_bad_usage() {
    let o = dtl(&["run", "no/such/program.dtl"], None);
    assert_diagnostic(&o, "dtl::E050");
    let o = dtl(&["run", "examples/person/person.dtl", "no/such/input.json"], None);
    assert_diagnostic(&o, "dtl::E050");
    let o = dtl(&["run"], None);
    assert_eq!(o.status.code(), Some(2));
    let o = dtl(&["frobnicate"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn hops_use_datasets_given_on_the_command_line() {
    let orders = file("hops", "orders.ndjson", "{\"_id\":\"o1\",\"cust\":\"c1\",\"amount\":5}\n{\"_id\":\"o2\",\"cust\":\"c1\",\"amount\":7}\n{\"_id\":\"o3\",\"cust\":\"c2\",\"amount\":1}\n");
    let program = file("hops", "p.dtl", "(rule default (copy _id) (add total (sum (hops {datasets [\"orders o\"] where [(eq _S._id o.cust)] return o.amount}))))");
    let spec = format!("orders={}", s(&orders));
    let o = dtl(
        &["run", s(&program), "--dataset", &spec, "--output", "ndjson"],
        Some("{\"_id\":\"c1\"}\n{\"_id\":\"c3\"}\n"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "{\"_id\":\"c1\",\"total\":12}\n{\"_id\":\"c3\",\"total\":0}\n");
    let missing = dtl(&["run", s(&program)], Some("{\"_id\":\"c1\"}"));
    assert_diagnostic(&missing, "dtl::E043");
}
