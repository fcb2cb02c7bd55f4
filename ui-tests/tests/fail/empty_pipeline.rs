use rill::prelude::*;

fn main() {
    let _job = dataflow! {
        let numbers = ;
    };
}
