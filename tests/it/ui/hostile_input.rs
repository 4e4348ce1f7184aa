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

/// Loads `path` through the word2vec lesson's "Load vectors from a file" row (typed) and
/// returns the error it shows.
fn load_error_in_the_pane(path: &std::path::Path) -> String {
    use egui_kittest::kittest::Queryable;
    use llm_lens::lessons::word2vec::{View, Word2vec};
    let settings = common::settings_at_view::<Word2vec>(View::Explore, "the king");
    let mut h = common::harness(common::app(settings));
    let explore = &mut common::lesson::<Word2vec>(&mut h).explore;
    // The typed path, the dialog's fallback.
    explore.typing_path = true;
    explore.load_path = path.display().to_string();
    h.run_steps(2);
    h.get_by_label("Load").click();
    h.run_steps(1);
    common::step_while(&mut h, std::time::Duration::from_secs(30), "loading", |h| {
        common::lesson_ref::<Word2vec>(h).explore.loading()
    });
    h.run_steps(3);
    let error = common::lesson_ref::<Word2vec>(&h)
        .explore
        .load_error
        .clone();
    let error = error.unwrap_or_else(|| panic!("{} was not refused", path.display()));
    h.get_by_label_contains("Could not load");
    error
}

#[test]
fn a_one_line_vectors_file_or_a_device_gives_a_short_error_in_the_pane() {
    // Before: the 20 MB word was quoted whole (over 4 GB to lay out: the app aborted),
    // and /dev/zero was read until memory ran out.
    let dir = std::env::temp_dir().join(format!("llm-lens-hostile-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("one-word.txt");
    std::fs::write(&file, "x".repeat(20 << 20)).unwrap();
    for path in [file.as_path(), std::path::Path::new("/dev/zero")] {
        let error = load_error_in_the_pane(path);
        assert!(error.len() <= 300, "{} bytes", error.len());
    }
    let mut two_mb_word = "x".repeat(2 << 20);
    two_mb_word.push_str(" 1 oops\n");
    std::fs::write(&file, two_mb_word).unwrap();
    let error = load_error_in_the_pane(&file);
    assert!(error.len() <= 300 && error.contains('…'), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}
