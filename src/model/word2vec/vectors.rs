//! Word vectors once trained (or loaded): the word2vec text format, cosine
//! nearest neighbours, analogies and similarity.
//!
//! The text format is the one word2vec.c, gensim and fastText write: a header
//! `VOCAB_SIZE DIM`, then one line per word, `word v1 v2 … vDIM`. GloVe files
//! are the same without the header; both load.
//!
//! ```
//! use llm_lens::model::word2vec::Embeddings;
//! let text = "3 2\nking 0.9 0.8\nqueen 0.85 0.9\ncarrot -0.7 0.1\n";
//! let e = Embeddings::read_text(text.as_bytes(), text.len() as u64, &mut |_| true).unwrap();
//! assert_eq!(e.nearest("king", 1).unwrap()[0].word, "queen");
//! ```

use super::math::dot;
use crate::model::text::bounded::{self, BoundedError};
use crate::model::text::quote::quote;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// A vocabulary of words, each with a `dim`-long vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    words: Vec<String>,
    index: HashMap<String, usize>,
    dim: usize,
    /// Row-major `(words.len(), dim)`.
    data: Vec<f32>,
    /// Euclidean norm of each row, for cosine similarity.
    norms: Vec<f32>,
}

/// One result of a neighbour or analogy query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbour {
    pub word: String,
    /// Cosine similarity to the query, in [-1, 1].
    pub similarity: f32,
}

/// Problems with a vectors file or query.
#[derive(Debug, thiserror::Error)]
pub enum VectorsError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    File { path: PathBuf, source: BoundedError },
    #[error("read error at line {line}: {source}")]
    Read { line: usize, source: std::io::Error },
    #[error("line {line}: {reason}")]
    Malformed { line: usize, reason: String },
    #[error("the vectors file is empty")]
    Empty,
    #[error("loading was cancelled")]
    Cancelled,
    #[error("{} is not in the vocabulary", quote(word))]
    UnknownWord { word: String },
    #[error("{0}")]
    Invalid(String),
}

/// Largest dimension accepted from a file header (protects against a corrupt
/// header asking for a huge allocation).
pub(super) const MAX_DIM: usize = 100_000;

/// Largest vectors file read: the floats take about half the text's size in memory.
pub const MAX_VECTORS_FILE_BYTES: u64 = 4 << 30;

/// Longest line: [`MAX_DIM`] numbers of up to ~40 characters each fit.
pub const MAX_VECTORS_LINE_BYTES: usize = 4 << 20;

/// Longest word: nothing longer is a word, and every list of neighbours would carry it.
pub const MAX_WORD_BYTES: usize = 1024;

/// Largest magnitude of a value: beyond it a squared norm overflows f32 and every
/// similarity becomes NaN. Trained vectors stay far below.
pub(super) const MAX_ABS_VALUE: f32 = 1e15;

