//! Reading files the learner picked, within limits. A loader that reads "a line" or
//! "the file" trusts the file; `/dev/zero`, a FIFO or a 200 MB line without a newline
//! would then take all the memory there is. Every loader opens through here: only
//! regular files, at most a stated size, lines at most a stated length, and every
//! refusal states its limit.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Why a bounded read refused or failed. Messages never quote the file's contents.
#[derive(Debug, thiserror::Error)]
pub enum BoundedError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("it is {} long; the limit is {}", bytes(*.size), bytes(*.max))]
    TooLarge { size: u64, max: u64 },
    #[error("line {line} is longer than the limit of {}", bytes(*.max as u64))]
    LineTooLong { line: usize, max: usize },
    #[error("line {line} is not UTF-8 text")]
    NotUtf8 { line: usize },
}

/// `n` bytes in the largest unit that keeps it readable: "512 bytes", "64 MiB".
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size {
            let x = n as f64 / size as f64;
            return if n.is_multiple_of(size) {
                format!("{} {unit}", n / size)
            } else {
                format!("{x:.1} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

/// What kind of non-regular thing `meta` describes, in words.
fn kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a pipe (FIFO)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Opens `path` if it is a regular file of at most `max` bytes; returns it with its
/// size. The type is checked before opening, since opening a FIFO blocks.
pub fn open_regular(path: &Path, max: u64) -> Result<(File, u64), BoundedError> {
    if let Some(k) = kind(&std::fs::metadata(path)?) {
        return Err(BoundedError::NotAFile(k));
    }
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if let Some(k) = kind(&meta) {
        return Err(BoundedError::NotAFile(k));
    }
    if meta.len() > max {
        return Err(BoundedError::TooLarge {
            size: meta.len(),
            max,
        });
    }
    Ok((file, meta.len()))
}

/// The bytes of a regular file of at most `max` bytes. A file that grows while it is
/// read is cut off just past the limit and refused, not read on.
pub fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, BoundedError> {
    let (file, size) = open_regular(path, max)?;
    let mut raw = Vec::with_capacity(size.min(max) as usize);
    file.take(max.saturating_add(1)).read_to_end(&mut raw)?;
    if raw.len() as u64 > max {
        return Err(BoundedError::TooLarge {
            size: raw.len() as u64,
            max,
        });
    }
    Ok(raw)
}

/// The whole of a regular UTF-8 file of at most `max` bytes (see [`read_bytes`]).
pub fn read_text(path: &Path, max: u64) -> Result<String, BoundedError> {
    utf8(read_bytes(path, max)?)
}

/// Bytes already in memory (a file dropped on the browser's page or picked there),
/// held to the same limit as [`read_bytes`] holds a file on disk.
pub fn within(raw: &[u8], max: u64) -> Result<&[u8], BoundedError> {
    if raw.len() as u64 > max {
        return Err(BoundedError::TooLarge {
            size: raw.len() as u64,
            max,
        });
    }
    Ok(raw)
}

/// As [`read_text`], for bytes already in memory.
pub fn text_within(raw: &[u8], max: u64) -> Result<String, BoundedError> {
    utf8(within(raw, max)?.to_vec())
}

/// The bytes as text, or the line where they stop being UTF-8.
fn utf8(raw: Vec<u8>) -> Result<String, BoundedError> {
    String::from_utf8(raw).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        BoundedError::NotUtf8 {
            line: 1 + upto.iter().filter(|&&b| b == b'\n').count(),
        }
    })
}

/// One line from [`Lines`], with where it stands in the input.
#[derive(Debug)]
pub struct Line<'a> {
    pub text: &'a str,
    /// 1-based.
    pub number: usize,
    /// Bytes consumed up to the end of this line (for progress).
    pub bytes_read: u64,
}

/// Reads lines of at most `max` bytes each (newline excluded), never buffering more.
pub struct Lines<R> {
    inner: BufReader<R>,
    max: usize,
    line_no: usize,
    buf: Vec<u8>,
    bytes_read: u64,
}

impl<R: Read> Lines<R> {
    pub fn new(reader: R, max: usize) -> Self {
        Self {
            inner: BufReader::with_capacity(1 << 16, reader),
            max,
            line_no: 0,
            buf: Vec::new(),
            bytes_read: 0,
        }
    }

    /// The 1-based number of the line last returned.
    pub fn line_no(&self) -> usize {
        self.line_no
    }

    /// Bytes consumed so far, newlines included (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next line without its `\n` or `\r\n`, or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<Line<'_>>, BoundedError> {
        self.buf.clear();
        let mut saw_any = false;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            saw_any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let body = if done { take - 1 } else { take };
            if self.buf.len() + body > self.max + 1 {
                // +1 leaves room for a '\r' before the newline.
                return Err(BoundedError::LineTooLong {
                    line: self.line_no + 1,
                    max: self.max,
                });
            }
            self.buf.extend_from_slice(&chunk[..body]);
            self.inner.consume(take);
            self.bytes_read += take as u64;
            if done {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        self.line_no += 1;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > self.max {
            return Err(BoundedError::LineTooLong {
                line: self.line_no,
                max: self.max,
            });
        }
        match std::str::from_utf8(&self.buf) {
            Ok(text) => Ok(Some(Line {
                text,
                number: self.line_no,
                bytes_read: self.bytes_read,
            })),
            Err(_) => Err(BoundedError::NotUtf8 { line: self.line_no }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_at_the_limit_without_reading_on() {
        let mut lines = Lines::new(std::io::repeat(b'x'), 1000);
        let err = lines.next_line().unwrap_err();
        assert!(matches!(
            err,
            BoundedError::LineTooLong { line: 1, max: 1000 }
        ));
        assert!(err.to_string().contains("1000 bytes"), "{err}");
    }

    #[test]
    fn lines_split_on_newlines_and_drop_carriage_returns() {
        let mut lines = Lines::new("a\r\nbb\n\nccc".as_bytes(), 3);
        let mut got = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            got.push(l.text.to_string());
        }
        assert_eq!(got, ["a", "bb", "", "ccc"]);
        assert_eq!(lines.line_no(), 4);
        let mut lines = Lines::new("abcd\n".as_bytes(), 3);
        assert!(lines.next_line().is_err());
    }

    #[test]
    fn devices_and_folders_are_refused_with_what_they_are() {
        let err = open_regular(Path::new("/dev/zero"), 10).unwrap_err();
        assert_eq!(err.to_string(), "it is a device, not a regular file");
        let err = read_text(Path::new("/"), 10).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a regular file");
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = std::env::temp_dir().join(format!("llm-lens-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("app.ron");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = read_text(&fifo, 10).unwrap_err();
            assert_eq!(err.to_string(), "it is a pipe (FIFO), not a regular file");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn sizes_state_the_limit() {
        assert_eq!(bytes(64 << 20), "64 MiB");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(12), "12 bytes");
    }
}
