//! Greedy longest-match-first WordPiece, BERT's sub-word tokeniser.
//!
//! Each word from [`BasicTokenizer`] is cut from the left into the longest
//! pieces found in the vocabulary; pieces after the first carry the `##`
//! prefix. A word with any uncovered rest becomes a single `[UNK]`.
//!
//! ```
//! use llm_lens::model::tokenize::{basic::BasicTokenizer, wordpiece::WordPiece};
//! let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\nthe\n!\n";
//! let wp = WordPiece::from_vocab_txt(vocab, BasicTokenizer::uncased()).unwrap();
//! let enc = wp.encode("The unaffable!");
//! assert_eq!(enc.tokens, ["[CLS]", "the", "un", "##aff", "##able", "!", "[SEP]"]);
//! assert_eq!(enc.ids, [2, 8, 5, 6, 7, 9, 3]);
//! // Byte ranges point back into the original text ("[CLS]"/"[SEP]" get 0..0).
//! assert_eq!(enc.offsets[3], (6, 9)); // "aff"
//! // "unx" has no piece for "x": the whole word becomes [UNK].
//! assert_eq!(wp.encode("unx").tokens, ["[CLS]", "[UNK]", "[SEP]"]);
//! ```

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::TokenizeError;
use super::basic::{BasicTokenizer, NormChar};
use crate::model::text::bounded;
use crate::model::text::quote::{quote, shorten};

/// Files larger than this are not vocabularies: refuse before reading them.
pub const MAX_VOCAB_FILE_BYTES: u64 = 64 << 20;

/// Longest token a vocabulary may hold, in bytes (WordPiece splits words longer than
/// 100 characters into `[UNK]` anyway).
pub const MAX_TOKEN_BYTES: usize = 1024;

/// What BERT reads for one sentence or a sentence pair: the WordPiece ids with
/// their segments, and the tokens and byte ranges they stand for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ModelInput {
    pub ids: Vec<u32>,
    pub tokens: Vec<String>,
    /// Byte range of each token in its own input text (the second text for
    /// the pair's tokens whose `type_ids` is 1); `(0, 0)` for `[CLS]`/`[SEP]`.
    pub offsets: Vec<(usize, usize)>,
    /// Segment: 0 for the first sentence, 1 for the second of a pair.
    pub type_ids: Vec<u32>,
    /// True for the `[CLS]`/`[SEP]` the tokeniser added itself.
    pub special_mask: Vec<bool>,
}

impl ModelInput {
    /// Cuts the input to `max` tokens, keeping the last one (the closing `[SEP]`)
    /// so it stays well formed. Returns whether it cut.
    pub fn truncate_keeping_last(&mut self, max: usize) -> bool {
        let n = self.ids.len();
        if n <= max || max < 2 {
            return false;
        }
        fn keep<T: Clone>(v: &mut Vec<T>, max: usize) {
            if let Some(last) = v.last().cloned() {
                v.truncate(max - 1);
                v.push(last);
            }
        }
        keep(&mut self.ids, max);
        keep(&mut self.tokens, max);
        keep(&mut self.offsets, max);
        keep(&mut self.type_ids, max);
        keep(&mut self.special_mask, max);
        true
    }

