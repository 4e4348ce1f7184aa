//! The browser's entry point: the same app as the desktop, started by eframe's
//! `WebRunner` on the page's canvas. Everything browser-specific at start-up lives here:
//! the address's query (`?lesson=bert&step=2&sentence=…`), the compute backend, and the
//! test hook ([`probe`]).

mod probe;

pub use probe::{llm_lens_gpu_parity, llm_lens_state};

use crate::app::LensApp;
use crate::compute::{BackendChoice, Compute};
use crate::lessons::LessonId;
use crate::panic_guard::Guarded;
use crate::prose::ProseLibrary;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::wasm_bindgen;

/// The id of the `<canvas>` in `web/index.html`.
const CANVAS_ID: &str = "llm_lens_canvas";

/// What the page's address asks for.
#[derive(Default)]
struct Query {
    lesson: Option<LessonId>,
    step: Option<usize>,
    sentence: Option<String>,
    /// `?backend=auto|cpu|gpu`, as `--backend` on the desktop (`gpu` allows a
    /// software adapter, such as the headless test's SwiftShader).
    backend: BackendChoice,
}

impl Query {
    /// Reads `?lesson=ID&step=N&sentence=TEXT&backend=B`; anything unreadable is ignored.
    fn from_location() -> Self {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return Self::default();
        };
        Self {
            lesson: params.get("lesson").and_then(|id| LessonId::from_id(&id)),
            step: params.get("step").and_then(|s| s.parse().ok()),
            sentence: params.get("sentence"),
            backend: match params.get("backend").as_deref() {
                Some("cpu") => BackendChoice::Cpu,
                Some("gpu") => BackendChoice::Gpu,
                _ => BackendChoice::Auto,
            },
        }
    }
}

/// Starts the app on the page's canvas once the wasm module has loaded.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(canvas) = document
        .get_element_by_id(CANVAS_ID)
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        web_sys::console::error_1(&format!("LLM Lens: no <canvas id=\"{CANVAS_ID}\">").into());
        return;
    };
    let query = Query::from_location();
    wasm_bindgen_futures::spawn_local(async move {
        let started = eframe::WebRunner::new()
            .start(
                canvas,
                eframe::WebOptions::default(),
                Box::new(move |cc| {
                    // WebGPU compute when the browser has it, found without blocking
                    // the page; the CPU (and why) when it has not.
                    let compute = Compute::start(query.backend, Some(cc.egui_ctx.clone()));
                    let prose = ProseLibrary::builtin();
                    let mut app = LensApp::from_storage(cc.storage, prose, compute);
                    if let Some(lesson) = query.lesson {
                        app.set_lesson(lesson);
                    }
                    if let Some(step) = query.step {
                        app.set_step(step.saturating_sub(1));
                    }
                    if let Some(sentence) = &query.sentence {
                        app.set_sentence(sentence);
                    }
                    Ok(Box::new(probe::Probed(Guarded::new(app, None))))
                }),
            )
            .await;
        let loading = document.get_element_by_id("llm_lens_loading");
        match (started, loading) {
            (Ok(()), Some(el)) => el.remove(),
            (Err(e), Some(el)) => {
                el.set_text_content(Some(&format!("LLM Lens could not start: {e:?}")));
            }
            _ => {}
        }
    });
}
