//! The window fed what a hostile user would type: empty and blank sentences on every
//! lesson's first step, with the harness's accessibility check on (every input box has
//! a name), and no panic.

use crate::common;

use llm_lens::lessons::LessonId;

#[test]
fn every_lesson_draws_an_empty_or_blank_sentence_with_named_boxes() {
    // Before: the playground's second-sentence box had no name, and the offscreen
    // `screenshot --sentence ""` tripped on the check this harness runs.
    for sentence in ["", "   "] {
        for lesson in LessonId::ALL {
            let mut h = common::harness(common::app(common::settings_at(lesson, 0, sentence)));
            h.run_steps(3);
        }
    }
}
