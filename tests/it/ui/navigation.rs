//! Driving the shell as a learner would: keyboard navigation, the shared sentence,
//! presentation mode and persistence.

use crate::common;

use egui::Key;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{Command, DEFAULT_SENTENCE, LensApp, MAX_SENTENCE_CHARS, Settings};
use llm_lens::lessons::LessonId;
use llm_lens::prose::ProseLibrary;
use std::collections::HashMap;

#[test]
fn keyboard_walks_every_lesson_and_every_step() {
    let mut h = common::harness(common::app(Settings::default()));
    let prose = ProseLibrary::builtin();
    for (i, lesson) in LessonId::ALL.into_iter().enumerate() {
        assert_eq!(h.state().lesson(), lesson, "lesson {i}");
        let steps = prose.steps(lesson);
        for (s, step) in steps.iter().enumerate() {
            assert_eq!(h.state().step(), s);
            // The step's title is on screen as a heading.
            h.get_by_label(step.title.as_str());
            h.key_press(Key::ArrowRight);
            h.run_steps(2);
        }
        assert_eq!(
            h.state().step(),
            steps.len() - 1,
            "→ stops at the last step"
        );
        for _ in 0..steps.len() {
            h.key_press(Key::ArrowLeft);
            h.run_steps(2);
        }
        assert_eq!(h.state().step(), 0, "← goes back to the first step");
        h.key_press(Key::PageDown);
        h.run_steps(2);
    }
    assert_eq!(h.state().lesson(), LessonId::History, "PgDn wraps around");
    h.key_press(Key::PageUp);
    h.run_steps(2);
    assert_eq!(h.state().lesson(), LessonId::Playground);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::ArrowDown);
    h.run_steps(2);
    assert_eq!(
        h.state().lesson(),
        LessonId::History,
        "Ctrl+↓ changes lesson too"
    );
}

#[test]
fn clicking_a_lesson_and_the_next_button() {
    let mut h = common::harness(common::app(Settings::default()));
    h.get_by_label("2. Tokenisation").click();
    h.run_steps(2);
    assert_eq!(h.state().lesson(), LessonId::Tokenisation);
    h.get_by_label("Next ▶").click();
    h.run_steps(2);
    assert_eq!(h.state().step(), 1);
    h.get_by_label("◀ Previous").click();
    h.run_steps(2);
    assert_eq!(h.state().step(), 0);
}

#[test]
fn sentence_typed_in_one_lesson_is_seen_in_another() {
    let mut h = common::harness(common::app(Settings {
        sentence: String::new(),
        lesson: LessonId::Tokenisation,
        ..Settings::default()
    }));
    let edit = common::sentence_box(&h);
    edit.focus();
    edit.type_text("We sat on the riverbank");
    h.run_steps(2);
    // Arrow keys belong to the text box while it has focus: no step change.
    h.key_press(Key::ArrowRight);
    h.run_steps(2);
    assert_eq!(h.state().step(), 0);
    assert_eq!(h.state().settings.sentence, "We sat on the riverbank");
    h.key_press(Key::PageDown);
    h.run_steps(2);
    assert_eq!(h.state().lesson(), LessonId::Word2vec);
    // The word2vec pane builds its one-hot vocabulary from the typed words.
    h.get_by_label_contains("rows: we, sat, on, the, riverbank");
    h.get_by_label_contains("One-hot vectors (5 × 5)");
}

#[test]
fn huge_paste_is_cut_with_a_notice_and_unicode_is_fine() {
    let long: String = "bank ü 東京 👩‍👩‍👧 ".repeat(10_000);
    let mut h = common::harness(common::app(Settings {
        sentence: long,
        ..Settings::default()
    }));
    for _ in 0..LessonId::ALL.len() {
        h.key_press(Key::PageDown);
        h.run_steps(2);
    }
    assert_eq!(
        h.state().settings.sentence.chars().count(),
        MAX_SENTENCE_CHARS
    );
    h.get_by_label_contains("was cut to its first");
    // An empty sentence shows a hint instead of an empty view.
    h.state_mut().settings.sentence.clear();
    h.state_mut().set_lesson(LessonId::Tokenisation);
    h.run_steps(2);
    h.get_by_label_contains("Type a sentence in the box");
}

#[test]
fn presentation_mode_hides_the_lesson_list_and_enlarges() {
    let mut h = common::harness(common::app(Settings::default()));
    assert!(h.query_by_label("2. Tokenisation").is_some());
    let zoom = h.ctx.zoom_factor();
    h.key_press(Key::F11);
    h.run_steps(2);
    assert!(h.state().settings.presentation);
    assert!(
        h.query_by_label("2. Tokenisation").is_none(),
        "side panel hidden"
    );
    assert!(h.ctx.zoom_factor() > zoom * 1.4, "larger type");
    h.get_by_label("Exit presentation").click();
    // A zoom change takes effect at the start of the following frame.
    h.run_steps(3);
    assert!(!h.state().settings.presentation);
    assert!(
        (h.ctx.zoom_factor() - zoom).abs() < 1e-6,
        "zoom {} vs {zoom}, settings {}",
        h.ctx.zoom_factor(),
        h.state().settings.zoom
    );
    assert!(h.query_by_label("2. Tokenisation").is_some());
}

