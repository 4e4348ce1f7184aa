//! BERT: an encoder-only Transformer, its input, its two pre-training tasks and its
//! sizes, each step run live by the built-in model on the learner's sentence.

pub mod encoder_only;
pub mod fine_tuning;
pub mod input;
pub mod masking;
pub mod nsp;
pub mod pretrain_finetune;
pub mod pretraining;
pub mod run_controls;
pub mod shipped_log;
pub mod sizes;
pub mod view;

pub use view::View;

use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson: the model it runs and each step's own state.
#[derive(Default)]
pub struct Bert {
    pub model: crate::lessons::model_slot::ModelSlot,
    pub encoder_only: encoder_only::State,
    pub input: input::State,
    pub masking: masking::State,
    pub nsp: nsp::State,
    pub pretraining: pretraining::State,
    pub fine_tuning: fine_tuning::State,
    pub sizes: sizes::State,
}

/// Shown while a step's model run is on its worker.
pub fn computing(ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label("Running the model…");
    });
}

/// Text shown in a label, cut to about 40 characters so a long input cannot grow it.
pub fn quote(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("\"{}…\"", &text[..at]),
        None => format!("\"{text}\""),
    }
}

/// `110106428` → "110,106,428".
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Lesson for Bert {
    const ID: LessonId = LessonId::Bert;
    type View = View;

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        match view {
            View::PretrainFinetune => return pretrain_finetune::show(ui),
            View::Sizes => {
                self.model.start();
                self.model.poll();
                let ours = self.model.loaded().map(|m| m.model.config.clone());
                return sizes::show(ui, &mut self.sizes, ours.as_ref());
            }
            _ => {}
        }
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        let Some(bert) = self.model.get(ui) else {
            return;
        };
        match view {
            View::EncoderOnly => encoder_only::show(ui, &mut self.encoder_only, &bert, cx.sentence),
            View::Input => input::show(ui, &mut self.input, &bert, cx.sentence),
            View::Masking => masking::show(ui, &mut self.masking, &bert, cx.sentence),
            View::Nsp => nsp::show(ui, &mut self.nsp, &bert, cx.sentence),
            View::Pretraining => pretraining::show(ui, &mut self.pretraining, &bert),
            View::FineTuning => fine_tuning::show(ui, &mut self.fine_tuning, &bert, cx.sentence),
            View::PretrainFinetune | View::Sizes => {}
        }
    }

    fn background(&mut self, _ctx: &egui::Context) {
        self.model.poll();
        let bert = self.model.loaded().cloned();
        self.pretraining.poll(bert.as_deref());
        self.fine_tuning.poll();
    }
}
