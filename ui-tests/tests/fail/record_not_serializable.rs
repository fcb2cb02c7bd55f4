use rill::prelude::*;

#[derive(Clone, Debug)]
struct Reading {
    sensor: u32,
    value: u64,
}

fn main() {
    let _job = dataflow! {
        source(from_iter(vec![Reading { sensor: 1, value: 2 }]))
            -> key_by(|r: &Reading| r.sensor)
            -> count()
            -> sink(stdout());
    };
}
