//! BERT: an encoder-only Transformer and how it is trained.

use super::{Lesson, LessonContext, LessonId, shared_views};
use crate::model::text::split_words;
use crate::widgets::{TokenChip, token_strip};

#[derive(Default)]
pub struct Bert;

impl Lesson for Bert {
    fn id(&self) -> LessonId {
        LessonId::Bert
    }

    fn views(&self) -> &'static [&'static str] {
        &["special-tokens"]
    }

    fn view(&mut self, ui: &mut egui::Ui, _name: &str, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        let words = split_words(cx.sentence);
        let mut chips = vec![
            TokenChip::new("[CLS]", None).with_detail("position 0, segment 0: the summary token"),
        ];
        chips.extend(words.iter().enumerate().map(|(i, w)| {
            TokenChip::new(w.text.to_lowercase(), None)
                .with_detail(format!("position {}, segment 0", i + 1))
        }));
        chips.push(TokenChip::new("[SEP]", None).with_detail(format!(
            "position {}, segment 0: end of the sentence",
            words.len() + 1
        )));
        ui.strong("What BERT is given (before sub-word splitting)");
        token_strip(ui, &chips, false);
        ui.label(format!(
            "{} words + [CLS] + [SEP] = {} positions.",
            words.len(),
            chips.len()
        ));
    }
}
