use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![1.5f64, 2.5]))
            -> key_by(|x: &f64| *x)
            -> count()
            -> sink(stdout());
    };
}