/// An in-memory stand-in for eframe's settings file.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn settings_survive_a_restart() {
    let mut h = common::harness(common::app(Settings::default()));
    h.state_mut().settings.sentence = "Zoom and theme persist".to_owned();
    h.key_press(Key::PageDown);
    h.key_press(Key::PageDown);
    h.run_steps(2);
    h.key_press(Key::ArrowRight);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::T);
    h.run_steps(2);
    h.ctx.set_zoom_factor(1.3);
    h.run_steps(2);
    let mut storage = MemoryStorage::default();
    h.state().save_to(&mut storage);
    let before = h.state().settings.clone();
    assert!(before.dark && (before.zoom - 1.3).abs() < 1e-6);

    let restored = LensApp::from_storage(
        Some(&storage),
        ProseLibrary::builtin(),
        common::test_backend(),
    );
    assert_eq!(restored.settings, before);
    assert_eq!(restored.lesson(), LessonId::Word2vec);

    // Nothing saved, or garbage saved: defaults, no panic.
    let fresh = LensApp::from_storage(None, ProseLibrary::builtin(), common::test_backend());
    assert_eq!(fresh.settings.sentence, DEFAULT_SENTENCE);
    let mut junk = MemoryStorage::default();
    eframe::Storage::set_string(&mut junk, eframe::APP_KEY, "(not: valid".to_owned());
    let recovered =
        LensApp::from_storage(Some(&junk), ProseLibrary::builtin(), common::test_backend());
    assert_eq!(recovered.settings, Settings::default());
}

#[test]
fn lessons_send_the_learner_to_another_lesson_or_view() {
    let mut h = common::harness(common::app(Settings::default()));
    h.state_mut().run(Command::GoToLesson(LessonId::Playground));
    h.run_steps(2);
    assert_eq!(h.state().lesson(), LessonId::Playground);
    h.state_mut().run(Command::GoToView("embeddings"));
    h.run_steps(2);
    assert_eq!(
        h.state().step(),
        common::step_of::<llm_lens::lessons::playground::Playground>(
            llm_lens::lessons::playground::View::Embeddings
        )
    );
    // A name no step shows leaves the step where it was.
    h.state_mut().run(Command::GoToView("no-such-view"));
    h.run_steps(1);
    assert_eq!(h.state().lesson(), LessonId::Playground);
}

#[test]
fn the_stage_gives_the_view_the_width_and_projector_sized_type() {
    let settings = Settings {
        presentation: true,
        ..Settings::default()
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size([1920.0, 1080.0])
        .with_pixels_per_point(1.0)
        .build_ui_state(|ui, app: &mut LensApp| app.ui(ui), common::app(settings));
    h.run_steps(4);
    let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    let px = body * h.ctx.pixels_per_point();
    assert!(px >= 28.0 - 0.01, "body text {px} px at 1080p");
    // The prose is cut to its first sentence, the rest a click away.
    let prose = ProseLibrary::builtin();
    let body_text = &prose.steps(LessonId::History)[0].body;
    let (first, more) = llm_lens::stage::first_sentence(body_text);
    assert!(more);
    assert!(h.query_all_by_label_contains("They grew out of").count() == 0);
    h.get_by_label("more ▼").click();
    h.run_steps(3);
    assert!(h.query_all_by_label_contains("They grew out of").count() > 0);
    assert!(!first.contains("They grew out of"));
    // Chrome hidden: no lesson list, no status line.
    assert!(h.query_by_label("2. Tokenisation").is_none());
    assert!(h.query_by_label("Compute:").is_none());
}

#[test]
fn a_long_sentence_wraps_in_the_box_and_a_huge_one_scrolls_there() {
    let words = "the bank by the river lent money to the farmers who worked the land ";
    let long = words.repeat(4);
    let mut h = common::harness(common::app(Settings {
        sentence: long.clone(),
        ..Settings::default()
    }));
    h.run_steps(2);
    let one_row = {
        let mut short = common::harness(common::app(Settings {
            sentence: "short".to_owned(),
            ..Settings::default()
        }));
        short.run_steps(2);
        common::sentence_box(&short).rect().height()
    };
    let wrapped = common::sentence_box(&h).rect().height();
    assert!(
        wrapped > one_row * 1.5,
        "{wrapped} vs one row {one_row}: the text wraps"
    );
    // The longest text the box takes stays within about four lines; the rest scrolls.
    h.state_mut().settings.sentence = words.repeat(30);
    h.run_steps(3);
    let top_of_lessons = h.get_by_label("Lessons").rect().top();
    assert!(
        top_of_lessons < 160.0,
        "the top bar grew to {top_of_lessons}"
    );
    // Pasted line breaks become spaces.
    h.state_mut().settings.sentence = "one\ntwo\r\nthree".to_owned();
    h.run_steps(2);
    assert_eq!(h.state().settings.sentence, "one two  three");
}
