//! One snapshot per lesson's first step (light theme, 1280×800), rendered offscreen.
//! Made on lavapipe (CI's software Vulkan); `UPDATE_SNAPSHOTS=1 cargo test` rewrites them.

mod common;

use llm_lens::app::Settings;
use llm_lens::lessons::LessonId;
use llm_lens::prose::ProseLibrary;

#[test]
fn first_step_of_every_lesson() {
    let probe = llm_lens::screenshot::offscreen_renderer();
    if !common::have_adapter_or_skip("first_step_of_every_lesson", &probe) {
        return;
    }
    drop(probe);
    let options = egui_kittest::SnapshotOptions::new()
        .threshold(0.6)
        .max_failed_pixels(40);
    let mut failures = Vec::new();
    for lesson in LessonId::ALL {
        let settings = Settings {
            lesson,
            ..Settings::default()
        };
        let image = llm_lens::screenshot::render(
            settings,
            ProseLibrary::builtin(),
            common::test_backend(),
            [1280, 800],
        )
        .expect("render");
        if let Err(e) = egui_kittest::try_image_snapshot_options(
            &image,
            format!("first_step_{}", lesson.id()),
            &options,
        ) {
            failures.push(e.to_string());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
