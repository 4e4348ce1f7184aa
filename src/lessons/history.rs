//! History & RNNs: from rule-based translation to the Transformer.
//!
//! Seven steps, one view each, every view in its own file: the timeline and family tree,
//! word alignment in statistical translation, the recurrent neuron, the vanishing/exploding
//! gradient lab, the LSTM, the recall experiment and why the Transformer dropped recurrence.
//!
//! The pane keeps its state (sliders, trained curves, worker threads) in egui's temporary
//! data under [`STATE_ID`], not in [`History`] itself, because the shell builds the pane as a
//! unit value. Tests reach it through [`state`].

#[path = "history_alignment.rs"]
pub mod alignment;
#[path = "history_gradients.rs"]
pub mod gradients;
#[path = "history_lstm.rs"]
pub mod lstm;
#[path = "history_neuron.rs"]
pub mod neuron;
#[path = "history_recall.rs"]
pub mod recall;
#[path = "history_timeline.rs"]
pub mod timeline;
#[path = "history_why.rs"]
pub mod why;
#[path = "history_worker.rs"]
pub mod worker;

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Lesson, LessonContext, LessonId, shared_views};

/// Where the pane's state lives in egui's temporary data.
pub const STATE_ID: &str = "llm-lens-history-state";

/// The views the prose can name, in lesson order.
pub const VIEWS: &[&str] = &[
    "timeline",
    "alignment",
    "neuron",
    "gradients",
    "lstm",
    "recall",
    "why-transformers",
    "sequence",
    "sequential-vs-parallel",
];

#[derive(Default)]
pub struct History;

/// Everything the learner changed in this lesson, kept while the app runs.
#[derive(Default)]
pub struct HistoryState {
    pub timeline: timeline::TimelineView,
    pub alignment: alignment::AlignmentView,
    pub neuron: neuron::NeuronView,
    pub gradients: gradients::GradientLab,
    pub lstm: lstm::LstmLab,
    pub recall: recall::RecallLab,
}

/// Shared handle stored in egui's temporary data (which needs `Clone + Send + Sync`).
pub type SharedState = Arc<Mutex<HistoryState>>;

/// The lesson's state for this egui context, created on first use.
pub fn state(ctx: &egui::Context) -> SharedState {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<SharedState>(egui::Id::unique(STATE_ID))
            .clone()
    })
}

/// Locks the state; a panic elsewhere must not make the lesson unusable, so poisoning is
/// ignored.
pub fn lock(state: &SharedState) -> MutexGuard<'_, HistoryState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// Asks the shell to open another lesson (see [`crate::app::GOTO_LESSON_ID`]).
pub fn go_to_lesson(ctx: &egui::Context, lesson: LessonId) {
    crate::app::LensApp::request_lesson(ctx, lesson);
}

impl Lesson for History {
    fn id(&self) -> LessonId {
        LessonId::History
    }

    fn views(&self) -> &'static [&'static str] {
        VIEWS
    }

    fn view(&mut self, ui: &mut egui::Ui, name: &str, cx: &LessonContext<'_>) {
        let shared = state(ui.ctx());
        let mut st = lock(&shared);
        match name {
            "timeline" => st.timeline.show(ui),
            "alignment" => st.alignment.show(ui),
            "gradients" => st.gradients.show(ui),
            "recall" => st.recall.show(ui),
            // The rest read the learner's sentence.
            _ if shared_views::empty_sentence_notice(ui, cx.sentence) => {}
            "neuron" => st.neuron.show(ui, cx.sentence),
            "lstm" => st.lstm.show(ui, cx.sentence),
            "sequence" => why::sequence(ui, cx.sentence),
            "sequential-vs-parallel" => why::sequential_vs_parallel(ui, cx.sentence),
            _ => why::show(ui, cx.sentence),
        }
    }
}
