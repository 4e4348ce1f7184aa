//! The page's test hooks: after each frame the app's state is kept as JSON, and
//! `llm_lens_state()` hands it to JavaScript, so the browser test (`web/test.mjs`) can
//! check what the canvas shows without reading pixels; `llm_lens_gpu_parity(text)`
//! runs the built-in model on the app's engine (WebGPU when in use) and on the CPU and
//! says how far apart the two traces are.

use crate::app::LensApp;
use crate::compute::Engine;
use crate::lessons::playground::Playground;
use crate::lessons::word2vec::Word2vec;
use crate::model::bert::comparison::max_difference;
use crate::model::bert::{ForwardOptions, TraceDetail, builtin_model, forward};
use crate::panic_guard::Guarded;
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::prelude::wasm_bindgen;
use web_time::Instant;

thread_local! {
    static STATE: RefCell<String> = const { RefCell::new(String::new()) };
    /// The app's engine after the last frame.
    static ENGINE: RefCell<Option<Arc<Engine>>> = const { RefCell::new(None) };
}

/// The app, with its state recorded after every frame.
pub(super) struct Probed(pub(super) Guarded<LensApp>);

impl eframe::App for Probed {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.0.ui(ui, frame);
        let json = state_json(&mut self.0.inner, ui.ctx().cumulative_pass_nr());
        STATE.with(|s| *s.borrow_mut() = json);
        ENGINE.with(|e| *e.borrow_mut() = Some(self.0.inner.engine()));
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.0.raw_input_hook(ctx, raw_input);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.0.save(storage);
    }

    /// eframe saves to the browser's local storage on this interval only (its
    /// save-on-close listener never fires in eframe 0.37), so a closed tab loses at most
    /// this much; the settings are a few hundred bytes.
    fn auto_save_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(2)
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
    let panel_ran = app
        .model_panel()
        .runner
        .last
        .as_ref()
        .map(|r| r.ran.label());
    let playground = app
        .lesson_ref::<Playground>()
        .and_then(|p| p.runner.last.as_ref());
    let playground_tokens = playground.map(|r| r.trace.tokens.clone());
    let playground_ran = playground.map(|r| r.ran.label());
    serde_json::json!({
        "frames": frames,
        "lesson": app.lesson().id(),
        "step": app.step() + 1,
        "sentence": app.settings.sentence,
        "backend": app.compute_status().label(),
        "panel_tokens": panel_tokens,
        "playground_tokens": playground_tokens,
        "playground_ran": playground_ran,
        "panel_ran": panel_ran,
        "word2vec_words": app.lesson_ref::<Word2vec>().map(|w| w.training.words_trained()),
    })
    .to_string()
}

/// The app's state after the last frame, as JSON (empty before the first frame).
#[wasm_bindgen]
pub fn llm_lens_state() -> String {
    STATE.with(|s| s.borrow().clone())
}

/// Runs `text` through the built-in model on the app's engine and on the CPU: JSON with
/// where the first ran (`ran`), the adapter, the token count and the largest difference
/// over every tensor of the full trace (`max_diff`, and where), or `error`.
#[wasm_bindgen]
pub async fn llm_lens_gpu_parity(text: String) -> String {
    let Some(engine) = ENGINE.with(|e| e.borrow().clone()) else {
        return error_json("the app has not drawn its first frame yet");
    };
    let model = match builtin_model::load() {
        Ok(m) => Arc::new(m),
        Err(e) => return error_json(&e.to_string()),
    };
    let input = model.encode(&text, None);
    let opts = ForwardOptions {
        detail: TraceDetail::Full,
        ..ForwardOptions::default()
    };
    // Twice on the engine: the first pass uploads this model; the second is timed.
    let mut engine_ms = 0.0;
    let mut on_engine = None;
    for _ in 0..2 {
        let t = Instant::now();
        match engine.forward_async(&model, &input, &opts).await {
            Ok(c) => on_engine = Some(c),
            Err(e) => return error_json(&e.to_string()),
        }
        engine_ms = t.elapsed().as_secs_f64() * 1e3;
    }
    let Some(on_engine) = on_engine else {
        return error_json("no pass ran");
    };
    let t = Instant::now();
    let cpu = match forward(&model.weights, &input, &opts) {
        Ok(t) => t,
        Err(e) => return error_json(&e.to_string()),
    };
    let cpu_ms = t.elapsed().as_secs_f64() * 1e3;
    let (max_diff, at) = match max_difference(&on_engine.trace, &cpu) {
        Ok(d) => d,
        Err(e) => return error_json(&e),
    };
    serde_json::json!({
        "ran": on_engine.ran.label(),
        "note": on_engine.note,
        "adapter": engine.gpu_context().map(|c| c.describe()),
        "tokens": input.ids.len(),
        "max_diff": max_diff,
        "at": at,
        "engine_ms": engine_ms,
        "cpu_ms": cpu_ms,
    })
    .to_string()
}

fn error_json(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}
