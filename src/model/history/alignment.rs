//! Word alignment, the core idea of statistical machine translation (lesson step 2).
//!
//! An alignment is a set of links between source and target words. Its shape tells the
//! story the preface tells: crossing links are **reordering** (Japanese puts the verb
//! last), an unlinked source word is an **omission**, an unlinked target word an
//! **insertion** (English needs "I", Japanese leaves 私 out), and a word with several links
//! is **one-to-many** (映画館 ↔ "movie theatre"). The learner drags links; [`AlignmentPair::analyse`]
//! recomputes the labels.
//!
//! ```
//! use llm_lens::model::history::alignment::{builtin_pairs, Phenomenon};
//! let pairs = builtin_pairs().unwrap();
//! let cinema = pairs.iter().find(|p| p.id == "cinema").unwrap();
//! let a = cinema.analyse();
//! assert!(a.phenomena().contains(&Phenomenon::Reordering));
//! assert_eq!(cinema.target[a.inserted[0]].text, "I"); // "I" has no Japanese partner
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const BUILTIN_JSON: &str = include_str!("../../../assets/alignment.json");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Word {
    pub text: String,
    /// Romanised reading, for scripts the learner may not read.
    #[serde(default)]
    pub reading: Option<String>,
    /// A word-by-word English gloss.
    #[serde(default)]
    pub gloss: Option<String>,
}

/// A sentence pair and its alignment links `(source index, target index)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlignmentPair {
    pub id: String,
    pub title: String,
    pub source_lang: String,
    pub target_lang: String,
    pub source: Vec<Word>,
    pub target: Vec<Word>,
    pub links: Vec<(usize, usize)>,
    pub note: String,
}

/// The kinds of mismatch an alignment can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phenomenon {
    Reordering,
    Omission,
    Insertion,
    OneToMany,
    ManyToOne,
}

/// Labels for one link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkLabel {
    pub link: (usize, usize),
    /// It crosses at least one other link.
    pub reordered: bool,
    /// Its source word has several target words.
    pub one_to_many: bool,
    /// Its target word has several source words.
    pub many_to_one: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignmentAnalysis {
    /// One entry per link, in the pair's (sorted) link order.
    pub links: Vec<LinkLabel>,
    /// Pairs of indices into `links` that cross.
    pub crossings: Vec<(usize, usize)>,
    /// Source words with no link: dropped in translation.
    pub omitted: Vec<usize>,
    /// Target words with no link: added in translation.
    pub inserted: Vec<usize>,
    /// Source words linked to two or more target words.
    pub one_to_many: Vec<usize>,
    /// Target words linked to two or more source words.
    pub many_to_one: Vec<usize>,
}

