//! The `dataflow!` compile-time checks, seen from the user's side: programs that must compile
//! (and run) under `tests/pass/`, and programs that must fail with the error message and span
//! recorded next to them (`.stderr`) under `tests/fail/`.
//!
//! Regenerate the expected output after changing a message: `TRYBUILD=overwrite cargo test -p
//! rill-ui-tests`, then read every changed `.stderr`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/pass/*.rs");
    cases.compile_fail("tests/fail/*.rs");
}