impl Embeddings {
    /// `data` is row-major `(words.len(), dim)`. Duplicate words are an error.
    pub fn new(words: Vec<String>, dim: usize, data: Vec<f32>) -> Result<Embeddings, VectorsError> {
        if dim == 0 || data.len() != words.len() * dim {
            return Err(VectorsError::Invalid(format!(
                "{} floats do not make {} vectors of dimension {dim}",
                data.len(),
                words.len()
            )));
        }
        let mut index = HashMap::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            if index.insert(w.clone(), i).is_some() {
                return Err(VectorsError::Invalid(format!(
                    "duplicate word {}",
                    quote(w)
                )));
            }
        }
        let norms = data.chunks_exact(dim).map(|r| dot(r, r).sqrt()).collect();
        Ok(Embeddings {
            words,
            index,
            dim,
            data,
            norms,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Words in row order (most frequent first for vectors we trained).
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// All vectors, row-major `(len, dim)`.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Row of `word`.
    pub fn index(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// The vector of `word`.
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        self.index(word).map(|i| self.row(i))
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    fn lookup(&self, word: &str) -> Result<usize, VectorsError> {
        self.index(word).ok_or_else(|| VectorsError::UnknownWord {
            word: word.to_string(),
        })
    }

    /// Cosine similarity of two words; `None` if either is unknown.
    pub fn similarity(&self, a: &str, b: &str) -> Option<f32> {
        let (i, j) = (self.index(a)?, self.index(b)?);
        Some(cosine(
            self.row(i),
            self.norms[i],
            self.row(j),
            self.norms[j],
        ))
    }

    /// The `k` words most similar to `word` by cosine, excluding itself.
    pub fn nearest(&self, word: &str, k: usize) -> Result<Vec<Neighbour>, VectorsError> {
        let i = self.lookup(word)?;
        Ok(self.nearest_to(self.row(i), k, &[i]))
    }

    /// The `k` words whose vectors are most similar to `query`, skipping rows in
    /// `exclude`.
    pub fn nearest_to(&self, query: &[f32], k: usize, exclude: &[usize]) -> Vec<Neighbour> {
        let qn = dot(query, query).sqrt();
        let mut scored: Vec<(f32, usize)> = (0..self.len())
            .filter(|i| !exclude.contains(i))
            .map(|i| (cosine(query, qn, self.row(i), self.norms[i]), i))
            .collect();
        let k = k.min(scored.len());
        if k == 0 {
            return Vec::new();
        }
        let by_sim = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        scored.select_nth_unstable_by(k - 1, by_sim);
        scored.truncate(k);
        scored.sort_by(by_sim);
        scored
            .into_iter()
            .map(|(s, i)| Neighbour {
                word: self.words[i].clone(),
                similarity: s,
            })
            .collect()
    }

    /// "a is to b as c is to ?": the words nearest to `a − b + c` (unit vectors,
    /// as in word2vec.c and gensim's `most_similar`), excluding a, b and c.
    /// `analogy("king", "man", "woman", 1)` asks for king − man + woman.
    pub fn analogy(
        &self,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
    ) -> Result<Vec<Neighbour>, VectorsError> {
        let (ia, ib, ic) = (self.lookup(a)?, self.lookup(b)?, self.lookup(c)?);
        let mut q = vec![0.0f32; self.dim];
        for (i, sign) in [(ia, 1.0f32), (ib, -1.0), (ic, 1.0)] {
            let n = self.norms[i].max(f32::MIN_POSITIVE);
            for (qd, x) in q.iter_mut().zip(self.row(i)) {
                *qd += sign * x / n;
            }
        }
        Ok(self.nearest_to(&q, k, &[ia, ib, ic]))
    }

    /// Writes the word2vec text format. Floats are written in Rust's shortest
    /// round-trip form, so `read_text` gives back the very same numbers.
    pub fn write_text(&self, w: impl Write) -> std::io::Result<()> {
        let mut w = BufWriter::new(w);
        writeln!(w, "{} {}", self.len(), self.dim)?;
        for (i, word) in self.words.iter().enumerate() {
            w.write_all(word.as_bytes())?;
            for x in self.row(i) {
                write!(w, " {x}")?;
            }
            w.write_all(b"\n")?;
        }
        w.flush()
    }

    pub fn save_text(&self, path: impl AsRef<Path>) -> Result<(), VectorsError> {
        let path = path.as_ref();
        let io = |source| VectorsError::Io {
            path: path.to_path_buf(),
            source,
        };
        let f = std::fs::File::create(path).map_err(io)?;
        self.write_text(f).map_err(io)
    }

    /// Loads a word2vec or GloVe text file. `progress` gets the fraction of bytes
    /// read (about every 1%); returning `false` cancels. Only a regular file of at
    /// most [`MAX_VECTORS_FILE_BYTES`] is read, so `/dev/zero` or a FIFO is refused.
    pub fn load_text(
        path: impl AsRef<Path>,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<Embeddings, VectorsError> {
        let path = path.as_ref();
        let (f, size) = bounded::open_regular(path, MAX_VECTORS_FILE_BYTES).map_err(|source| {
            VectorsError::File {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Embeddings::read_text(f, size, progress)
    }

    /// Parses the text format from any reader of `total_bytes` bytes (used for
    /// the progress fraction only). Errors name the 1-based line; a line longer
    /// than [`MAX_VECTORS_LINE_BYTES`] is refused before it is all read.
    pub fn read_text(
        reader: impl Read,
        total_bytes: u64,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<Embeddings, VectorsError> {
        let mut lines = bounded::Lines::new(reader, MAX_VECTORS_LINE_BYTES);
        let mut next_report = 0u64;
        let step = (total_bytes / 100).max(1 << 16);
        let mut words: Vec<String> = Vec::new();
        let mut data: Vec<f32> = Vec::new();
        let mut dim: Option<usize> = None;
        let mut expected: Option<usize> = None;
        let mut index: HashMap<String, usize> = HashMap::new();
        loop {
            let line = match lines.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => return Err(line_error(e, lines.line_no() + 1)),
            };
            let (line, line_no, read_bytes) = (line.text, line.number, line.bytes_read);
            if read_bytes >= next_report {
                next_report = read_bytes + step;
                if !progress((read_bytes as f64 / total_bytes.max(1) as f64).min(1.0) as f32) {
                    return Err(VectorsError::Cancelled);
                }
            }
            let bad = |reason: String| VectorsError::Malformed {
                line: line_no,
                reason,
            };
            // Editors on Windows start UTF-8 files with a byte-order mark.
            let text = if line_no == 1 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            if text.trim().is_empty() {
                continue;
            }
            let mut parts = text.split_ascii_whitespace();
            let head = parts.next().unwrap_or_default();
            // Header? Two integers on the first line.
            if line_no == 1 {
                let fields: Vec<&str> = text.split_ascii_whitespace().collect();
                if fields.len() == 2
                    && let (Ok(count), Ok(d)) = (fields[0].parse::<i64>(), fields[1].parse::<i64>())
                {
                    if count < 0 {
                        return Err(bad(format!(
                            "the header announces {count} vectors; a count cannot be negative"
                        )));
                    }
                    if d < 1 || d > MAX_DIM as i64 {
                        return Err(bad(format!(
                            "dimension {d} in the header is out of range 1..={MAX_DIM}"
                        )));
                    }
                    let (count, d) = (count as usize, d as usize);
                    dim = Some(d);
                    expected = Some(count);
                    words.reserve(count.min(1 << 22));
                    data.reserve(count.min(1 << 22).saturating_mul(d).min(1 << 28));
                    continue;
                }
            }
            if head.len() > MAX_WORD_BYTES {
                return Err(bad(format!(
                    "word {} is {} bytes long; the limit is {MAX_WORD_BYTES}",
                    quote(head),
                    head.len()
                )));
            }
            let start = data.len();
            for (k, tok) in parts.enumerate() {
                match tok.parse::<f32>() {
                    Ok(x) if x.is_finite() && x.abs() <= MAX_ABS_VALUE => data.push(x),
                    Ok(x) if x.is_finite() => {
                        return Err(bad(format!(
                            "value {} of {} is {x:e}, outside the accepted range ±{MAX_ABS_VALUE:e}",
                            k + 1,
                            quote(head)
                        )));
                    }
                    _ => {
                        return Err(bad(format!(
                            "value {} of {} is not a finite number: {}",
                            k + 1,
                            quote(head),
                            quote(tok)
                        )));
                    }
                }
                if data.len() - start > MAX_DIM {
                    return Err(bad(format!(
                        "word {} has more than {MAX_DIM} numbers",
                        quote(head)
                    )));
                }
            }
            let got = data.len() - start;
            match dim {
                None if got == 0 => {
                    return Err(bad(format!("word {} has no numbers", quote(head))));
                }
                None => dim = Some(got),
                Some(d) if got != d => {
                    return Err(bad(format!(
                        "word {} has {got} numbers, expected {d}",
                        quote(head)
                    )));
                }
                Some(_) => {}
            }
            if index.insert(head.to_string(), words.len()).is_some() {
                return Err(bad(format!("word {} appears twice", quote(head))));
            }
            words.push(head.to_string());
            if let Some(e) = expected
                && words.len() > e
            {
                return Err(bad(format!(
                    "more vectors than the {e} the header announces"
                )));
            }
        }
        if let Some(e) = expected
            && words.len() != e
        {
            return Err(VectorsError::Malformed {
                line: lines.line_no(),
                reason: format!(
                    "the header announces {e} vectors but the file ends after {}",
                    words.len()
                ),
            });
        }
        let dim = dim.ok_or(VectorsError::Empty)?;
        if words.is_empty() {
            return Err(VectorsError::Empty);
        }
        progress(1.0);
        let norms = data.chunks_exact(dim).map(|r| dot(r, r).sqrt()).collect();
        Ok(Embeddings {
            words,
            index,
            dim,
            data,
            norms,
        })
    }
}

/// A failure of the line reader as a vectors error on line `line`.
fn line_error(e: BoundedError, line: usize) -> VectorsError {
    match e {
        BoundedError::Io(source) => VectorsError::Read { line, source },
        BoundedError::NotUtf8 { line } => VectorsError::Read {
            line,
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
        },
        other => VectorsError::Malformed {
            line,
            reason: other.to_string(),
        },
    }
}

/// Cosine similarity given precomputed norms; 0 for a zero vector.
fn cosine(a: &[f32], na: f32, b: &[f32], nb: f32) -> f32 {
    let d = na * nb;
    if d > 0.0 { dot(a, b) / d } else { 0.0 }
}