impl AlignmentAnalysis {
    pub fn phenomena(&self) -> BTreeSet<Phenomenon> {
        let mut set = BTreeSet::new();
        if !self.crossings.is_empty() {
            set.insert(Phenomenon::Reordering);
        }
        if !self.omitted.is_empty() {
            set.insert(Phenomenon::Omission);
        }
        if !self.inserted.is_empty() {
            set.insert(Phenomenon::Insertion);
        }
        if !self.one_to_many.is_empty() {
            set.insert(Phenomenon::OneToMany);
        }
        if !self.many_to_one.is_empty() {
            set.insert(Phenomenon::ManyToOne);
        }
        set
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum AlignmentError {
    #[error("alignment JSON is malformed: {0}")]
    Json(String),
    #[error("pair '{pair}': link ({source_index}, {target_index}) points past the sentence")]
    LinkOutOfRange {
        pair: String,
        source_index: usize,
        target_index: usize,
    },
    #[error("pair '{0}' has an empty sentence")]
    EmptySentence(String),
}

#[derive(Deserialize)]
struct File {
    pairs: Vec<AlignmentPair>,
}

/// The shipped examples (the preface's Japanese sentences), validated.
pub fn builtin_pairs() -> Result<Vec<AlignmentPair>, AlignmentError> {
    let file: File =
        serde_json::from_str(BUILTIN_JSON).map_err(|e| AlignmentError::Json(e.to_string()))?;
    let mut pairs = file.pairs;
    for p in &mut pairs {
        p.validate()?;
        p.normalise();
    }
    Ok(pairs)
}

impl AlignmentPair {
    pub fn validate(&self) -> Result<(), AlignmentError> {
        if self.source.is_empty() || self.target.is_empty() {
            return Err(AlignmentError::EmptySentence(self.id.clone()));
        }
        for &(s, t) in &self.links {
            if s >= self.source.len() || t >= self.target.len() {
                return Err(AlignmentError::LinkOutOfRange {
                    pair: self.id.clone(),
                    source_index: s,
                    target_index: t,
                });
            }
        }
        Ok(())
    }

    /// Sort links and drop duplicates, so analyses are stable.
    fn normalise(&mut self) {
        self.links.sort_unstable();
        self.links.dedup();
    }

    /// Add the link if absent, remove it if present (what a drag or click does).
    /// Returns whether the link exists afterwards.
    pub fn toggle_link(&mut self, source: usize, target: usize) -> Result<bool, AlignmentError> {
        if source >= self.source.len() || target >= self.target.len() {
            return Err(AlignmentError::LinkOutOfRange {
                pair: self.id.clone(),
                source_index: source,
                target_index: target,
            });
        }
        let present = if let Some(i) = self.links.iter().position(|&l| l == (source, target)) {
            self.links.remove(i);
            false
        } else {
            self.links.push((source, target));
            true
        };
        self.normalise();
        Ok(present)
    }

    /// The same pair translated the other way: insertions become omissions.
    pub fn reversed(&self) -> AlignmentPair {
        let mut r = AlignmentPair {
            id: format!("{}_reversed", self.id),
            title: self.title.clone(),
            source_lang: self.target_lang.clone(),
            target_lang: self.source_lang.clone(),
            source: self.target.clone(),
            target: self.source.clone(),
            links: self.links.iter().map(|&(s, t)| (t, s)).collect(),
            note: self.note.clone(),
        };
        r.normalise();
        r
    }

    /// Classify every link and word. Links whose indices are out of range are ignored.
    pub fn analyse(&self) -> AlignmentAnalysis {
        let links: Vec<(usize, usize)> = self
            .links
            .iter()
            .copied()
            .filter(|&(s, t)| s < self.source.len() && t < self.target.len())
            .collect();
        let mut src_count = vec![0usize; self.source.len()];
        let mut tgt_count = vec![0usize; self.target.len()];
        for &(s, t) in &links {
            src_count[s] += 1;
            tgt_count[t] += 1;
        }
        let mut crossings = Vec::new();
        for i in 0..links.len() {
            for j in i + 1..links.len() {
                let (s1, t1) = links[i];
                let (s2, t2) = links[j];
                // Opposite order on the two sides: the lines cross.
                if (s1 < s2 && t1 > t2) || (s1 > s2 && t1 < t2) {
                    crossings.push((i, j));
                }
            }
        }
        let labels = links
            .iter()
            .enumerate()
            .map(|(i, &(s, t))| LinkLabel {
                link: (s, t),
                reordered: crossings.iter().any(|&(a, b)| a == i || b == i),
                one_to_many: src_count[s] > 1,
                many_to_one: tgt_count[t] > 1,
            })
            .collect();
        let where_count = |counts: &[usize], pred: fn(usize) -> bool| {
            counts
                .iter()
                .enumerate()
                .filter(|&(_, &c)| pred(c))
                .map(|(i, _)| i)
                .collect()
        };
        AlignmentAnalysis {
            links: labels,
            crossings,
            omitted: where_count(&src_count, |c| c == 0),
            inserted: where_count(&tgt_count, |c| c == 0),
            one_to_many: where_count(&src_count, |c| c > 1),
            many_to_one: where_count(&tgt_count, |c| c > 1),
        }
    }
}
