//! `for_each`: a callback called with every record.

use rill_runtime::{Epoch, Placement, Result, Sink, SinkWriter, WorkerInfo};

/// Calls `f` with every record, on the worker that holds it; each worker has its own `f`.
///
/// ```
/// use rill_runtime::{Sink, SinkWriter, WorkerInfo};
/// use rill_stdlib::sink::for_each;
///
/// let mut writer = for_each(|n: u64| assert!(n < 10)).open(WorkerInfo::SINGLE)?;
/// writer.write(0, &mut vec![1, 2, 3])?;
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
pub fn for_each<T, F: FnMut(T) + 'static>(f: F) -> ForEach<F> {
    ForEach { f }
}

/// The sink [`for_each`] describes, and its writer.
#[derive(Debug, Clone)]
pub struct ForEach<F> {
    f: F,
}

impl<T, F: FnMut(T) + 'static> Sink<T> for ForEach<F> {
    type Writer = ForEach<F>;

    fn placement(&self) -> Placement {
        Placement::EachWorker
    }

    fn open(self, _worker: WorkerInfo) -> Result<ForEach<F>> {
        Ok(self)
    }
}

impl<T, F: FnMut(T) + 'static> SinkWriter<T> for ForEach<F> {
    fn write(&mut self, _epoch: Epoch, records: &mut Vec<T>) -> Result<()> {
        records.drain(..).for_each(&mut self.f);
        Ok(())
    }

    fn epoch_done(&mut self, _epoch: Epoch) -> Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn calls_f_with_every_record_in_order() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = for_each({
            let seen = Rc::clone(&seen);
            move |s: String| seen.borrow_mut().push(s)
        });
        assert_eq!(Sink::<String>::placement(&sink), Placement::EachWorker);
        let mut writer = sink.open(WorkerInfo::SINGLE).unwrap();
        writer
            .write(0, &mut vec!["x".to_string(), "y".to_string()])
            .unwrap();
        writer.write(1, &mut vec!["z".to_string()]).unwrap();
        assert_eq!(*seen.borrow(), ["x", "y", "z"]);
    }
}
