//! Everything a pipeline usually needs: `use rill_stdlib::prelude::*;`.

pub use crate::sink::*;
pub use crate::source::*;
