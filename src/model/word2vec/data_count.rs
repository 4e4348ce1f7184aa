//! [`DataCounter`]: [`TrainingData::build`]'s one pass over the corpus (its words
//! interned and counted, paragraph by paragraph) cut into steps of about
//! [`COUNT_BYTES`] bytes that end at a line break, so the browser draws between them.
//! [`TrainingData::build`] is the same steps back to back, so both give the same data.

use std::collections::HashMap;

use super::data::TrainingData;
use super::vocab::Vocab;
use crate::model::text::corpus::{Corpus, words};
use crate::model::text::line_chunk_end;

/// Corpus bytes a step reads: ~10 ms of interning on the desktop.
pub const COUNT_BYTES: usize = 512 * 1024;

/// A count of the corpus's words under way.
#[derive(Debug, Clone, Default)]
pub struct DataCounter {
    /// The document in hand, and the byte where its count resumes (a line's start).
    doc: usize,
    pos: usize,
    intern: HashMap<String, u32>,
    /// Occurrences of each interned word, by its id in `intern`.
    counts: Vec<u64>,
    /// Every word as an `intern` id, and where each paragraph ends in that list.
    raw_ids: Vec<u32>,
    raw_ends: Vec<usize>,
}

impl DataCounter {
    /// Interns the paragraphs in about `bytes` more bytes of `corpus`, which must be the
    /// same corpus at every step; true while some is left.
    pub fn count(&mut self, corpus: &Corpus, bytes: usize) -> bool {
        let docs = corpus.documents();
        let mut budget = bytes.max(1);
        while let Some(doc) = docs.get(self.doc) {
            let text = doc.text.as_str();
            let to = line_chunk_end(text, self.pos, budget);
            // Empty only when a step is handed another corpus than the first.
            let chunk = text.get(self.pos..to).unwrap_or_default();
            for para in chunk.lines().filter(|l| !l.trim().is_empty()) {
                self.paragraph(para);
            }
            budget = budget.saturating_sub(to.saturating_sub(self.pos));
            if to >= text.len() {
                (self.doc, self.pos) = (self.doc + 1, 0);
            } else {
                self.pos = to;
            }
            if budget == 0 {
                break;
            }
        }
        self.doc < docs.len()
    }

    fn paragraph(&mut self, para: &str) {
        for w in words(para) {
            let id = match self.intern.get(w.as_ref()) {
                Some(&id) => id,
                None => {
                    let id = self.counts.len() as u32;
                    self.intern.insert(w.into_owned(), id);
                    self.counts.push(0);
                    id
                }
            };
            self.counts[id as usize] += 1;
            self.raw_ids.push(id);
        }
        self.raw_ends.push(self.raw_ids.len());
    }

    /// The training data: the words seen at least `min_count` times, by vocabulary id.
    pub fn finish(self, min_count: u64) -> TrainingData {
        let DataCounter {
            intern,
            counts,
            raw_ids,
            raw_ends,
            ..
        } = self;
        let raw_words = raw_ids.len() as u64;
        let vocab = Vocab::from_counts(
            intern
                .iter()
                .map(|(w, &id)| (w.as_str(), counts[id as usize])),
            min_count,
        );
        // raw id -> vocabulary id (u32::MAX: dropped).
        let mut remap = vec![u32::MAX; counts.len()];
        for (w, &raw) in &intern {
            if let Some(id) = vocab.id(w) {
                remap[raw as usize] = id;
            }
        }
        let mut ids = Vec::with_capacity(raw_ids.len());
        let mut ends = Vec::with_capacity(raw_ends.len());
        let mut start = 0;
        for &end in &raw_ends {
            ids.extend(
                raw_ids[start..end]
                    .iter()
                    .map(|&r| remap[r as usize])
                    .filter(|&id| id != u32::MAX),
            );
            if ends.last() != Some(&ids.len()) {
                ends.push(ids.len());
            }
            start = end;
        }
        TrainingData {
            vocab,
            ids,
            ends,
            raw_words,
        }
    }
}
