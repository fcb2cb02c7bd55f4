use rill::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
struct Region {
    name: String,
}

fn main() {
    let _job = dataflow! {
        source(from_iter(vec!["eu".to_string()]))
            -> key_by(|name: &String| Region { name: name.clone() })
            -> count()
            -> sink(stdout());
    };
}
