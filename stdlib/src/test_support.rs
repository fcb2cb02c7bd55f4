//! Helpers for this crate's tests.

use rill_runtime::{BadRecord, Batch, Epoch, ReadStatus, Source, SourceReader, WorkerInfo};

/// What one worker's reader produced: `(epoch, record)` pairs and bad records, in order.
pub(crate) struct Drained<T> {
    pub records: Vec<(Epoch, T)>,
    pub bad: Vec<BadRecord>,
}

/// Reads `reader` until it is done, in batches of at most `limit` records.
pub(crate) fn drain_with<R: SourceReader>(mut reader: R, limit: usize) -> Drained<R::Item> {
    let mut drained = Drained {
        records: Vec::new(),
        bad: Vec::new(),
    };
    let mut batch = Batch::new(0, limit);
    loop {
        let status = reader.read(&mut batch).expect("read failed");
        assert!(
            batch.records.len() + batch.bad.len() <= limit,
            "batch over its limit"
        );
        let epoch = batch.epoch();
        drained
            .records
            .extend(batch.records.drain(..).map(|r| (epoch, r)));
        drained.bad.append(&mut batch.bad);
        match status {
            ReadStatus::More => {}
            ReadStatus::Wait(pause) => std::thread::sleep(pause),
            ReadStatus::Done => return drained,
        }
    }
}

/// Reads `reader` until it is done, in batches of 1000 records.
pub(crate) fn drain<R: SourceReader>(reader: R) -> Drained<R::Item> {
    drain_with(reader, 1000)
}

/// Worker `index` of `peers` in one process.
pub(crate) fn worker(index: usize, peers: usize) -> WorkerInfo {
    WorkerInfo {
        index,
        peers,
        process: 0,
        processes: 1,
    }
}

/// Opens `source` as each of `peers` workers and drains every reader.
pub(crate) fn drain_all<S: Source + Clone>(source: &S, peers: usize) -> Vec<Drained<S::Item>> {
    (0..peers)
        .map(|w| drain(source.clone().open(worker(w, peers)).expect("open failed")))
        .collect()
}
