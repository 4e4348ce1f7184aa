//! Self-attention with the numbers shown.

pub mod pairs;
pub mod view;

pub use view::View;

use super::{Lesson, LessonContext, LessonId, shared_views};

/// The lesson; it keeps no state yet.
#[derive(Default)]
pub struct Attention;

impl Lesson for Attention {
    const ID: LessonId = LessonId::Attention;
    type View = View;

    fn show(&mut self, ui: &mut egui::Ui, view: View, cx: &LessonContext<'_>) {
        if shared_views::empty_sentence_notice(ui, cx.sentence) {
            return;
        }
        match view {
            View::Pairs => pairs::show(ui, cx.sentence),
        }
    }
}
