//! A keyed join: every order with the customer who placed it.
//!
//! ```text
//! cargo run --release --example orders_join
//! cargo run --release --example orders_join -- --orders 1000000 --workers 4 --output orders.csv
//! ```
//!
//! Customers come from a table built in the program, orders from a seeded generator; some orders
//! name customers that do not exist and find no partner (an inner join). The output has one
//! `order,customer,country,cents` line per matched order.

use std::path::PathBuf;

use clap::Parser;
use rill::prelude::*;
use serde::{Deserialize, Serialize};

/// Joins generated orders with their customers.
#[derive(Parser)]
struct Args {
    /// How many orders to generate.
    #[arg(long, default_value_t = 100_000)]
    orders: u64,
    /// How many customers exist; orders name customers in `0..customers * 11 / 10`.
    #[arg(long, default_value_t = 1_000)]
    customers: u64,
    /// Seed of the order generator.
    #[arg(long, default_value_t = 11)]
    seed: u64,
    /// Where to write `order,customer,country,cents` lines (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// A customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: u64,
    pub country: String,
}

/// An order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: u64,
    pub customer: u64,
    pub cents: u64,
}

/// An order with its customer's country: one output line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Enriched {
    pub order: u64,
    pub customer: u64,
    pub country: String,
    pub cents: u64,
}

const COUNTRIES: [&str; 5] = ["NL", "FR", "DE", "US", "JP"];

/// The customer table: customer `id` lives in a country chosen by its id.
pub fn customers(count: u64) -> Vec<Customer> {
    (0..count)
        .map(|id| Customer {
            id,
            country: COUNTRIES[(id * 7 % 5) as usize].to_owned(),
        })
        .collect()
}

/// Order number `index`; about one in eleven names a customer that does not exist.
pub fn order(index: u64, customers: u64, rng: &mut Rng) -> Order {
    Order {
        id: index,
        customer: rng.below(customers * 11 / 10),
        cents: 1 + rng.below(100_000),
    }
}

fn main() -> Result<(), RillError> {
    let args = Args::parse();
    let table = customers(args.customers);
    let customer_count = args.customers;
    let orders = generate(args.orders, args.seed, move |index, rng| {
        order(index, customer_count, rng)
    });
    let output = args.output;
    let job = dataflow! {
        #![name = "orders_join"]
        let customers = source(from_iter(table.clone())) -> key_by(|c: &Customer| c.id);
        source(orders)
            -> key_by(|o: &Order| o.customer)
            -> join(customers)
            -> map(|(_, (o, c)): (u64, (Order, Customer))| Enriched { order: o.id, customer: c.id, country: c.country, cents: o.cents })
            -> sink(csv_to(output.as_ref()));
    };
    job.run_with(&args.run)?;
    Ok(())
}
