//! The lesson registry agrees with the lesson ids, the built-in prose and the README:
//! every lesson is registered in course order, every step names a view its lesson has,
//! and `lessons/README.md` lists exactly the views the code declares.

use llm_lens::lessons::{LessonId, all_lessons, view_names};
use llm_lens::prose::ProseLibrary;

#[test]
fn the_registry_follows_the_lesson_ids() {
    let panes = all_lessons();
    let ids: Vec<LessonId> = panes.iter().map(|p| p.id()).collect();
    assert_eq!(ids, LessonId::ALL.to_vec());
    for pane in &panes {
        assert_eq!(pane.views(), view_names(pane.id()));
        assert!(!pane.views().is_empty(), "{:?} has no view", pane.id());
    }
}

#[test]
fn every_step_of_the_built_in_prose_names_a_view_of_its_lesson() {
    let prose = ProseLibrary::builtin();
    for lesson in LessonId::ALL {
        let steps = prose.steps(lesson);
        assert!(!steps.is_empty(), "{} has no steps", lesson.id());
        for (i, step) in steps.iter().enumerate() {
            let view = step.view.as_deref().unwrap_or_default();
            assert!(
                view_names(lesson).contains(&view),
                "{} step {} names the unknown view {view:?}",
                lesson.id(),
                i + 1
            );
        }
    }
}

#[test]
fn the_lessons_readme_lists_each_lessons_views() {
    let readme = include_str!("../../../lessons/README.md");
    for lesson in LessonId::ALL {
        let row = format!("| `{}` |", lesson.id());
        let line = readme
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("lessons/README.md has no row for {}", lesson.id()));
        let listed: Vec<&str> = line.split('`').skip(3).step_by(2).collect();
        assert_eq!(
            listed,
            view_names(lesson),
            "lessons/README.md's row for {} differs from the code",
            lesson.id()
        );
    }
}

#[test]
fn the_lessons_readme_lists_every_panel_focus() {
    let readme = include_str!("../../../lessons/README.md");
    let start = readme
        .find("<!-- panel: NAME -->")
        .expect("the README explains panel");
    let paragraph = &readme[start
        ..readme[start..]
            .find("\n- The rest")
            .map_or(readme.len(), |e| start + e)];
    let listed: Vec<&str> = paragraph.split('`').skip(2).step_by(2).collect();
    assert_eq!(
        listed,
        llm_lens::lessons::model_panel::focus::NAMES,
        "lessons/README.md's list of panel focuses differs from the code"
    );
}
