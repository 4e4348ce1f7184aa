//! word2vec's binary vectors format, as Google's News vectors and the original C tool
//! write it: a text header `COUNT DIM\n`, then per word its bytes up to a space and DIM
//! little-endian `f32`s (often followed by a newline). Read within the same caps as the
//! text format; [`Embeddings::load`] tells the two apart.

use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use super::vectors::{
    Embeddings, MAX_ABS_VALUE, MAX_DIM, MAX_VECTORS_FILE_BYTES, MAX_WORD_BYTES, VectorsError,
};
use crate::model::text::bounded;
use crate::model::text::quote::quote;

/// Longest header line read (`COUNT DIM` and a newline).
const MAX_HEADER_BYTES: usize = 64;

impl Embeddings {
    /// Loads a vectors file in either format: binary when its first record is not
    /// text (or its name ends in `.bin`), else text.
    pub fn load(
        path: impl AsRef<Path>,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<Embeddings, VectorsError> {
        let path = path.as_ref();
        let file_error = |source| VectorsError::File {
            path: path.to_path_buf(),
            source,
        };
        let (f, _) = bounded::open_regular(path, MAX_VECTORS_FILE_BYTES).map_err(file_error)?;
        let named_bin = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("bin"));
        let mut start = Vec::with_capacity(4096);
        f.take(4096)
            .read_to_end(&mut start)
            .map_err(|source| VectorsError::Read { line: 1, source })?;
        let (f, size) = bounded::open_regular(path, MAX_VECTORS_FILE_BYTES).map_err(file_error)?;
        if named_bin || looks_binary(&start) {
            Embeddings::read_binary(f, size, progress)
        } else {
            Embeddings::read_text(f, size, progress)
        }
    }

    /// As [`Embeddings::load`], for a file already in memory (picked or dropped in the
    /// browser): the same size limit, the format told apart the same way.
    pub fn from_named_bytes(
        name: &str,
        bytes: &[u8],
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<Embeddings, VectorsError> {
        let bytes = bounded::within(bytes, MAX_VECTORS_FILE_BYTES).map_err(|source| {
            VectorsError::File {
                path: crate::model::text::quote::shorten(name).into(),
                source,
            }
        })?;
        let named_bin = Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("bin"));
        let start = &bytes[..bytes.len().min(4096)];
        let size = bytes.len() as u64;
        if named_bin || looks_binary(start) {
            Embeddings::read_binary(bytes, size, progress)
        } else {
            Embeddings::read_text(bytes, size, progress)
        }
    }