    /// Ids without text (benchmarks, tests): tokens are the ids written out, offsets
    /// empty, all in segment 0.
    pub fn from_ids(ids: Vec<u32>) -> Self {
        let n = ids.len();
        Self {
            tokens: ids.iter().map(|i| i.to_string()).collect(),
            offsets: vec![(0, 0); n],
            type_ids: vec![0; n],
            special_mask: vec![false; n],
            ids,
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
    /// Drops everything from token `len` on.
    fn truncate(&mut self, len: usize) {
        self.ids.truncate(len);
        self.tokens.truncate(len);
        self.offsets.truncate(len);
        self.type_ids.truncate(len);
        self.special_mask.truncate(len);
    }

    fn push(&mut self, id: u32, token: &str, offsets: (usize, usize), type_id: u32, special: bool) {
        self.ids.push(id);
        self.tokens.push(token.to_string());
        self.offsets.push(offsets);
        self.type_ids.push(type_id);
        self.special_mask.push(special);
    }
}

/// A WordPiece vocabulary with BERT's normalisation and special tokens.
#[derive(Debug, Clone)]
pub struct WordPiece {
    vocab: HashMap<String, u32>,
    /// id → token (empty string for ids the vocabulary skips).
    id_to_token: Vec<String>,
    unk: u32,
    cls: u32,
    sep: u32,
    prefix: String,
    max_input_chars_per_word: usize,
    basic: BasicTokenizer,
    /// Special tokens matched verbatim in the raw text (e.g. a typed `[MASK]`).
    specials: Vec<(String, u32)>,
    /// `special_starts[b]`: some special token starts with byte `b`.
    special_starts: [bool; 256],
}

const SPECIAL_TOKENS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

impl WordPiece {
    /// Builds from the text of a `vocab.txt` (one token per line, id = line number).
    pub fn from_vocab_txt(text: &str, basic: BasicTokenizer) -> Result<Self, TokenizeError> {
        let mut vocab = HashMap::default();
        let mut id_to_token = Vec::new();
        for (id, line) in text.lines().enumerate() {
            let token = line.trim_end().to_string();
            check_token_length(&token).map_err(|e| match e {
                TokenizeError::Vocab(m) => TokenizeError::Vocab(format!("line {}: {m}", id + 1)),
                e => e,
            })?;
            vocab.insert(token.clone(), id as u32);
            id_to_token.push(token);
        }
        let specials = SPECIAL_TOKENS
            .iter()
            .filter_map(|t| vocab.get(*t).map(|&id| (t.to_string(), id)))
            .collect();
        Self::build(
            vocab,
            id_to_token,
            "[UNK]",
            "##".into(),
            100,
            basic,
            specials,
        )
    }

    /// Reads a `vocab.txt`; casing is guessed from the vocabulary (see
    /// [`vocab_is_uncased`]) since the file itself does not say.
    pub fn from_vocab_file(path: &Path) -> Result<Self, TokenizeError> {
        Self::from_vocab_guessing_case(&read_bounded(path)?)
    }

    /// A `vocab.txt`'s text, its casing guessed from the vocabulary.
    fn from_vocab_guessing_case(text: &str) -> Result<Self, TokenizeError> {
        let basic = if vocab_is_uncased(text.lines().map(str::trim_end)) {
            BasicTokenizer::uncased()
        } else {
            BasicTokenizer::cased()
        };
        Self::from_vocab_txt(text, basic)
    }

    /// Reads a `tokenizer.json` (by its extension) or else a `vocab.txt`.
    pub fn from_file(path: &Path) -> Result<Self, TokenizeError> {
        if path.extension().is_some_and(|x| x == "json") {
            Self::from_tokenizer_json_file(path)
        } else {
            Self::from_vocab_file(path)
        }
    }

    /// As [`WordPiece::from_file`], for a file already in memory (picked in the browser):
    /// the same size limit, the kind read from `name`'s extension.
    pub fn from_named_bytes(name: &str, bytes: &[u8]) -> Result<Self, TokenizeError> {
        let text = bounded::text_within(bytes, MAX_VOCAB_FILE_BYTES)
            .map_err(|e| TokenizeError::Io(format!("{}: {e}", shorten(name))))?;
        if Path::new(name).extension().is_some_and(|x| x == "json") {
            Self::from_tokenizer_json(&text)
        } else {
            Self::from_vocab_guessing_case(&text)
        }
    }

    /// The tokeniser file of a model folder: `tokenizer.json` when there is one (it states
    /// the casing), else `vocab.txt` (casing guessed from the vocabulary).
    pub fn file_in(dir: &Path) -> Option<std::path::PathBuf> {
        ["tokenizer.json", "vocab.txt"]
            .into_iter()
            .map(|name| dir.join(name))
            .find(|p| p.is_file())
    }

    /// Reads the WordPiece model, BERT normaliser and added tokens of a
    /// Hugging Face `tokenizer.json`. Its padding/truncation are ignored.
    pub fn from_tokenizer_json_file(path: &Path) -> Result<Self, TokenizeError> {
        Self::from_tokenizer_json(&read_bounded(path)?)
    }

    /// As [`WordPiece::from_tokenizer_json_file`], from the JSON text.
    pub fn from_tokenizer_json(text: &str) -> Result<Self, TokenizeError> {
        let bad = |msg: String| TokenizeError::BadTokenizerJson(msg);
        let root: Value = serde_json::from_str(text).map_err(|e| {
            bad(crate::model::text::quote::shorten_message(
                &e.to_string(),
                200,
            ))
        })?;
        let model = root
            .get("model")
            .ok_or_else(|| bad("no \"model\" section".into()))?;
        let kind = model.get("type").and_then(Value::as_str).unwrap_or("");
        if kind != "WordPiece" {
            return Err(TokenizeError::Unsupported(format!(
                "tokenizer model type {} (only WordPiece is supported)",
                quote(kind)
            )));
        }
        let entries = model
            .get("vocab")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("model.vocab is not an object".into()))?;
        let mut pairs: Vec<(String, u32)> = Vec::with_capacity(entries.len());
        for (token, id) in entries {
            let id = id
                .as_u64()
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| {
                    bad(format!(
                        "vocab id of {} is not a small integer",
                        quote(token)
                    ))
                })?;
            check_token_length(token)?;
            pairs.push((token.clone(), id));
        }
        let mut specials = Vec::new();
        if let Some(added) = root.get("added_tokens").and_then(Value::as_array) {
            for t in added {
                let content = t.get("content").and_then(Value::as_str);
                let id = t
                    .get("id")
                    .and_then(Value::as_u64)
                    .and_then(|id| u32::try_from(id).ok());
                match (content, id) {
                    (Some(content), Some(id)) if !content.is_empty() => {
                        specials.push((content.to_string(), id));
                        pairs.push((content.to_string(), id));
                    }
                    _ => return Err(bad("an added token has no content or id".into())),
                }
            }
        }
        // Ids index a table: a huge id would make an unbounded allocation.
        let max_id = pairs.iter().map(|p| p.1 as usize).max().unwrap_or(0);
        if max_id >= 2 * pairs.len() + 1024 {
            return Err(bad(format!(
                "token ids go up to {max_id} for only {} tokens",
                pairs.len()
            )));
        }
        let mut id_to_token = vec![String::new(); max_id + 1];
        let mut vocab = HashMap::with_capacity_and_hasher(pairs.len(), Default::default());
        for (token, id) in pairs {
            id_to_token[id as usize] = token.clone();
            vocab.insert(token, id);
        }
        let unk = model
            .get("unk_token")
            .and_then(Value::as_str)
            .unwrap_or("[UNK]");
        let prefix = model
            .get("continuing_subword_prefix")
            .and_then(Value::as_str)
            .unwrap_or("##")
            .to_string();
        let max_chars = model
            .get("max_input_chars_per_word")
            .and_then(Value::as_u64)
            .map_or(100, |n| n as usize);
        let basic = parse_normalizer(root.get("normalizer"))?;
        match root.get("pre_tokenizer") {
            Some(p) if p.get("type").and_then(Value::as_str) == Some("BertPreTokenizer") => {}
            other => {
                return Err(TokenizeError::Unsupported(format!(
                    "pre_tokenizer {} (only BertPreTokenizer is supported)",
                    other.map_or("null".into(), |v| quote(&v.to_string()))
                )));
            }
        }
        Self::build(vocab, id_to_token, unk, prefix, max_chars, basic, specials)
    }

