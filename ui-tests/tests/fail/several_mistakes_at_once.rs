//! Every mistake is reported, each on its own token, and no follow-up error on the job itself.
use rill::prelude::*;

fn main() -> Result<(), RillError> {
    let job = dataflow! {
        let numbers = source(from_iter(vec![1u32, 2]));
        numbers -> mapp(|n: u32| n + 1) -> sink(stdout());
        numbers -> count() -> sink(stdout());
        lettres -> sink(stdout());
    };
    job.run_with(&RunOptions::default())?;
    Ok(())
}
