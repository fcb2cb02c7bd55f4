//! Running jobs end to end on threads of this process.

use std::time::{Duration, Instant};

use rill_runtime::{Dataflow, Epoch, Job, RillError, RunOptions};
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::operators::{Exchange, Inspect, ToStream};

fn options(workers: usize) -> RunOptions {
    RunOptions {
        workers,
        quiet: true,
        ..RunOptions::default()
    }
}

/// Every worker emits its share of `0..100`, exchanged by value; counts go to the metrics.
fn count_to_100(df: &mut Dataflow<'_>) {
    let (worker, input, output) = (df.worker(), df.env().clone(), df.env().clone());
    let mine: Vec<u64> = (0..100)
        .filter(|x| x % worker.peers as u64 == worker.index as u64)
        .collect();
    ToStream::<Vec<u64>>::to_stream(mine, df.scope())
        .inspect(move |_| input.metrics.add_in(1))
        .exchange(|x| *x)
        .inspect(move |_| output.metrics.add_out(1));
}

/// A source that never finishes; the last worker fails the job after emitting a few epochs.
fn fail_in_operator(df: &mut Dataflow<'_>) {
    let scope = df.scope();
    let env = df.env().clone();
    source::<Epoch, timely::container::CapacityContainerBuilder<Vec<u64>>, _, _>(
        scope,
        "Forever",
        |capability, info| {
            let activator = scope.activator_for(info.address);
            let mut capability = capability;
            move |output| {
                let epoch = *capability.time();
                output.session(&capability).give(epoch);
                capability.downgrade(&(epoch + 1));
                if epoch == 5 && env.worker.index + 1 == env.worker.peers {
                    env.failure.fail(RillError::new("boom"));
                }
                activator.activate();
            }
        },
    );
}

#[test]
fn runs_on_one_and_three_workers() {
    for workers in [1, 3] {
        let summary = Job::new("count", count_to_100)
            .run_with(&options(workers))
            .unwrap();
        assert_eq!(summary.workers, workers);
        assert_eq!(summary.processes, 1);
        assert_eq!((summary.records_in, summary.records_out), (100, 100));
        assert!(
            summary
                .to_string()
                .starts_with("job \"count\" finished in "),
            "{summary}"
        );
    }
}

#[test]
fn failure_at_build_time_stops_the_job() {
    for workers in [1, 3] {
        let job = Job::new("fails", |df: &mut Dataflow<'_>| {
            run_forever(df);
            if df.worker().index == 0 {
                df.env().failure.fail(RillError::new("boom"));
            }
        });
        let error = job.run_with(&options(workers)).unwrap_err();
        assert_eq!(error.message(), "boom");
    }
}

/// A source that never finishes and never fails.
fn run_forever(df: &mut Dataflow<'_>) {
    let scope = df.scope();
    source::<Epoch, timely::container::CapacityContainerBuilder<Vec<u64>>, _, _>(
        scope,
        "Forever",
        |capability, info| {
            let activator = scope.activator_for(info.address);
            let _keep = capability;
            move |_output| activator.activate()
        },
    );
}

#[test]
fn failure_in_an_operator_stops_a_job_that_never_ends() {
    for workers in [1, 3] {
        let started = Instant::now();
        let error = Job::new("forever", fail_in_operator)
            .run_with(&options(workers))
            .unwrap_err();
        assert_eq!(error.message(), "boom");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn a_panicking_worker_fails_the_job() {
    for workers in [1, 3] {
        let job = Job::new("panics", |df: &mut Dataflow<'_>| {
            if df.worker().index == 0 {
                panic!("user code broke");
            }
            run_forever(df);
        });
        let error = job.run_with(&options(workers)).unwrap_err();
        assert!(error.message().contains("worker 0 panicked at"), "{error}");
        assert!(error.message().ends_with("user code broke"), "{error}");
    }
}

#[test]
fn debug_prints_only_the_message() {
    assert_eq!(
        format!("{:?}", RillError::new("no such file")),
        "no such file"
    );
}
