//! Compile-pass and compile-fail cases for `dataflow!` live under `tests/`.
