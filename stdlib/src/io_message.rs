//! Turning I/O errors into messages a user reads.

use std::io;

/// The error's description without the trailing ` (os error N)` that only helps programmers,
/// e.g. `No such file or directory`.
pub(crate) fn describe(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_os_error_code() {
        let error = io::Error::from_raw_os_error(2);
        assert_eq!(describe(&error), "No such file or directory");
        let custom = io::Error::other("disk on fire");
        assert_eq!(describe(&custom), "disk on fire");
    }
}
