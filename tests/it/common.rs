//! The one place that builds apps and harnesses for the integration tests.
#![allow(dead_code)]

use egui_kittest::Harness;
use llm_lens::app::{LensApp, Settings};
use llm_lens::compute::{BackendStatus, Compute};
use llm_lens::prose::ProseLibrary;

/// The status every UI test shows, so snapshots do not depend on the machine's GPU.
pub fn test_backend() -> Compute {
    Compute::fixed(BackendStatus::Cpu {
        reason: "test run".to_owned(),
    })
}

/// The pane of lesson `L` in the harness's app, with its state.
pub fn lesson<'h, L: llm_lens::lessons::Lesson>(h: &'h mut Harness<'static, LensApp>) -> &'h mut L {
    h.state_mut()
        .lesson_mut::<L>()
        .expect("every lesson is registered")
}

/// As [`lesson`], read-only.
pub fn lesson_ref<'h, L: llm_lens::lessons::Lesson>(h: &'h Harness<'static, LensApp>) -> &'h L {
    h.state()
        .lesson_ref::<L>()
        .expect("every lesson is registered")
}

/// The first step (0-based) of lesson `L` that shows `view`, so tests select steps by
/// what they show, not by position.
pub fn step_of<L: llm_lens::lessons::Lesson>(view: L::View) -> usize {
    app(Settings::default())
        .step_of_view::<L>(view)
        .expect("the built-in prose shows every view")
}

/// Settings that open lesson `L` at the step that shows `view`, with `sentence`.
pub fn settings_at_view<L: llm_lens::lessons::Lesson>(view: L::View, sentence: &str) -> Settings {
    settings_at(L::ID, step_of::<L>(view), sentence)
}

/// Settings that open `lesson` at `step` (0-based) with `sentence`.
pub fn settings_at(lesson: llm_lens::lessons::LessonId, step: usize, sentence: &str) -> Settings {
    let mut settings = Settings {
        lesson,
        sentence: sentence.to_owned(),
        ..Settings::default()
    };
    settings.steps.insert(lesson.id().to_owned(), step);
    settings
}

///
/// word2vec's steps 5–6 do not start their minute-long run on the built-in corpus on
/// arrival here (tests of that turn it back on with a small corpus).
pub fn app(settings: Settings) -> LensApp {
    let mut app = LensApp::new(settings, ProseLibrary::builtin(), test_backend());
    if let Some(w) = app.lesson_mut::<llm_lens::lessons::word2vec::Word2vec>() {
        w.arrival.enabled = false;
    }
    app
}

/// A harness drawing the whole app at 1280×800.
pub fn harness(app: LensApp) -> Harness<'static, LensApp> {
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut LensApp| app.ui(ui), app);
    h.run_steps(2);
    h
}

/// CI sets LLM_LENS_REQUIRE_GPU=1 so that tests needing an adapter fail instead of skipping.
pub fn require_gpu() -> bool {
    std::env::var("LLM_LENS_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// Skips (returns false) when no adapter is found, unless CI requires one.
pub fn have_adapter_or_skip<E: std::fmt::Display>(
    test: &str,
    result: &Result<impl Sized, E>,
) -> bool {
    match result {
        Ok(_) => true,
        Err(e) if require_gpu() => {
            panic!("{test}: no GPU adapter, and LLM_LENS_REQUIRE_GPU=1: {e}")
        }
        Err(e) => {
            eprintln!("skipping {test}: {e} (set LLM_LENS_REQUIRE_GPU=1 to fail instead)");
            false
        }
    }
}

/// True when an offscreen renderer can be made; otherwise skips (or fails under CI).
pub fn renderer_or_skip(test: &str) -> bool {
    have_adapter_or_skip(test, &llm_lens::screenshot::offscreen_renderer())
}

/// Renders the whole app with `settings` at 1280×800, timings left out
/// ([`LensApp::set_reproducible`]), and compares it with `tests/snapshots/NAME.png`.
pub fn snapshot_app(settings: Settings, name: &str) -> Result<(), String> {
    let image = llm_lens::screenshot::render_with(
        settings,
        ProseLibrary::builtin(),
        test_backend(),
        [1280, 800],
        // Only waits while work is pending; generous for a loaded 2-core machine.
        std::time::Duration::from_secs(180),
        |app| app.set_reproducible(true),
    )?;
    compare(&image, name)
}

/// Compares `image` with `tests/snapshots/NAME.png`, with the one threshold every
/// snapshot of the suite uses.
fn compare(image: &image::RgbaImage, name: &str) -> Result<(), String> {
    let options = egui_kittest::SnapshotOptions::new()
        .threshold(0.6)
        .max_failed_pixels(40);
    egui_kittest::try_image_snapshot_options(image, name, &options).map_err(|e| e.to_string())
}

/// Steps frames (with a short sleep, so worker threads get the CPU) while `busy` says
/// background work is still running; fails with `what` after `limit`.
pub fn step_while(
    h: &mut Harness<'static, LensApp>,
    limit: std::time::Duration,
    what: &str,
    busy: impl Fn(&Harness<'static, LensApp>) -> bool,
) {
    let start = std::time::Instant::now();
    while busy(h) {
        assert!(
            start.elapsed() < limit,
            "{what} did not finish within {limit:?}"
        );
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Width of a single view's snapshot: about what the view gets beside the prose in a
/// 1280-pixel window.
pub const VIEW_WIDTH: u32 = 600;

/// Renders only the step of lesson `L` that shows `view` (on `sentence`, after `setup`,
/// waiting up to `wait` for background work) at content size, and compares it with
/// `tests/snapshots/<lesson>/<view>.png`.
pub fn snapshot_view<L: llm_lens::lessons::Lesson>(
    view: L::View,
    sentence: &str,
    wait: std::time::Duration,
    setup: impl FnOnce(&mut LensApp),
) -> Result<(), String> {
    use llm_lens::lessons::ViewSet;
    let image = llm_lens::screenshot::render_view(
        settings_at_view::<L>(view, sentence),
        ProseLibrary::builtin(),
        test_backend(),
        VIEW_WIDTH,
        wait,
        |app| {
            app.set_reproducible(true);
            setup(app)
        },
    )?;
    compare(&image, &format!("{}/{}", L::ID.id(), view.name()))
}

/// The sentence box at the top of the window (a wrapping, multi-line text box: the
/// first of its kind in the window).
pub fn sentence_box<'h>(h: &'h Harness<'static, LensApp>) -> egui_kittest::Node<'h> {
    use egui_kittest::kittest::Queryable;
    h.get_all_by_role(egui::accesskit::Role::MultilineTextInput)
        .next()
        .expect("the sentence box")
}
