//! [`Clocked`]: the inputs of an operator that acts once per tick of its loop's clock.
//!
//! Such an operator produces a collection at one level (the deepest level of its inputs). It
//! keeps the ticks of that level and buffers each input's data by time; a tick is ready when
//! every input is complete at the tick truncated to the input's level. An input at a lower level
//! keeps its data (raw, or prepared once into an index) for all the ticks that share it, and
//! drops it when no tick that could still come needs it.

use timely::dataflow::operators::Capability;
use timely::progress::frontier::MutableAntichain;

use super::LoopTime;

/// The ticks of one level and the buffered data of an operator's inputs, with `R` records that
/// lower-level inputs may prepare into a `P` once per version.
pub(crate) struct Clocked<T: LoopTime, R, P> {
    level: usize,
    ticks: Vec<Capability<T>>,
    inputs: Vec<Buffer<T, R, P>>,
}

/// One input's data, by time.
struct Buffer<T, R, P> {
    level: usize,
    times: Vec<(T, Stored<R, P>)>,
}

/// An input's data at one time: as received, or prepared.
enum Stored<R, P> {
    Raw(Vec<Vec<R>>),
    Prepared(P),
}

impl<T: LoopTime, R, P> Clocked<T, R, P> {
    /// For an operator acting at `level` on inputs at `levels`.
    pub(crate) fn new(level: usize, levels: impl IntoIterator<Item = usize>) -> Self {
        Clocked {
            level,
            ticks: Vec::new(),
            inputs: levels
                .into_iter()
                .map(|level| Buffer {
                    level,
                    times: Vec::new(),
                })
                .collect(),
        }
    }

    /// Keeps `tick` if it is a tick of this operator's level.
    pub(crate) fn tick(&mut self, tick: Capability<T>) {
        if tick.time().truncate(self.level) == *tick.time() {
            self.ticks.push(tick);
        }
    }

    /// Buffers `data` that `input` received at `time`.
    pub(crate) fn push(&mut self, input: usize, time: T, data: &mut Vec<R>) {
        let times = &mut self.inputs[input].times;
        match times.iter_mut().find(|(t, _)| *t == time) {
            Some((_, Stored::Raw(batches))) => batches.push(std::mem::take(data)),
            Some((_, Stored::Prepared(_))) => unreachable!("data after its input was complete"),
            None => times.push((time, Stored::Raw(vec![std::mem::take(data)]))),
        }
    }

    /// The earliest tick at which every input is complete (`frontiers` are the inputs'), removed
    /// from the pending ticks.
    pub(crate) fn next_ready(
        &mut self,
        frontiers: &[MutableAntichain<T>],
    ) -> Option<Capability<T>> {
        let inputs = &self.inputs;
        let position = self
            .ticks
            .iter()
            .enumerate()
            .filter(|(_, tick)| {
                inputs.iter().zip(frontiers).all(|(input, frontier)| {
                    !frontier.less_equal(&tick.time().truncate(input.level))
                })
            })
            .min_by_key(|(_, tick)| *tick.time())
            .map(|(position, _)| position)?;
        Some(self.ticks.swap_remove(position))
    }

    /// Whether a tick for which `which` holds is still pending.
    pub(crate) fn pending(&self, which: impl Fn(&T) -> bool) -> bool {
        self.ticks.iter().any(|tick| which(tick.time()))
    }

    /// The level of `input`.
    pub(crate) fn level_of(&self, input: usize) -> usize {
        self.inputs[input].level
    }

    /// Removes and returns the data of `input` at `tick` (for inputs at the operator's level).
    pub(crate) fn take(&mut self, input: usize, tick: &T) -> Vec<Vec<R>> {
        let times = &mut self.inputs[input].times;
        match times.iter().position(|(t, _)| t == tick) {
            Some(position) => match times.swap_remove(position).1 {
                Stored::Raw(data) => data,
                Stored::Prepared(_) => unreachable!("taking prepared data"),
            },
            None => Vec::new(),
        }
    }

    /// The raw data of `input` at `tick` truncated to its level (empty if none).
    pub(crate) fn raw(&self, input: usize, tick: &T) -> impl Iterator<Item = &R> + '_ {
        let batches: &[Vec<R>] = match self.find(input, tick) {
            Some(Stored::Raw(batches)) => batches,
            Some(Stored::Prepared(_)) => unreachable!("raw data of a prepared input"),
            None => &[],
        };
        batches.iter().flatten()
    }

    /// Prepares the data of `input` at `tick` truncated to its level with `prepare`, unless it
    /// is prepared already.
    pub(crate) fn prepare(
        &mut self,
        input: usize,
        tick: &T,
        prepare: impl FnOnce(Vec<Vec<R>>) -> P,
    ) {
        let buffer = &mut self.inputs[input];
        let version = tick.truncate(buffer.level);
        if let Some((_, stored)) = buffer.times.iter_mut().find(|(t, _)| *t == version) {
            if let Stored::Raw(data) = stored {
                *stored = Stored::Prepared(prepare(std::mem::take(data)));
            }
        }
    }

    /// The prepared data of `input` at `tick` truncated to its level (`None` if it had none).
    pub(crate) fn prepared(&self, input: usize, tick: &T) -> Option<&P> {
        match self.find(input, tick)? {
            Stored::Prepared(prepared) => Some(prepared),
            Stored::Raw(_) => unreachable!("prepared data that was not prepared"),
        }
    }

    fn find(&self, input: usize, tick: &T) -> Option<&Stored<R, P>> {
        let buffer = &self.inputs[input];
        let version = tick.truncate(buffer.level);
        buffer
            .times
            .iter()
            .find(|(t, _)| *t == version)
            .map(|(_, stored)| stored)
    }

    /// Drops the data that neither a pending tick, nor a tick that may still come (after the
    /// `clock` frontier), nor a tick in `keep` needs.
    pub(crate) fn gc(&mut self, clock: &MutableAntichain<T>, keep: &[T]) {
        let ticks = &self.ticks;
        for buffer in self.inputs.iter_mut() {
            let level = buffer.level;
            buffer.times.retain(|(version, _)| {
                ticks
                    .iter()
                    .any(|tick| tick.time().truncate(level) == *version)
                    || keep.iter().any(|tick| tick.truncate(level) == *version)
                    || clock.frontier().iter().any(|time| {
                        timely::PartialOrder::less_equal(&time.truncate(level), version)
                    })
            });
        }
    }
}
