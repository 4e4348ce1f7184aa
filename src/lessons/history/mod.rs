//! History & RNNs: from rule-based translation to the Transformer.
//!
//! Eight steps, one view each, every view in its own file: the timeline and family tree,
//! word alignment in statistical translation, the recurrent neuron, the vanishing/exploding
//! gradient lab, the LSTM, the recall experiment, why the Transformer dropped recurrence,
//! and how large the models that followed grew.

pub mod alignment;
pub mod encoder_decoder;
pub mod gradients;
pub mod lstm;
pub mod neuron;
pub mod recall;
pub mod sizes;
pub mod timeline;
pub mod view;
pub mod why;

pub use view::View;

use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson and everything the learner changed in it, kept while the app runs.
#[derive(Default)]
pub struct History {
    pub timeline: timeline::TimelineView,
    pub alignment: alignment::AlignmentView,
    pub neuron: neuron::NeuronView,
    pub gradients: gradients::GradientLab,
    pub lstm: lstm::LstmLab,
    pub recall: recall::RecallLab,
    pub sizes_chart: crate::widgets::chart::ChartView,
}

impl Lesson for History {
    const ID: LessonId = LessonId::History;
    type View = View;

    fn background(&mut self, ctx: &egui::Context) {
        self.recall.background(ctx);
    }

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        let reads_sentence = matches!(
            view,
            View::Neuron
                | View::Lstm
                | View::Sequence
                | View::SequentialVsParallel
                | View::WhyTransformers
        );
        if reads_sentence && shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        match view {
            View::Timeline => {
                self.timeline.show(ui, cx);
                if let Ok(pairs) = &self.alignment.pairs
                    && let Some(pair) = pairs.first()
                {
                    ui.add_space(8.0);
                    egui::ScrollArea::horizontal()
                        .id_salt("encoder-decoder")
                        .show(ui, |ui| encoder_decoder::show(ui, pair));
                    ui.label(encoder_decoder::summary(pair));
                }
            }
            View::Alignment => self.alignment.show(ui),
            View::Gradients => self.gradients.show(ui),
            View::Recall => self.recall.show(ui),
            View::Neuron => self.neuron.show(ui, cx.sentence),
            View::Lstm => self.lstm.show(ui, cx.sentence),
            View::Sequence => why::sequence(ui, cx.sentence),
            View::SequentialVsParallel => why::sequential_vs_parallel(ui, cx.sentence),
            View::WhyTransformers => why::show(ui, cx),
            View::ModelSizes => sizes::show(ui, &self.timeline, &mut self.sizes_chart),
        }
    }
}