    fn build(
        vocab: HashMap<String, u32>,
        id_to_token: Vec<String>,
        unk: &str,
        prefix: String,
        max_input_chars_per_word: usize,
        basic: BasicTokenizer,
        mut specials: Vec<(String, u32)>,
    ) -> Result<Self, TokenizeError> {
        let need = |t: &str| {
            vocab
                .get(t)
                .copied()
                .ok_or_else(|| TokenizeError::MissingSpecial(shorten(t)))
        };
        let (unk, cls, sep) = (need(unk)?, need("[CLS]")?, need("[SEP]")?);
        // Longest first, so that overlapping specials match leftmost-longest.
        specials.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        let mut special_starts = [false; 256];
        for (s, _) in &specials {
            if let Some(&b) = s.as_bytes().first() {
                special_starts[b as usize] = true;
            }
        }
        Ok(Self {
            vocab,
            id_to_token,
            unk,
            cls,
            sep,
            prefix,
            max_input_chars_per_word,
            basic,
            specials,
            special_starts,
        })
    }

    /// Number of ids (the size of the embedding table this tokeniser needs).
    pub fn vocab_size(&self) -> usize {
        self.id_to_token.len()
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.vocab.get(token).copied()
    }

    /// The vocabulary as a `vocab.txt` (one token per line, id = line number).
    pub fn to_vocab_txt(&self) -> String {
        let mut vocab = String::new();
        for id in 0..self.vocab_size() {
            vocab.push_str(self.id_to_token(id as u32).unwrap_or(""));
            vocab.push('\n');
        }
        vocab
    }

    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.id_to_token.get(id as usize).map(String::as_str)
    }

    pub fn basic(&self) -> &BasicTokenizer {
        &self.basic
    }

    /// `[CLS] text [SEP]`, all segment 0.
    pub fn encode(&self, text: &str) -> ModelInput {
        let mut enc = ModelInput::default();
        enc.push(self.cls, self.tok(self.cls), (0, 0), 0, true);
        self.encode_into(text, 0, &mut enc);
        enc.push(self.sep, self.tok(self.sep), (0, 0), 0, true);
        enc
    }

    /// `[CLS] a [SEP] b [SEP]`: segment 0 up to the first `[SEP]`, then 1.
    ///
    /// ```
    /// # use llm_lens::model::tokenize::{basic::BasicTokenizer, wordpiece::WordPiece};
    /// # let wp = WordPiece::from_vocab_txt("[UNK]\n[CLS]\n[SEP]\nhi\nyo\n", BasicTokenizer::uncased()).unwrap();
    /// let enc = wp.encode_pair("hi", "yo");
    /// assert_eq!(enc.tokens, ["[CLS]", "hi", "[SEP]", "yo", "[SEP]"]);
    /// assert_eq!(enc.type_ids, [0, 0, 0, 1, 1]);
    /// ```
    pub fn encode_pair(&self, a: &str, b: &str) -> ModelInput {
        let mut enc = self.encode(a);
        self.encode_into(b, 1, &mut enc);
        enc.push(self.sep, self.tok(self.sep), (0, 0), 1, true);
        enc
    }

    fn tok(&self, id: u32) -> &str {
        self.id_to_token(id).unwrap_or("")
    }

    /// Splits out special tokens typed verbatim, tokenises the text between them.
    fn encode_into(&self, text: &str, type_id: u32, enc: &mut ModelInput) {
        let mut rest_start = 0;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < text.len() {
            // Specials are rare: only look where one could start.
            let could_start = self.special_starts[bytes[i] as usize];
            let hit = could_start
                .then(|| {
                    self.specials
                        .iter()
                        .find(|(s, _)| text[i..].starts_with(s.as_str()))
                })
                .flatten();
            if let Some((s, id)) = hit {
                self.encode_plain(&text[rest_start..i], rest_start, type_id, enc);
                enc.push(*id, s, (i, i + s.len()), type_id, false);
                i += s.len();
                rest_start = i;
            } else {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        self.encode_plain(&text[rest_start..], rest_start, type_id, enc);
    }

    fn encode_plain(&self, text: &str, base: usize, type_id: u32, enc: &mut ModelInput) {
        if text.is_empty() {
            return;
        }
        let chars = self.basic.normalize(text, base);
        let mut candidate = String::new();
        for range in BasicTokenizer::word_ranges(&chars) {
            self.word_pieces(&chars[range], type_id, enc, &mut candidate);
        }
    }

    /// Greedy longest-match-first pieces of one word, pushed onto `enc`; `candidate`
    /// is scratch space reused across words.
    fn word_pieces(
        &self,
        word: &[NormChar],
        type_id: u32,
        enc: &mut ModelInput,
        candidate: &mut String,
    ) {
        let span = |chars: &[NormChar]| {
            let start = chars.iter().map(|c| c.start).min().unwrap_or(0);
            let end = chars.iter().map(|c| c.end).max().unwrap_or(0);
            (start, end)
        };
        let unk = |enc: &mut ModelInput| {
            enc.push(self.unk, self.tok(self.unk), span(word), type_id, false);
        };
        if word.len() > self.max_input_chars_per_word {
            return unk(enc);
        }
        let first_piece = enc.ids.len();
        let mut start = 0;
        while start < word.len() {
            let mut found = None;
            for end in (start + 1..=word.len()).rev() {
                candidate.clear();
                if start > 0 {
                    candidate.push_str(&self.prefix);
                }
                candidate.extend(word[start..end].iter().map(|c| c.ch));
                if let Some(&id) = self.vocab.get(candidate.as_str()) {
                    found = Some((id, end));
                    break;
                }
            }
            match found {
                Some((id, end)) => {
                    enc.push(id, candidate, span(&word[start..end]), type_id, false);
                    start = end;
                }
                None => {
                    // Take back this word's pieces: the whole word is one [UNK].
                    enc.truncate(first_piece);
                    return unk(enc);
                }
            }
        }
    }
}

/// Guesses casing for a bare `vocab.txt`: cased vocabularies contain words
/// with ASCII capitals; bracketed specials like `[CLS]` do not count, nor do
/// symbols like `ℝ` that uncased vocabularies keep (lower-casing leaves them).
pub fn vocab_is_uncased<'a>(tokens: impl Iterator<Item = &'a str>) -> bool {
    !tokens
        .filter(|t| !(t.starts_with('[') && t.ends_with(']')))
        .any(|t| t.bytes().any(|b| b.is_ascii_uppercase()))
}

