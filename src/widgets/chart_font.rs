//! The font of chart text. Charts are drawn by plotters into a bitmap, outside egui's
//! font stack, so they would otherwise use a different face from the window around
//! them. Text is drawn in egui's own UI face (Ubuntu Light) when that face has every
//! character of it; a label with one it lacks (maths such as √ or ᵀ, most scripts)
//! is drawn in DejaVu Sans, the UI's own first fallback, so no character is a box.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};

/// The family name charts use for the UI face.
pub const UI: &str = "llm-lens-ui";
/// The family name of the fallback face (DejaVu Sans).
pub const FALLBACK: &str = "sans-serif";

/// The UI face, parsed once.
fn ui_face() -> Option<&'static FontRef<'static>> {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok())
        .as_ref()
}

/// Registers both faces with plotters (once per process). A failure leaves plotters
/// without that face; the chart still draws its lines. (The browser has no
/// registration: `chart_text::GlyphText` draws the text there, by the same names.)
#[cfg(target_arch = "wasm32")]
pub fn ensure_registered() {}

/// Registers both faces with plotters (once per process). A failure leaves plotters
/// without that face; the chart still draws its lines.
#[cfg(not(target_arch = "wasm32"))]
pub fn ensure_registered() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let _ = plotters::style::register_font(
            UI,
            plotters::style::FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
        let _ = plotters::style::register_font(
            FALLBACK,
            plotters::style::FontStyle::Normal,
            super::fonts::DEJAVU_SANS,
        );
    });
}

/// Whether the UI face draws every character of `text`.
pub fn ui_face_covers(text: &str) -> bool {
    let Some(face) = ui_face() else {
        return false;
    };
    text.chars()
        .filter(|c| !c.is_control())
        .all(|c| face.glyph_id(c).0 != 0)
}

/// The family to draw `text` in: the UI face when it has every character, else DejaVu.
pub fn family_for(text: &str) -> &'static str {
    if ui_face_covers(text) { UI } else { FALLBACK }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_labels_use_the_ui_face_and_maths_falls_back() {
        assert_eq!(family_for("training loss (nats per example)"), UI);
        assert_eq!(family_for("0.25"), UI);
        assert_eq!(family_for("1e-7"), UI);
        // Ubuntu Light has no square root sign; DejaVu Sans has it.
        assert_eq!(family_for("scores QKᵀ/√d"), FALLBACK);
        let dejavu = FontRef::try_from_slice(crate::widgets::fonts::DEJAVU_SANS).expect("parses");
        assert!("QKᵀ/√d".chars().all(|c| dejavu.glyph_id(c).0 != 0));
    }
}
