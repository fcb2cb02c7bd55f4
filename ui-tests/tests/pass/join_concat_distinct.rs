//! Two inputs joined by key, streams merged with concat and union (several inputs, a keyed one
//! among them), distinct, and a `_`-prefixed stream that is deliberately left unused.

use rill::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct User {
    id: u32,
    name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Order {
    user: u32,
    cents: u64,
}

fn main() -> Result<(), RillError> {
    let users = vec![
        User {
            id: 1,
            name: "ada".into(),
        },
        User {
            id: 2,
            name: "bob".into(),
        },
    ];
    let orders = vec![
        Order { user: 1, cents: 5 },
        Order { user: 2, cents: 7 },
        Order { user: 1, cents: 9 },
        Order { user: 3, cents: 1 },
    ];
    let joined = Collector::new();
    let merged = Collector::new();
    let (j, m) = (joined.clone(), merged.clone());
    let job = dataflow! {
        #![name = "join-concat-distinct"]
        let users = source(from_iter(users.clone())) -> key_by(|u: &User| u.id);
        let orders = source(from_iter(orders.clone())) -> key_by(|o: &Order| o.user);
        orders
            -> join(users)
            -> map(|(_, (o, u)): (u32, (Order, User))| (u.name, o.cents))
            -> sink(collect(&j));
        let a = source(from_iter(vec![1u32, 2, 3]));
        let b = source(from_iter(vec![3u32, 4]));
        let c = source(from_iter(vec![4u32, 5])) -> key_by(|n: &u32| *n);
        let _spare = source(from_iter(vec![0u32]));
        let d = source(from_iter(vec![5u32, 6]));
        a -> concat(b) -> union(c, d) -> distinct() -> sink(collect(&m));
    };
    job.run_with(&RunOptions {
        quiet: true,
        ..RunOptions::default()
    })?;
    assert_eq!(
        joined.sorted(),
        [
            ("ada".to_string(), 5),
            ("ada".to_string(), 9),
            ("bob".to_string(), 7)
        ]
    );
    assert_eq!(merged.sorted(), [1, 2, 3, 4, 5, 6]);
    Ok(())
}
