//! The text of `--text` or `--text-file FILE` (`-` for standard input), shared by every
//! command that takes a text: the shell refuses arguments over 128 KiB, so a long text
//! has to come from a file or a pipe; both are read within a stated limit.

use std::io::Read;
use std::path::Path;

use crate::model::text::bounded;

/// Largest text read from a file or standard input.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// `--text`, or the contents of `--text-file` when it is given (clap makes them
/// exclusive). `-` reads standard input.
pub fn resolve(text: &str, file: Option<&Path>) -> Result<String, String> {
    let Some(path) = file else {
        return Ok(text.to_string());
    };
    if path == Path::new("-") {
        let mut raw = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_TEXT_BYTES + 1)
            .read_to_end(&mut raw)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if raw.len() as u64 > MAX_TEXT_BYTES {
            return Err(format!(
                "standard input is longer than the limit of {}",
                bounded::bytes(MAX_TEXT_BYTES)
            ));
        }
        return String::from_utf8(raw).map_err(|_| "standard input is not UTF-8 text".into());
    }
    bounded::read_text(path, MAX_TEXT_BYTES)
        .map_err(|e| format!("cannot read --text-file {}: {e}", path.display()))
}
