//! Where a source reader is in its input, as checkpoints record it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::frame::{from_frame, to_frame};
use crate::error::Result;

/// A source reader's position: whatever it needs to resume reading there after a restart (a
/// byte offset and a line number, a generator's next index...), encoded by the reader.
///
/// ```
/// use rill_runtime::checkpoint::Position;
///
/// let position = Position::of(&(4096u64, 120u64))?;
/// assert_eq!(position.decode::<(u64, u64)>("input.txt")?, (4096, 120));
/// # Ok::<(), rill_runtime::RillError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position(Vec<u8>);

impl Position {
    /// Encodes a reader's position.
    pub fn of<P: Serialize>(position: &P) -> Result<Position> {
        to_frame(position).map(Position)
    }

    /// Decodes a position that [`Position::of`] encoded; `origin` names the input in errors.
    pub fn decode<P: DeserializeOwned>(&self, origin: &str) -> Result<P> {
        from_frame(std::path::Path::new(origin), &self.0)
    }
}
