//! Framed, checksummed records: the byte format of every checkpoint part file.
//!
//! A file is a magic ([`MAGIC`], or [`CHUNKED_MAGIC`] for the chunked parts of keyed state), then
//! per frame `[len: u32 LE][crc32 of payload: u32 LE][payload]`.
//! A file read back after a crash is untrusted input: decoding detects a truncated (torn) file and
//! flipped bits (corrupt), and the error names the file and the frame.

use std::fmt::Display;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use super::incremental::CHUNKED_MAGIC;
use crate::error::{Result, RillError};

/// The first bytes of a checkpoint part file that holds its state whole.
pub const MAGIC: &[u8; 8] = b"RILLCKP1";

/// Bytes before each frame's payload: its length and its CRC, both `u32` little-endian.
const FRAME_HEADER: usize = 8;

/// Encodes `frames` as a checkpoint file: the magic ([`CHUNKED_MAGIC`] if `chunked`, else
/// [`MAGIC`]), then each frame with its length and CRC. Fails if a frame is 4 GiB or larger (its
/// length would not fit the `u32` length field).
pub fn encode_frames(frames: &[Vec<u8>], chunked: bool) -> Result<Vec<u8>> {
    let total = MAGIC.len() + frames.iter().map(|f| FRAME_HEADER + f.len()).sum::<usize>();
    let mut bytes = Vec::with_capacity(total);
    bytes.extend_from_slice(if chunked { CHUNKED_MAGIC } else { MAGIC });
    for (index, frame) in frames.iter().enumerate() {
        let len = u32::try_from(frame.len()).map_err(|_| {
            RillError::new(format!(
                "checkpoint frame {index} has {} bytes, more than a frame can hold (4 GiB)",
                frame.len()
            ))
        })?;
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(frame).to_le_bytes());
        bytes.extend_from_slice(frame);
    }
    Ok(bytes)
}

/// Decodes a checkpoint file read from `path` (used only in messages), verifying the magic and
/// every frame's length and CRC. Returns whether it is a chunked part, and its frames.
pub fn decode_frames(path: &Path, bytes: &[u8]) -> Result<(bool, Vec<Vec<u8>>)> {
    let (chunked, mut rest) = match (bytes.strip_prefix(MAGIC), bytes.strip_prefix(CHUNKED_MAGIC)) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => {
            return Err(file_error(
                path,
                "not a checkpoint file (no RILLCKP1 header)",
            ))
        }
    };
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let index = frames.len();
        let torn = |expected: usize, found: usize| {
            file_error(
                path,
                format!("frame {index} is torn (expected {expected} bytes, found {found})"),
            )
        };
        let (header, body) = rest
            .split_first_chunk::<FRAME_HEADER>()
            .ok_or_else(|| torn(FRAME_HEADER, rest.len()))?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let stored = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if body.len() < len {
            return Err(torn(FRAME_HEADER + len, rest.len()));
        }
        let (payload, next) = body.split_at(len);
        let computed = crc32fast::hash(payload);
        if computed != stored {
            return Err(file_error(
                path,
                format!("frame {index} is corrupt (crc32 {computed:08x}, expected {stored:08x})"),
            ));
        }
        frames.push(payload.to_vec());
        rest = next;
    }
    Ok((chunked, frames))
}

/// The first frame of the chunked part file at `path`, read without the rest of the file (the
/// index of its chunks); `None` if the file holds its state whole.
pub fn read_first_frame(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut file = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    let mut head = [0u8; 16];
    let mut read = |bytes: &mut [u8]| {
        file.read_exact(bytes)
            .map_err(|e| file_error(path, format!("cannot read its first frame: {e}")))
    };
    read(&mut head[..8])?;
    if &head[..8] != CHUNKED_MAGIC {
        return Ok(None);
    }
    read(&mut head[8..])?;
    let len = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
    let mut bytes = head.to_vec();
    bytes.resize(16 + len, 0);
    file.read_exact(&mut bytes[16..])
        .map_err(|e| file_error(path, format!("frame 0 is torn: {e}")))?;
    let (_, mut frames) = decode_frames(path, &bytes)?;
    Ok(frames.pop())
}

