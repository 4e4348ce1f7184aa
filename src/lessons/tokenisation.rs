//! Tokenisation: how text becomes the numbers a model reads.
//!
//! Views, one file each: the first cuts (characters and words, here), every tokeniser
//! side by side, the pipeline stage by stage, BPE replayed merge by merge, Unigram's
//! alternative segmentations, and curiosities. The tokenisers trained on the corpus are
//! shared by all views ([`training::TokenizerStore`]).
//!
//! The shell builds the pane as a unit value, so the state lives in egui's temporary
//! data under [`STATE_ID`]; tests reach it through [`state`] and [`lock`].

#[path = "tokenisation_curiosities.rs"]
pub mod curiosities;
#[path = "tokenisation_pipeline.rs"]
pub mod pipeline;
#[path = "tokenisation_replay.rs"]
pub mod replay;
#[path = "tokenisation_rows.rs"]
pub mod rows;
#[path = "tokenisation_training.rs"]
pub mod training;
#[path = "tokenisation_unigram.rs"]
pub mod unigram;

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::widgets::token_strip;

/// Where the pane's state lives in egui's temporary data.
pub const STATE_ID: &str = "llm-lens-tokenisation-state";

/// The views the prose can name, in lesson order.
pub const VIEWS: &[&str] = &[
    "first-cuts",
    "side-by-side",
    "pipeline",
    "bpe-replay",
    "unigram",
    "curiosities",
];

#[derive(Default)]
pub struct Tokenisation;

/// Rows computed for one sentence and one set of tokenisers.
struct RowsCache {
    key: (String, usize, usize, bool),
    rows: Vec<rows::Row>,
}

/// Everything the learner changed in this lesson, kept while the app runs.
#[derive(Default)]
pub struct TokenisationState {
    pub store: training::TokenizerStore,
    pub replay: replay::ReplayView,
    pub curiosities: curiosities::CuriositiesView,
    pub show_whitespace: bool,
    /// The byte range of the chip hovered last frame, highlighted everywhere.
    pub link: Option<(usize, usize)>,
    cache: Option<RowsCache>,
}

pub type SharedState = Arc<Mutex<TokenisationState>>;

/// The lesson's state for this egui context, created on first use.
pub fn state(ctx: &egui::Context) -> SharedState {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<SharedState>(egui::Id::unique(STATE_ID))
            .clone()
    })
}

/// Locks the state, ignoring poisoning (a panic elsewhere must not disable the lesson).
pub fn lock(state: &SharedState) -> MutexGuard<'_, TokenisationState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl TokenisationState {
    /// The rows for `sentence`, recomputed only when the sentence or a tokeniser changes.
    pub fn rows(&mut self, sentence: &str) -> &[rows::Row] {
        let key = (
            sentence.to_owned(),
            self.store
                .suite
                .as_ref()
                .map_or(0, |s| Arc::as_ptr(s) as usize),
            self.store
                .bert
                .as_ref()
                .map_or(0, |b| Arc::as_ptr(&b.1) as usize),
            self.store.real().is_some(),
        );
        if self.cache.as_ref().is_none_or(|c| c.key != key) {
            let rows = rows::build_rows(sentence, &self.store);
            self.cache = Some(RowsCache { key, rows });
        }
        self.cache.as_ref().map_or(&[], |c| &c.rows)
    }
}

impl Lesson for Tokenisation {
    fn id(&self) -> LessonId {
        LessonId::Tokenisation
    }

    fn views(&self) -> &'static [&'static str] {
        VIEWS
    }

    fn background(&mut self, ctx: &egui::Context) {
        let shared = state(ctx);
        let mut st = lock(&shared);
        st.store.poll(ctx);
        st.replay.poll(ctx);
    }

    fn view(&mut self, ui: &mut egui::Ui, name: &str, cx: &LessonContext<'_>) {
        let shared = state(ui.ctx());
        let mut st = lock(&shared);
        if name != "first-cuts" {
            st.store.ensure_started(ui.ctx());
        }
        let ws = st.show_whitespace;
        match name {
            "bpe-replay" => {
                whitespace_toggle(ui, &mut st.show_whitespace);
                st.replay.show(ui, cx.sentence, ws);
                return;
            }
            _ if shared_views::empty_sentence_notice(ui, cx.sentence) => return,
            _ => {}
        }
        whitespace_toggle(ui, &mut st.show_whitespace);
        match name {
            "side-by-side" => {
                st.store.controls(ui);
                st.store.bert_controls(ui);
                ui.separator();
                ui.label("Hover a token: its characters light up in your sentence, and every row's tokens covering them are outlined.");
                let link = st.link;
                rows::linked_sentence(ui, cx.sentence, link, ws);
                let hovered = {
                    let rows = st.rows(cx.sentence).to_vec();
                    rows::show_rows(ui, cx.sentence, &rows, ws, link)
                };
                st.link = hovered;
            }
            "pipeline" => pipeline::show(ui, cx.sentence, &st.store, ws),
            "unigram" => unigram::show(ui, cx.sentence, &st.store),
            "curiosities" => {
                let TokenisationState {
                    store, curiosities, ..
                } = &mut *st;
                curiosities.show(ui, cx.sentence, store, ws);
            }
            _ => first_cuts(ui, cx, ws),
        }
    }
}

fn whitespace_toggle(ui: &mut egui::Ui, show: &mut bool) {
    ui.checkbox(show, "Show spaces (·) and line breaks (⏎)")
        .on_hover_text("Spaces are characters too, and most tokenisers keep them: this makes them visible in the chips.");
}

/// Characters and words: the two obvious cuts, before any training.
fn first_cuts(ui: &mut egui::Ui, cx: &LessonContext<'_>, ws: bool) {
    let chars = shared_views::char_chips(cx.sentence);
    let words = shared_views::word_chips(cx.sentence);
    let per_token = |n: usize| cx.sentence.chars().count() as f32 / n.max(1) as f32;
    for (title, chips) in [("Characters", &chars), ("Words and punctuation", &words)] {
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            ui.strong(title);
            ui.label(format!(
                "{} tokens, {:.1} characters per token",
                chips.len(),
                per_token(chips.len())
            ));
        });
        token_strip(ui, &chips[..chips.len().min(rows::MAX_CHIPS)], ws);
    }
}
