//! Tokenisation: how text becomes the numbers a model reads.
//!
//! Views, one file each: the first cuts (characters and words), every tokeniser side by
//! side, the pipeline stage by stage, BPE replayed merge by merge, Unigram's alternative
//! segmentations, and curiosities. The tokenisers trained on the corpus are shared by all
//! views ([`training::TokenizerStore`]).

pub mod curiosities;
pub mod decoding;
pub mod first_cuts;
pub mod open_text;
pub mod pipeline;
pub mod pre_tokenisers;
pub mod replay;
pub mod replay_run;
pub mod rows;
pub mod training;
pub mod unigram;
pub mod unigram_pruning;
pub mod view;
pub mod wordpiece_replay;
pub mod wordpiece_scores;

pub use view::View;

use super::cache_key::ArcKey;
use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::model::tokenize::suite::TokenizerSuite;
use crate::model::tokenize::wordpiece::WordPiece;

/// What the side-by-side rows were computed from.
#[derive(Clone, PartialEq)]
struct RowsKey {
    sentence: String,
    suite: Option<ArcKey<TokenizerSuite>>,
    bert: Option<ArcKey<WordPiece>>,
    real: bool,
}

/// Rows computed for one sentence and one set of tokenisers.
struct RowsCache {
    key: RowsKey,
    rows: Vec<rows::Row>,
}

/// The lesson and everything the learner changed in it, kept while the app runs.
#[derive(Default)]
pub struct Tokenisation {
    pub store: training::TokenizerStore,
    /// "Open a text file…" for the training text.
    pub open_text: open_text::OpenText,
    pub replay: replay::ReplayView,
    pub curiosities: curiosities::CuriositiesView,
    pub wordpiece: wordpiece_scores::WordPieceScoresView,
    pub wordpiece_replay: wordpiece_replay::WordPieceReplayView,
    pub unigram_pruning: unigram_pruning::UnigramPruningView,
    pub show_whitespace: bool,
    /// The byte range of the chip hovered last frame, highlighted everywhere.
    pub link: Option<(usize, usize)>,
    cache: Option<RowsCache>,
}

impl Tokenisation {
    /// The rows for `sentence`, recomputed only when the sentence or a tokeniser changes.
    pub fn rows(&mut self, sentence: &str) -> &[rows::Row] {
        let key = RowsKey {
            sentence: sentence.to_owned(),
            suite: self.store.suite.as_ref().map(ArcKey::of),
            bert: self.store.bert.as_ref().map(|b| ArcKey::of(&b.1)),
            real: self.store.real().is_some(),
        };
        if self.cache.as_ref().is_none_or(|c| c.key != key) {
            let rows = rows::build_rows(sentence, &self.store);
            self.cache = Some(RowsCache { key, rows });
        }
        self.cache.as_ref().map_or(&[], |c| &c.rows)
    }

    fn side_by_side(
        &mut self,
        ui: &mut egui::Ui,
        cx: &LessonContext<'_>,
        ws: bool,
        highlight: &[&str],
    ) {
        self.store.controls(ui, cx.reproducible);
        self.open_text.show(ui, &mut self.store);
        self.store.bert_controls(ui);
        ui.separator();
        if let Some(suite) = &self.store.suite {
            ui.label(
                egui::RichText::new(format!(
                    "Text never seen in {}: Characters, Words, WordPiece and Unigram write it [UNK]; byte-level BPE and the GPT rows write its bytes, so nothing is unknown.",
                    suite.corpus_name
                ))
                .weak(),
            );
        }
        ui.label("Hover a token: its characters light up in your sentence, and every row's tokens covering them are outlined.");
        let link = self.link;
        rows::linked_sentence(ui, cx.sentence, link, ws);
        // Drawn from the cache itself: copying every row each frame is what the
        // cache is there to avoid.
        self.rows(cx.sentence);
        let rows = self.cache.as_ref().map_or(&[][..], |c| &c.rows);
        self.link = rows::show_rows_highlighted(ui, cx.sentence, rows, ws, link, highlight);
    }
}

impl Lesson for Tokenisation {
    const ID: LessonId = LessonId::Tokenisation;
    type View = View;

    fn background(&mut self, ctx: &egui::Context) {
        self.store.poll(ctx);
        self.replay.poll(ctx);
        self.wordpiece.poll(ctx);
    }

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        self.store.ensure_started(ui.ctx());
        // The replay trains on the corpus or a text of the learner's own: it needs no sentence.
        if view != View::BpeReplay && shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        whitespace_toggle(ui, &mut self.show_whitespace);
        let ws = self.show_whitespace;
        match view {
            View::FirstCuts => first_cuts::show(ui, cx.sentence, &self.store, ws),
            View::MissingWord => first_cuts::show_missing(ui, cx.sentence, &self.store, ws),
            View::SideBySide => self.side_by_side(ui, cx, ws, &[]),
            View::WordPieceScores => {
                self.wordpiece.ensure(&self.store.source);
                self.wordpiece.poll(ui.ctx());
                let corpus = self
                    .store
                    .suite
                    .as_ref()
                    .map_or("the training text".to_owned(), |s| s.corpus_name.clone());
                self.wordpiece.show(ui, &corpus);
                ui.separator();
                self.side_by_side(ui, cx, ws, &["WordPiece (yours)", "BPE (yours)"]);
            }
            View::WordPieceReplay => self.wordpiece_replay.show(ui, cx.sentence, ws),
            View::Pipeline => pipeline::show(ui, cx.sentence, &self.store, ws),
            View::PreTokenisers => pre_tokenisers::show(ui, cx.sentence, ws),
            View::Decoding => decoding::show(ui, cx.sentence, &self.store),
            View::BpeReplay => self.replay.show(ui, cx.sentence, ws, cx.reproducible),
            View::Unigram => unigram::show(ui, cx.sentence, &self.store),
            View::UnigramPruning => self.unigram_pruning.show(ui, cx.sentence),
            View::Curiosities => self.curiosities.show(ui, cx.sentence, &self.store, ws),
        }
    }
}

fn whitespace_toggle(ui: &mut egui::Ui, show: &mut bool) {
    ui.checkbox(show, "Show spaces (·) and line breaks (⏎)")
        .on_hover_text("Spaces are characters too, and most tokenisers keep them: this makes them visible in the chips.");
}
