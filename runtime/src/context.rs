//! What a worker knows while it builds and runs a job's dataflow.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use timely::dataflow::{ProbeHandle, Scope, StreamVec};

use crate::checkpoint::{coordinator, Checkpointing};
use crate::error::Failure;

/// The timestamp of Rill's outer scope: an epoch (a batch of input, later an event-time watermark).
pub type Epoch = u64;

/// Where a worker sits in the job: its index among all workers and its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerInfo {
    /// This worker's index, in `0..peers`.
    pub index: usize,
    /// The number of workers over all processes.
    pub peers: usize,
    /// This worker's process, in `0..processes`.
    pub process: usize,
    /// The number of processes.
    pub processes: usize,
}

impl WorkerInfo {
    /// The worker of a single-threaded, single-process run.
    pub const SINGLE: WorkerInfo = WorkerInfo {
        index: 0,
        peers: 1,
        process: 0,
        processes: 1,
    };
}

/// Counters one process keeps for its progress line and its end-of-job summary.
#[derive(Debug, Default)]
pub struct Metrics {
    records_in: AtomicU64,
    records_out: AtomicU64,
}

impl Metrics {
    /// Counts records that sources of this process emitted.
    pub fn add_in(&self, n: u64) {
        self.records_in.fetch_add(n, Ordering::Relaxed);
    }
    /// Counts records that sinks of this process received.
    pub fn add_out(&self, n: u64) {
        self.records_out.fetch_add(n, Ordering::Relaxed);
    }
    /// Records emitted by sources so far.
    pub fn records_in(&self) -> u64 {
        self.records_in.load(Ordering::Relaxed)
    }
    /// Records received by sinks so far.
    pub fn records_out(&self) -> u64 {
        self.records_out.load(Ordering::Relaxed)
    }
}

/// The per-worker environment that operators carry: who they run on, where to report a failure,
/// and where to count records.
#[derive(Clone)]
pub struct JobEnv {
    /// The worker this copy of the dataflow runs on.
    pub worker: WorkerInfo,
    /// The process-wide failure slot.
    pub failure: Failure,
    /// The process-wide counters.
    pub metrics: Arc<Metrics>,
    /// Checkpointing, if the run takes checkpoints.
    pub checkpointing: Option<Arc<Checkpointing>>,
}

impl JobEnv {
    /// An environment for one worker of a single process, with fresh counters.
    pub fn single() -> Self {
        JobEnv {
            worker: WorkerInfo::SINGLE,
            failure: Failure::default(),
            metrics: Arc::default(),
            checkpointing: None,
        }
    }
}

/// Handed to a job's build function (the code `dataflow!` generates) once per worker.
pub struct Dataflow<'scope> {
    pub(crate) scope: Scope<'scope, Epoch>,
    pub(crate) env: JobEnv,
    pub(crate) checkpoints: Option<CheckpointFlow<'scope>>,
}

/// What sources need when the run takes checkpoints: the coordinator's announcements, which
/// their outputs wait for, and the probe through which the coordinator follows their progress.
pub(crate) struct CheckpointFlow<'scope> {
    pub(crate) announcements: StreamVec<'scope, Epoch, Epoch>,
    pub(crate) sources: ProbeHandle<Epoch>,
}

impl<'scope> Dataflow<'scope> {
    /// Wraps a timely scope; used by the executor and by tests that drive timely directly. If
    /// `env` takes checkpoints, builds the checkpoint coordinator.
    pub fn new(scope: Scope<'scope, Epoch>, env: JobEnv) -> Self {
        let checkpoints = env.checkpointing.clone().map(|checkpointing| {
            let sources = ProbeHandle::new();
            let announcements = coordinator(scope, &env, checkpointing, sources.clone());
            CheckpointFlow {
                announcements,
                sources,
            }
        });
        Dataflow {
            scope,
            env,
            checkpoints,
        }
    }

    /// The worker this dataflow is being built on.
    pub fn worker(&self) -> WorkerInfo {
        self.env.worker
    }

    /// The environment operators of this dataflow share.
    pub fn env(&self) -> &JobEnv {
        &self.env
    }

    /// The underlying timely scope, for hand-written operators.
    pub fn scope(&self) -> Scope<'scope, Epoch> {
        self.scope
    }
}
