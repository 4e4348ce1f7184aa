//! The text every lesson trains on: the shipped State of the Union corpus, or a
//! plain UTF-8 file the learner opens.
//!
//! The shipped file (`assets/corpus/sotu.txt.gz`, see `assets/README.md`) is one
//! gzip'd text in which each address starts with a header line
//!
//! ```text
//! #doc<TAB>1790-Washington-1<TAB>1790<TAB>George Washington<TAB>1790-01-08<TAB>spoken<TAB>True
//! ```
//!
//! A user file without such headers is one document. Tokenisation for word2vec
//! is deliberately simple (runs of letters/digits, inner apostrophes kept,
//! lower-cased) so the learner can predict it:
//!
//! ```
//! use llm_lens::model::text::corpus::words;
//! let w: Vec<_> = words("The Nation's oil, 1790!").collect();
//! assert_eq!(w, ["the", "nation's", "oil", "1790"]);
//! ```

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The gzip'd corpus, embedded so the app works offline with no install step.
static BUILTIN_GZ: &[u8] = include_bytes!("../../../assets/corpus/sotu.txt.gz");

/// Largest plain-text file `from_file` accepts. Word2vec keeps every token id in
/// memory (4 bytes a word), so 256 MiB of text (~45 M words) stays well under a
/// laptop's memory while allowing far more than the lessons need.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The line that starts a document in the shipped corpus format.
const DOC_HEADER: &str = "#doc\t";

/// One address (or one user file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// A stable id: `1790-Washington-1` for the shipped corpus, the file name otherwise.
    pub id: String,
    /// Full name of the president, when known.
    pub president: Option<String>,
    /// Year of the address, when known.
    pub year: Option<u16>,
    /// `spoken` or `written` in the shipped corpus; empty otherwise.
    pub kind: String,
    /// False for the 12 related UCSB documents the `sotu` package carries
    /// alongside the canonical addresses (e.g. Nixon's 1973 topical messages).
    pub is_sotu: bool,
    /// The text, `\n` line endings, one paragraph a line.
    pub text: String,
}

/// A collection of documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corpus {
    docs: Vec<Document>,
}

/// Why a corpus could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read corpus file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "corpus file {path} is {size} bytes; the limit is {max} bytes (256 MiB): use a smaller sample"
    )]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error(
        "corpus file {path} is not UTF-8 text (invalid byte at offset {offset}, line {line}); save it as UTF-8"
    )]
    NotUtf8 {
        path: PathBuf,
        offset: usize,
        line: usize,
    },
    #[error("corpus header on line {line} is malformed: {reason}")]
    BadHeader { line: usize, reason: String },
}

