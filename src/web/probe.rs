//! The page's test hook: after each frame the app's state is kept as JSON, and
//! `llm_lens_state()` hands it to JavaScript, so the browser test (`web/test.mjs`) can
//! check what the canvas shows without reading pixels.

use crate::app::LensApp;
use crate::lessons::playground::Playground;
use crate::lessons::word2vec::Word2vec;
use crate::panic_guard::Guarded;
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static STATE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The app, with its state recorded after every frame.
pub(super) struct Probed(pub(super) Guarded<LensApp>);

impl eframe::App for Probed {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.0.ui(ui, frame);
        let json = state_json(&mut self.0.inner, ui.ctx().cumulative_pass_nr());
        STATE.with(|s| *s.borrow_mut() = json);
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.0.raw_input_hook(ctx, raw_input);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.0.save(storage);
    }
}

/// The lesson, step, sentence, backend and the tokens of the newest traces.
fn state_json(app: &mut LensApp, frames: u64) -> String {
    let panel_tokens = app
        .model_panel()
        .runner
        .last
        .as_ref()
        .map(|r| r.trace.tokens.clone());
    let playground_tokens = app
        .lesson_ref::<Playground>()
        .and_then(|p| p.runner.last.as_ref())
        .map(|r| r.trace.tokens.clone());
    serde_json::json!({
        "frames": frames,
        "lesson": app.lesson().id(),
        "step": app.step() + 1,
        "sentence": app.settings.sentence,
        "backend": app.compute_status().label(),
        "panel_tokens": panel_tokens,
        "playground_tokens": playground_tokens,
        "word2vec_words": app.lesson_ref::<Word2vec>().map(|w| w.training.words_trained()),
    })
    .to_string()
}

/// The app's state after the last frame, as JSON (empty before the first frame).
#[wasm_bindgen]
pub fn llm_lens_state() -> String {
    STATE.with(|s| s.borrow().clone())
}
