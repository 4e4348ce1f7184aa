//! What the learner and the lessons can ask the shell to do. Keys map to the first six;
//! lessons send any of them through [`crate::lessons::LessonContext::send`], so no lesson
//! needs to know the shell.

use crate::lesson_id::LessonId;
use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    PrevStep,
    NextStep,
    PrevLesson,
    NextLesson,
    TogglePresentation,
    ToggleTheme,
    /// Open another lesson (a timeline event linking to the lesson that covers it).
    GoToLesson(LessonId),
    /// Go to the first step of the current lesson whose view has this name.
    GoToView(&'static str),
    /// Open another lesson at the first step whose view has this name.
    GoToLessonView(LessonId, &'static str),
    /// Open the playground at the step showing `view`, on this layer and head (a click
    /// on the live model panel's heatmap).
    OpenInPlayground {
        view: &'static str,
        layer: usize,
        head: usize,
    },
}

impl Command {
    /// The commands bound to keys, in the order the shell checks them.
    pub const KEYBOARD: [Command; 6] = [
        Self::PrevStep,
        Self::NextStep,
        Self::PrevLesson,
        Self::NextLesson,
        Self::TogglePresentation,
        Self::ToggleTheme,
    ];

    /// ←/→ are plain keys, so they act only when no text box has the keyboard.
    pub fn shortcuts(self) -> &'static [KeyboardShortcut] {
        const fn k(m: Modifiers, key: Key) -> KeyboardShortcut {
            KeyboardShortcut::new(m, key)
        }
        const PREV_STEP: &[KeyboardShortcut] = &[k(Modifiers::NONE, Key::ArrowLeft)];
        const NEXT_STEP: &[KeyboardShortcut] = &[k(Modifiers::NONE, Key::ArrowRight)];
        const PREV_LESSON: &[KeyboardShortcut] = &[
            k(Modifiers::NONE, Key::PageUp),
            k(Modifiers::COMMAND, Key::ArrowUp),
        ];
        const NEXT_LESSON: &[KeyboardShortcut] = &[
            k(Modifiers::NONE, Key::PageDown),
            k(Modifiers::COMMAND, Key::ArrowDown),
        ];
        const PRESENT: &[KeyboardShortcut] = &[k(Modifiers::NONE, Key::F11)];
        const THEME: &[KeyboardShortcut] = &[k(
            Modifiers {
                shift: true,
                ..Modifiers::COMMAND
            },
            Key::T,
        )];
        match self {
            Self::PrevStep => PREV_STEP,
            Self::NextStep => NEXT_STEP,
            Self::PrevLesson => PREV_LESSON,
            Self::NextLesson => NEXT_LESSON,
            Self::TogglePresentation => PRESENT,
            Self::ToggleTheme => THEME,
            Self::GoToLesson(_)
            | Self::GoToView(_)
            | Self::GoToLessonView(..)
            | Self::OpenInPlayground { .. } => &[],
        }
    }

    pub fn needs_free_keyboard(self) -> bool {
        matches!(self, Self::PrevStep | Self::NextStep)
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::PrevStep => "Previous step (←)",
            Self::NextStep => "Next step (→)",
            Self::PrevLesson => "Previous lesson (PgUp or Ctrl+↑)",
            Self::NextLesson => "Next lesson (PgDn or Ctrl+↓)",
            Self::TogglePresentation => "Presentation mode: full screen, large type (F11)",
            Self::ToggleTheme => "Light or dark theme (Ctrl+Shift+T)",
            Self::GoToLesson(_) => "Open another lesson",
            Self::GoToView(_) => "Go to the step that shows this view",
            Self::GoToLessonView(..) => "Open another lesson at the step that shows this view",
            Self::OpenInPlayground { .. } => "Open this stage in the playground",
        }
    }
}
