//! Lesson prose rendered from Markdown (headings, emphasis, lists, code). Maths is written
//! as plain text with Unicode (`softmax(QKᵀ/√d)`), so no maths renderer is needed.

use egui_commonmark::{CommonMarkCache, CommonMarkViewer};

/// Keeps the parsed-Markdown cache between frames.
#[derive(Default)]
pub struct Markdown {
    cache: CommonMarkCache,
}

impl Markdown {
    pub fn show(&mut self, ui: &mut egui::Ui, text: &str) {
        CommonMarkViewer::new().show(ui, &mut self.cache, text);
    }
}