impl Corpus {
    /// The shipped State of the Union corpus: 249 documents, 1790–2026, ~2.0 M
    /// words. Decompressed on first use (~60 ms in release) and cached.
    pub fn builtin() -> &'static Corpus {
        static CACHE: OnceLock<Corpus> = OnceLock::new();
        CACHE.get_or_init(|| {
            let mut text = String::new();
            // The asset is part of the build and checked by tests/corpus_builtin.rs,
            // so a failure here is a broken build, not bad user input.
            flate2::read::GzDecoder::new(BUILTIN_GZ)
                .read_to_string(&mut text)
                .expect("embedded corpus is valid gzip'd UTF-8");
            Corpus::parse(&text, "sotu").expect("embedded corpus headers are well formed")
        })
    }

    /// Loads a plain UTF-8 text file. Files in the shipped format (with `#doc`
    /// headers) keep their documents; any other file is one document.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Corpus, CorpusError> {
        let path = path.as_ref();
        let io = |source| CorpusError::Io {
            path: path.to_path_buf(),
            source,
        };
        // Only a regular file, and never more than the limit even if it grows: a FIFO
        // or /dev/zero would otherwise be read until memory runs out.
        let (file, size) =
            super::bounded::open_regular(path, MAX_FILE_BYTES).map_err(|e| match e {
                super::bounded::BoundedError::TooLarge { size, max } => CorpusError::TooLarge {
                    path: path.to_path_buf(),
                    size,
                    max,
                },
                super::bounded::BoundedError::Io(source) => io(source),
                other => io(std::io::Error::other(other.to_string())),
            })?;
        let mut bytes = Vec::with_capacity(size as usize);
        std::io::Read::read_to_end(
            &mut std::io::Read::take(file, MAX_FILE_BYTES + 1),
            &mut bytes,
        )
        .map_err(io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(CorpusError::TooLarge {
                path: path.to_path_buf(),
                size: bytes.len() as u64,
                max: MAX_FILE_BYTES,
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let line = 1 + e.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            CorpusError::NotUtf8 {
                path: path.to_path_buf(),
                offset,
                line,
            }
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "corpus".to_string());
        Corpus::parse(&text, &name)
    }

    /// A corpus from text the learner typed or pasted (same rules as `from_file`).
    pub fn from_text(name: &str, text: &str) -> Result<Corpus, CorpusError> {
        Corpus::parse(text, name)
    }

    /// Splits `#doc` headers; text before the first header (or a text with none)
    /// becomes a document named `name`.
    fn parse(text: &str, name: &str) -> Result<Corpus, CorpusError> {
        let text = text.replace("\r\n", "\n");
        let mut docs: Vec<Document> = Vec::new();
        let mut current = Document {
            id: name.to_string(),
            president: None,
            year: None,
            kind: String::new(),
            is_sotu: false,
            text: String::new(),
        };
        for (i, line) in text.split_inclusive('\n').enumerate() {
            if let Some(rest) = line.strip_prefix(DOC_HEADER) {
                let header = parse_header(rest.trim_end_matches('\n'), i + 1)?;
                let prev = std::mem::replace(&mut current, header);
                if !prev.text.trim().is_empty() {
                    docs.push(prev);
                }
            } else {
                current.text.push_str(line);
            }
        }
        if !current.text.trim().is_empty() || docs.is_empty() {
            docs.push(current);
        }
        for d in &mut docs {
            let trimmed = d.text.trim_end().len();
            d.text.truncate(trimmed);
        }
        Ok(Corpus { docs })
    }

    /// All documents in file order (chronological for the shipped corpus).
    pub fn documents(&self) -> &[Document] {
        &self.docs
    }

    /// Paragraphs (non-empty lines) of every document: word2vec's "sentences",
    /// so context windows never cross a paragraph or an address.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.docs
            .iter()
            .flat_map(|d| d.text.lines())
            .filter(|l| !l.trim().is_empty())
    }

    /// Every word of every document, lower-cased (see [`words`]).
    pub fn words(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.docs.iter().flat_map(|d| words(&d.text))
    }

    /// Number of words as [`words`] counts them.
    pub fn word_count(&self) -> usize {
        self.docs.iter().map(|d| words(&d.text).count()).sum()
    }
}

fn parse_header(rest: &str, line: usize) -> Result<Document, CorpusError> {
    let bad = |reason: String| CorpusError::BadHeader { line, reason };
    let f: Vec<&str> = rest.split('\t').collect();
    if f.len() != 6 {
        return Err(bad(format!(
            "expected 6 tab-separated fields after #doc (id, year, president, date, kind, is_sotu), found {}",
            f.len()
        )));
    }
    let year = f[1].parse::<u16>().map_err(|_| {
        bad(format!(
            "year {} is not a number",
            super::quote::quote(f[1])
        ))
    })?;
    Ok(Document {
        id: f[0].to_string(),
        president: Some(f[2].to_string()).filter(|p| !p.is_empty()),
        year: Some(year),
        kind: f[4].to_string(),
        is_sotu: f[5].eq_ignore_ascii_case("true"),
        text: String::new(),
    })
}

/// Lower-cased words of `text`: maximal runs of letters and digits, with an
/// apostrophe (`'` or `’`) kept when letters or digits follow it.
///
/// Borrows when the word is already lower case, so the common case allocates
/// nothing. `"Don't STOP—now"` → `["don't", "stop", "now"]`.
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// Iterator returned by [`words`].
#[derive(Debug, Clone)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        let rest = &self.text[self.pos..];
        let start_rel = rest.find(|c: char| c.is_alphanumeric())?;
        let start = self.pos + start_rel;
        let mut end = start;
        let mut chars = self.text[start..].char_indices().peekable();
        let mut has_upper = false;
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                has_upper |= c.is_uppercase();
                end = start + i + c.len_utf8();
            } else if (c == '\'' || c == '\u{2019}')
                && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric())
            {
                continue;
            } else {
                break;
            }
        }
        self.pos = end;
        let w = &self.text[start..end];
        Some(if has_upper {
            Cow::Owned(w.to_lowercase())
        } else {
            Cow::Borrowed(w)
        })
    }
}
