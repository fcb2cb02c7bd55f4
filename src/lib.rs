//! placeholder facade
pub use rill_runtime as runtime;
