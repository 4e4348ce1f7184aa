//! One snapshot per lesson's first step (light theme, 1280×800), rendered offscreen.
//! Made on lavapipe (CI's software Vulkan); `UPDATE_SNAPSHOTS=1 cargo test` rewrites them.

use crate::common;

use llm_lens::app::Settings;
use llm_lens::lessons::LessonId;

#[test]
fn first_step_of_every_lesson() {
    if !common::renderer_or_skip("first_step_of_every_lesson") {
        return;
    }
    let failures: Vec<String> = LessonId::ALL
        .into_iter()
        .filter_map(|lesson| {
            let settings = Settings {
                lesson,
                ..Settings::default()
            };
            common::snapshot_app(settings, &format!("first_step_{}", lesson.id())).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
