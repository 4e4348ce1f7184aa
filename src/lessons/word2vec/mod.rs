//! Word embeddings: word2vec trained from scratch.
//!
//! Six steps, one view each, every view in its own file: one-hot vectors,
//! the training pairs a sliding window makes, one training step of a tiny network with
//! its real numbers, why negative sampling exists, live training on the shipped corpus,
//! and exploring the trained vectors.

pub mod arrival;
pub mod cost;
pub mod explore;
pub mod map;
pub mod network;
pub mod one_hot;
pub mod pairs;
pub mod run;
pub mod toy_run;
pub mod training;
pub mod view;

pub use view::View;

use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson and everything the learner changed in it, kept while the app runs.
#[derive(Default)]
pub struct Word2vec {
    pub pairs: pairs::PairsView,
    pub network: network::NetworkView,
    pub toy_run: toy_run::ToyRunView,
    pub cost: cost::CostView,
    pub training: training::TrainingView,
    pub explore: explore::ExploreView,
    /// Steps 5 and 6 train on arrival rather than open blank.
    pub arrival: arrival::Arrival,
}

impl Lesson for Word2vec {
    const ID: LessonId = LessonId::Word2vec;
    type View = View;

    fn background(&mut self, ctx: &egui::Context) {
        self.training.poll(ctx);
        self.arrival.background(ctx, &mut self.training);
    }

    fn companion_vectors(&self) -> Option<super::Companion> {
        if let Some((name, e)) = &self.explore.loaded {
            return Some((format!("the vectors of {name}"), e.clone()));
        }
        let r = self.training.result.as_ref()?;
        Some(("your word2vec run".to_owned(), r.vectors.clone()))
    }

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        // Training runs whatever step is shown, so its events are drained every frame
        // (otherwise the channel would fill while the learner reads another step).
        self.training.poll(ui.ctx());
        let reads_sentence = matches!(view, View::OneHot | View::TrainingPairs | View::Network);
        if reads_sentence && shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        if matches!(view, View::Training | View::Explore) {
            let loaded = self.explore.loaded.is_some();
            self.arrival.arrive(ui.ctx(), &mut self.training, loaded);
            if let Some(note) = self.arrival.note(&self.training) {
                ui.label(egui::RichText::new(note).weak());
            }
        }
        match view {
            View::OneHot => {
                one_hot::one_hot(ui, cx);
                ui.add_space(8.0);
                one_hot::dense_vectors(ui, cx, &self.training);
            }
            View::TrainingPairs => self.pairs.show(ui, cx),
            View::Network => self.network.show(ui, cx),
            View::ToyRun => self.toy_run.show(ui, cx.sentence),
            View::NegativeSampling => self.cost.show(ui, cx),
            View::Training => self.training.show(ui, cx),
            View::Explore => self.explore.show(ui, cx, &mut self.training),
        }
    }
}

/// The learner's sentence as word2vec sees it: lower-cased words, the same
/// tokenisation the trainer applies to the corpus.
pub fn sentence_words(sentence: &str) -> Vec<String> {
    crate::model::text::corpus::words(sentence)
        .map(|w| w.into_owned())
        .collect()
}