fn parse_normalizer(value: Option<&Value>) -> Result<BasicTokenizer, TokenizeError> {
    let Some(n) = value.filter(|v| !v.is_null()) else {
        return Ok(BasicTokenizer {
            clean_text: false,
            handle_chinese_chars: false,
            strip_accents: false,
            lowercase: false,
        });
    };
    if n.get("type").and_then(Value::as_str) != Some("BertNormalizer") {
        return Err(TokenizeError::Unsupported(format!(
            "normalizer {} (only BertNormalizer is supported)",
            quote(&n.to_string())
        )));
    }
    let flag = |k: &str, default: bool| n.get(k).and_then(Value::as_bool).unwrap_or(default);
    let lowercase = flag("lowercase", true);
    Ok(BasicTokenizer {
        clean_text: flag("clean_text", true),
        handle_chinese_chars: flag("handle_chinese_chars", true),
        // `null` means "same as lowercase", as in Hugging Face.
        strip_accents: flag("strip_accents", lowercase),
        lowercase,
    })
}

/// A vocabulary or tokenizer.json: a regular file of at most [`MAX_VOCAB_FILE_BYTES`].
fn read_bounded(path: &Path) -> Result<String, TokenizeError> {
    bounded::read_text(path, MAX_VOCAB_FILE_BYTES)
        .map_err(|e| TokenizeError::Io(format!("{}: {e}", path.display())))
}

/// Refuses a token longer than [`MAX_TOKEN_BYTES`]: no real vocabulary has one, and a
/// 30 MB key would otherwise be carried into every message and table.
fn check_token_length(token: &str) -> Result<(), TokenizeError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenizeError::Vocab(format!(
            "token {} is {} bytes long; the limit is {MAX_TOKEN_BYTES}",
            quote(token),
            token.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod truncation_tests {
    use super::*;

    #[test]
    fn truncation_keeps_a_final_sep() {
        let mut enc = ModelInput {
            ids: vec![101, 1, 2, 3, 4, 102],
            tokens: ["[CLS]", "a", "b", "c", "d", "[SEP]"]
                .map(str::to_owned)
                .to_vec(),
            offsets: vec![(0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (0, 0)],
            type_ids: vec![0; 6],
            special_mask: vec![true, false, false, false, false, true],
        };
        assert!(enc.truncate_keeping_last(4));
        assert_eq!(enc.ids, vec![101, 1, 2, 102]);
        assert_eq!(enc.tokens.len(), 4);
        assert!(!enc.truncate_keeping_last(4));
    }
}
