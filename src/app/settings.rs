//! What the shell remembers across restarts, and the bounds it keeps them in.

use crate::lessons::{DEFAULT_SENTENCE, LessonId};
use std::collections::BTreeMap;

/// Presentation mode enlarges everything by this factor on top of the learner's zoom.
pub const PRESENTATION_SCALE: f32 = 1.5;
pub(super) const MIN_ZOOM: f32 = 0.5;
/// The live model panel's width when nothing is remembered, and its bounds.
pub(super) const PANEL_WIDTH: f32 = 340.0;
pub(super) const PANEL_WIDTHS: std::ops::RangeInclusive<f32> = 240.0..=900.0;
pub(super) const MAX_ZOOM: f32 = 3.0;

/// What survives a restart (eframe persistence). Unknown or missing fields take defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub sentence: String,
    pub lesson: LessonId,
    /// The step (0-based) last shown in each lesson, keyed by lesson id.
    pub steps: BTreeMap<String, usize>,
    pub dark: bool,
    pub zoom: f32,
    pub presentation: bool,
    /// The live model panel beside every lesson is open.
    pub model_panel: bool,
    /// Presentation mode keeps the panel (a teacher pinned it); otherwise it hides it.
    pub panel_pinned: bool,
    /// The panel's width in points, as the learner last dragged it.
    pub panel_width: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sentence: DEFAULT_SENTENCE.to_owned(),
            lesson: LessonId::History,
            steps: BTreeMap::new(),
            dark: false,
            zoom: 1.0,
            presentation: false,
            model_panel: true,
            panel_pinned: false,
            panel_width: PANEL_WIDTH,
        }
    }
}
