//! The history timeline and LLM family tree of the lesson's step 1, loaded from
//! `assets/timeline.json` and checked so the drawing code can trust it.
//!
//! ```
//! use llm_lens::model::history::timeline::{Branch, Timeline};
//! let tl = Timeline::builtin().unwrap();
//! let bert = tl.event("bert").unwrap();
//! assert_eq!((bert.year, bert.month, bert.branch), (2018, Some(10), Branch::EncoderOnly));
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The shipped data, compiled in so the app needs no file at run time.
pub const BUILTIN_JSON: &str = include_str!("../../../assets/timeline.json");

/// Lessons an event can link to (in the JSON by their ids: `"word2vec"`, …).
pub use crate::lesson_id::LessonId;

/// Which lane of the tree an event sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Branch {
    BeforeTransformers,
    Transformer,
    EncoderOnly,
    DecoderOnly,
    EncoderDecoder,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchInfo {
    pub id: Branch,
    pub label: String,
    pub summary: String,
}

/// One milestone: a system, a paper or a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub title: String,
    pub year: u16,
    /// 1–12 when the month is well known (e.g. GPT June 2018, BERT October 2018).
    #[serde(default)]
    pub month: Option<u8>,
    /// For eras rather than moments, e.g. rule-based MT 1954–1966.
    #[serde(default)]
    pub year_end: Option<u16>,
    pub branch: Branch,
    /// One line shown on hover.
    pub summary: String,
    /// The lesson a click jumps to.
    pub lesson: LessonId,
    /// The view (step) of that lesson a click opens, by the name its prose uses; the
    /// lesson's first step when absent. The lesson layer resolves the name, and a test
    /// checks that every one exists.
    #[serde(default)]
    pub view: Option<String>,
    /// Released sizes in parameters, smallest first (e.g. BERT base and large), so the
    /// timeline can say what "large" means; empty when never published.
    #[serde(default)]
    pub parameters: Vec<f64>,
    /// Ids of the events it builds on: the edges of the family tree.
    #[serde(default)]
    pub parents: Vec<String>,
}

impl Event {
    /// Position on a time axis in fractional years (mid-month when the month is known,
    /// mid-year otherwise), e.g. June 2018 → 2018.458.
    pub fn time(&self) -> f64 {
        match self.month {
            Some(m) => self.year as f64 + (m as f64 - 0.5) / 12.0,
            None => self.year as f64 + 0.5,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    pub branches: Vec<BranchInfo>,
    /// Sorted by [`Event::time`] after loading.
    pub events: Vec<Event>,
}

#[derive(Debug, Error, PartialEq)]
pub enum TimelineError {
    #[error("timeline JSON is malformed: {0}")]
    Json(String),
    #[error("event id '{0}' appears more than once")]
    DuplicateId(String),
    #[error("event '{event}' names parent '{parent}', which does not exist")]
    UnknownParent { event: String, parent: String },
    #[error("event '{event}' comes before its parent '{parent}'")]
    ParentAfterChild { event: String, parent: String },
    #[error("event '{event}': {problem}")]
    Invalid { event: String, problem: String },
    #[error("branch {0:?} is used but not described")]
    UndescribedBranch(Branch),
}

impl Timeline {
    pub fn builtin() -> Result<Timeline, TimelineError> {
        Timeline::from_json(BUILTIN_JSON)
    }

    /// Parse, validate and sort by time.
    pub fn from_json(json: &str) -> Result<Timeline, TimelineError> {
        let mut tl: Timeline =
            serde_json::from_str(json).map_err(|e| TimelineError::Json(e.to_string()))?;
        tl.validate()?;
        tl.events.sort_by(|a, b| a.time().total_cmp(&b.time()));
        Ok(tl)
    }

    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.id == id)
    }

    pub fn branch(&self, id: Branch) -> Option<&BranchInfo> {
        self.branches.iter().find(|b| b.id == id)
    }

    /// The largest released size of each event that publishes one, as `(event, parameters)`.
    pub fn largest_sizes(&self) -> impl Iterator<Item = (&Event, f64)> {
        self.events
            .iter()
            .filter_map(|e| e.parameters.last().map(|p| (e, *p)))
    }

    /// Family-tree edges as `(parent index, child index)` into `events`.
    pub fn edges(&self) -> Vec<(usize, usize)> {
        let index: HashMap<&str, usize> = self
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        self.events
            .iter()
            .enumerate()
            .flat_map(|(child, e)| {
                e.parents
                    .iter()
                    .filter_map(|p| index.get(p.as_str()).map(|&parent| (parent, child)))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Checks the drawing code relies on: unique ids, parents that exist and come first,
    /// plausible dates, one-line summaries, every branch described.
    pub fn validate(&self) -> Result<(), TimelineError> {
        let mut by_id: HashMap<&str, &Event> = HashMap::new();
        for e in &self.events {
            if by_id.insert(e.id.as_str(), e).is_some() {
                return Err(TimelineError::DuplicateId(e.id.clone()));
            }
        }
        let invalid = |e: &Event, problem: &str| TimelineError::Invalid {
            event: e.id.clone(),
            problem: problem.to_string(),
        };
        for e in &self.events {
            if e.id.trim().is_empty() || e.title.trim().is_empty() {
                return Err(invalid(e, "empty id or title"));
            }
            if !(1940..=2030).contains(&e.year) {
                return Err(invalid(e, "year outside 1940–2030"));
            }
            if let Some(m) = e.month
                && !(1..=12).contains(&m)
            {
                return Err(invalid(e, "month outside 1–12"));
            }
            if let Some(end) = e.year_end
                && end < e.year
            {
                return Err(invalid(e, "era ends before it starts"));
            }
            if e.summary.trim().is_empty()
                || e.summary.contains('\n')
                || e.summary.chars().count() > 160
            {
                return Err(invalid(
                    e,
                    "summary must be one line of at most 160 characters",
                ));
            }
            if e.parameters.iter().any(|p| !p.is_finite() || *p < 1.0)
                || e.parameters.windows(2).any(|w| w[0] > w[1])
            {
                return Err(invalid(
                    e,
                    "parameter counts must be positive, smallest first",
                ));
            }
            if e.view.as_ref().is_some_and(|v| v.trim().is_empty()) {
                return Err(invalid(e, "empty view name"));
            }
            let after_2017 = matches!(
                e.branch,
                Branch::EncoderOnly | Branch::DecoderOnly | Branch::EncoderDecoder
            );
            if after_2017 && e.year < 2017 {
                return Err(invalid(e, "the three Transformer branches start in 2017"));
            }
            if self.branch(e.branch).is_none() {
                return Err(TimelineError::UndescribedBranch(e.branch));
            }
            for p in &e.parents {
                let parent = by_id
                    .get(p.as_str())
                    .ok_or_else(|| TimelineError::UnknownParent {
                        event: e.id.clone(),
                        parent: p.clone(),
                    })?;
                if parent.year > e.year || (parent.year == e.year && parent.time() > e.time()) {
                    return Err(TimelineError::ParentAfterChild {
                        event: e.id.clone(),
                        parent: p.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}