    /// Parses the binary format from a reader of `total_bytes` bytes.
    pub fn read_binary(
        reader: impl Read,
        total_bytes: u64,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<Embeddings, VectorsError> {
        let mut r = BufReader::new(reader);
        let bad = |line: usize, reason: String| VectorsError::Malformed { line, reason };
        let header = read_until(&mut r, b'\n', MAX_HEADER_BYTES)
            .map_err(|e| bad(1, format!("the header: {e}")))?
            .ok_or(VectorsError::Empty)?;
        let header = String::from_utf8_lossy(&header);
        let fields: Vec<&str> = header.split_ascii_whitespace().collect();
        let (count, dim) = match fields.as_slice() {
            [c, d] => match (c.parse::<usize>(), d.parse::<usize>()) {
                (Ok(c), Ok(d)) => (c, d),
                _ => {
                    return Err(bad(
                        1,
                        format!("the header {} is not two counts", quote(&header)),
                    ));
                }
            },
            _ => {
                return Err(bad(
                    1,
                    format!("the header {} is not two counts", quote(&header)),
                ));
            }
        };
        if dim == 0 || dim > MAX_DIM {
            return Err(bad(
                1,
                format!("dimension {dim} is out of range 1..={MAX_DIM}"),
            ));
        }
        // Each record needs at least a one-byte word, a space and its numbers, so the
        // file's size bounds how many there can be.
        let record = 2 + 4 * dim as u64;
        if count as u64 > total_bytes / record {
            return Err(bad(
                1,
                format!(
                    "the header announces {count} vectors of {dim} numbers, more than a file of {total_bytes} bytes can hold"
                ),
            ));
        }
        let mut words = Vec::with_capacity(count);
        let mut data = Vec::with_capacity(count * dim);
        let mut index = HashMap::with_capacity(count);
        let mut buf = vec![0u8; 4 * dim];
        let step = (count / 100).max(1);
        for i in 0..count {
            let n = i + 1;
            if i % step == 0 && !progress(i as f32 / count.max(1) as f32) {
                return Err(VectorsError::Cancelled);
            }
            // Records may be separated by a newline.
            let word = loop {
                let w = read_until(&mut r, b' ', MAX_WORD_BYTES)
                    .map_err(|e| bad(n, format!("vector {n}'s word: {e}")))?
                    .ok_or_else(|| bad(n, format!("the file ends after {i} of {count} vectors")))?;
                let w: Vec<u8> = w.into_iter().skip_while(|&b| b == b'\n').collect();
                if !w.is_empty() {
                    break w;
                }
            };
            let word = String::from_utf8_lossy(&word).into_owned();
            r.read_exact(&mut buf)
                .map_err(|_| bad(n, format!("the numbers of {} are cut short", quote(&word))))?;
            for (k, c) in buf.chunks_exact(4).enumerate() {
                let x = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                if !x.is_finite() || x.abs() > MAX_ABS_VALUE {
                    return Err(bad(
                        n,
                        format!(
                            "value {} of {} is {x:e}: not a finite number within ±{MAX_ABS_VALUE:e}",
                            k + 1,
                            quote(&word)
                        ),
                    ));
                }
                data.push(x);
            }
            if index.insert(word.clone(), words.len()).is_some() {
                return Err(bad(n, format!("word {} appears twice", quote(&word))));
            }
            words.push(word);
        }
        progress(1.0);
        if words.is_empty() {
            return Err(VectorsError::Empty);
        }
        Embeddings::new(words, dim, data)
    }

    /// Writes the binary format (for tests and for tools that want it).
    pub fn write_binary(&self, mut w: impl Write) -> std::io::Result<()> {
        writeln!(w, "{} {}", self.len(), self.dim())?;
        for (i, word) in self.words().iter().enumerate() {
            w.write_all(word.as_bytes())?;
            w.write_all(b" ")?;
            for x in &self.data()[i * self.dim()..(i + 1) * self.dim()] {
                w.write_all(&x.to_le_bytes())?;
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Bytes up to (not including) `stop`, at most `max` of them; `None` at the end.
fn read_until(r: &mut impl Read, stop: u8, max: usize) -> Result<Option<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match r.read(&mut byte) {
            Ok(0) if out.is_empty() => return Ok(None),
            Ok(0) => return Ok(Some(out)),
            Ok(_) if byte[0] == stop => return Ok(Some(out)),
            Ok(_) => {
                if out.len() == max {
                    return Err(format!("longer than {max} bytes"));
                }
                out.push(byte[0]);
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Whether the start of a vectors file is the binary format: its header line is two
/// counts and what follows holds bytes no text file has.
fn looks_binary(start: &[u8]) -> bool {
    let Some(nl) = start.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let header = String::from_utf8_lossy(&start[..nl]);
    let counts = header.split_ascii_whitespace().count() == 2
        && header
            .split_ascii_whitespace()
            .all(|f| f.parse::<u64>().is_ok());
    let rest = &start[nl + 1..];
    counts
        && (std::str::from_utf8(rest).is_err()
            || rest
                .iter()
                .any(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Embeddings {
        let words = ["king", "queen", "über"].map(str::to_owned).to_vec();
        Embeddings::new(
            words,
            3,
            vec![1.0, 0.5, -0.25, 0.9, 0.6, -0.2, 0.0, 1e-3, 7.5],
        )
        .expect("valid")
    }

    fn bytes_of(e: &Embeddings) -> Vec<u8> {
        let mut out = Vec::new();
        e.write_binary(&mut out).expect("write");
        out
    }

    #[test]
    fn binary_round_trips_and_is_told_apart_from_text() {
        let e = tiny();
        let b = bytes_of(&e);
        assert!(looks_binary(&b));
        let back = Embeddings::read_binary(&b[..], b.len() as u64, &mut |_| true).expect("reads");
        assert_eq!(back.words(), e.words());
        assert_eq!(back.data(), e.data());
        let mut text = Vec::new();
        e.write_text(&mut text).expect("text");
        assert!(!looks_binary(&text));
        // Through a file, by content and not by name.
        let dir = std::env::temp_dir().join(format!("llm-lens-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        for (name, content) in [("v.vec", &b), ("t.txt", &text)] {
            let path = dir.join(name);
            std::fs::write(&path, content).expect("write");
            let got = Embeddings::load(&path, &mut |_| true).expect("loads");
            assert_eq!(got.words(), e.words());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bytes_in_memory_load_like_the_file_and_broken_ones_are_refused() {
        let e = tiny();
        let mut text = Vec::new();
        e.write_text(&mut text).expect("text");
        for (name, content) in [("v.vec", bytes_of(&e)), ("t.txt", text)] {
            let got = Embeddings::from_named_bytes(name, &content, &mut |_| true).expect("loads");
            assert_eq!(got.data(), e.data());
        }
        let mut cut = bytes_of(&e);
        cut.truncate(cut.len() - 5);
        let err = Embeddings::from_named_bytes("v.bin", &cut, &mut |_| true).unwrap_err();
        assert!(matches!(err, VectorsError::Malformed { .. }), "{err}");
    }

    #[test]
    fn broken_binary_files_give_one_short_line() {
        let b = bytes_of(&tiny());
        let cut = &b[..b.len() - 7];
        let err = Embeddings::read_binary(cut, cut.len() as u64, &mut |_| true).expect_err("cut");
        assert!(
            err.to_string().contains("cut short") || err.to_string().contains("ends"),
            "{err}"
        );
        // A header that asks for more than the file holds is refused before allocating.
        let mut lying = b"900000000 300\n".to_vec();
        lying.extend_from_slice(&b[b.iter().position(|&x| x == b'\n').expect("nl") + 1..]);
        let err = Embeddings::read_binary(&lying[..], lying.len() as u64, &mut |_| true)
            .expect_err("lies");
        assert!(err.to_string().contains("more than a file"), "{err}");
        // A word with no space for 2 KB.
        let mut long = b"1 3\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', 2048));
        let err =
            Embeddings::read_binary(&long[..], long.len() as u64, &mut |_| true).expect_err("long");
        assert!(err.to_string().len() < 300, "{err}");
        // NaN values are refused.
        let mut nan = b"1 1\nw ".to_vec();
        nan.extend_from_slice(&f32::NAN.to_le_bytes());
        let err =
            Embeddings::read_binary(&nan[..], nan.len() as u64, &mut |_| true).expect_err("nan");
        assert!(err.to_string().contains("not a finite number"), "{err}");
    }
}