/// Serialises `value` into one frame's payload (bincode).
pub fn to_frame<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    bincode::serialize(value)
        .map_err(|e| RillError::new(format!("cannot encode checkpoint state: {e}")))
}

/// Deserialises one frame's payload read from `path` (used only in messages).
pub fn from_frame<T: DeserializeOwned>(path: &Path, frame: &[u8]) -> Result<T> {
    bincode::deserialize(frame).map_err(|e| file_error(path, format!("cannot decode state: {e}")))
}

/// An error about the checkpoint file at `path`: "checkpoint file PATH: PROBLEM".
pub(crate) fn file_error(path: &Path, problem: impl Display) -> RillError {
    RillError::new(format!("checkpoint file {}: {problem}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("/x/op.w0.g0.part")
    }

    #[test]
    fn frames_round_trip() {
        for frames in [
            vec![],
            vec![vec![]],
            vec![b"a".to_vec(), vec![], vec![7; 1000]],
        ] {
            for chunked in [false, true] {
                let bytes = encode_frames(&frames, chunked).unwrap();
                assert_eq!(
                    decode_frames(path(), &bytes).unwrap(),
                    (chunked, frames.clone())
                );
            }
        }
    }

    #[test]
    fn values_round_trip() {
        let value = (42u64, "key".to_string(), vec![1.5f64, -2.0]);
        let frame = to_frame(&value).unwrap();
        assert_eq!(
            from_frame::<(u64, String, Vec<f64>)>(path(), &frame).unwrap(),
            value
        );
        let error = from_frame::<(u64, String)>(path(), &frame[..3]).unwrap_err();
        assert!(error
            .message()
            .starts_with("checkpoint file /x/op.w0.g0.part: cannot decode"));
    }

    #[test]
    fn every_truncation_is_torn() {
        let bytes = encode_frames(&[b"hello".to_vec(), b"world!".to_vec()], false).unwrap();
        // Cuts at frame boundaries leave shorter but well-formed files (the store's size check
        // catches those); every other cut is detected here.
        let boundaries = [MAGIC.len(), MAGIC.len() + 13];
        for cut in (0..bytes.len()).filter(|cut| !boundaries.contains(cut)) {
            let error = decode_frames(path(), &bytes[..cut])
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with("checkpoint file /x/op.w0.g0.part: "),
                "{error}"
            );
            let expected = if cut < MAGIC.len() {
                "not a checkpoint file"
            } else {
                "is torn"
            };
            assert!(error.contains(expected), "{cut}: {error}");
        }
        let first = decode_frames(path(), &bytes[..boundaries[1]]).unwrap();
        assert_eq!(first, (false, vec![b"hello".to_vec()]));
        let error = decode_frames(path(), &bytes[..bytes.len() - 1]).unwrap_err();
        assert_eq!(
            error.message(),
            "checkpoint file /x/op.w0.g0.part: frame 1 is torn (expected 14 bytes, found 13)"
        );
    }

    #[test]
    fn the_first_frame_of_a_chunked_part_reads_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.part");
        let frames = vec![b"index".to_vec(), vec![7; 100]];
        std::fs::write(&path, encode_frames(&frames, true).unwrap()).unwrap();
        assert_eq!(read_first_frame(&path).unwrap(), Some(b"index".to_vec()));
        for whole in [encode_frames(&frames, false), encode_frames(&[], false)] {
            std::fs::write(&path, whole.unwrap()).unwrap();
            assert_eq!(read_first_frame(&path).unwrap(), None);
        }
    }

    #[test]
    fn flipped_bits_are_corrupt() {
        let bytes = encode_frames(&[b"hello".to_vec(), b"world!".to_vec()], false).unwrap();
        let mut bad = bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        let error = decode_frames(path(), &bad).unwrap_err().to_string();
        assert!(error.contains("frame 1 is corrupt"), "{error}");
        let mut bad = bytes;
        bad[0] = b'X';
        let error = decode_frames(path(), &bad).unwrap_err().to_string();
        assert!(error.contains("not a checkpoint file"), "{error}");
    }
}
