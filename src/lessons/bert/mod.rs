//! BERT: an encoder-only Transformer and how it is trained.

pub mod special_tokens;
pub mod view;

pub use view::View;

use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson; it keeps no state yet.
#[derive(Default)]
pub struct Bert;

impl Lesson for Bert {
    const ID: LessonId = LessonId::Bert;
    type View = View;

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        match view {
            View::SpecialTokens => special_tokens::show(ui, cx.sentence),
        }
    }
}
