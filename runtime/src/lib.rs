//! Rill's execution layer.
//!
//! The code `dataflow!` generates calls into this crate only: it builds a [`Job`] whose build
//! function receives a [`Dataflow`] per worker and chains typed operators on [`Stream`] and
//! [`KeyedStream`]. This crate is the only one (with `rill-stdlib`) that names timely's APIs.

pub mod bulk;
pub mod checkpoint;
pub mod collection;
pub mod context;
pub mod error;
mod execute;
pub mod hosts;
pub mod io;
pub mod job;
pub mod key;
mod launcher;
pub mod network;
pub mod options;
mod panics;
pub mod progress;
pub mod stream;
pub mod time;

pub use bulk::{BulkCollection, BulkLoop};
pub use collection::{Change, Collection, F64};
pub use context::{Dataflow, Epoch, JobEnv, Metrics, WorkerInfo};
pub use error::{Failure, Result, RillError};
pub use io::{
    open_each, BadRecord, Batch, Placement, ReadStatus, Sink, SinkWriter, Source, SourceReader,
    Waker,
};
pub use job::{Job, RunSummary};
pub use key::{Key, Record};
pub use options::{Mode, RunOptions};
pub use progress::init_logging;
pub use stream::{IntoRecords, KeyedStream, Stream};
pub use time::{
    state, Aggregate, KeyedTimedStream, Late, ProcessContext, StateSpec, TimeDomain, TimedStream,
    Timer, WindowOutput, WindowResult, WindowedStream, Windows,
};
