//! Fonts for any script a learner may type. egui's bundled fonts cover Latin and emoji;
//! DejaVu Sans adds arrows, maths symbols, Greek, Cyrillic, Arabic and Hebrew, and Droid
//! Sans Fallback adds Chinese, Japanese and Korean. Both ship in `assets/fonts/`.

use egui::{FontData, FontDefinitions, FontFamily};
use std::sync::Arc;

/// DejaVu Sans (Bitstream Vera licence): symbols and most alphabets.
pub const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Droid Sans Fallback Full (Apache-2.0): CJK ideographs, kana and Hangul.
pub const DROID_SANS_FALLBACK: &[u8] =
    include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf");

/// egui's default fonts with ours appended as fallbacks, so Latin text keeps egui's look.
pub fn definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "dejavu-sans".into(),
        Arc::new(FontData::from_static(DEJAVU_SANS)),
    );
    fonts.font_data.insert(
        "droid-sans-fallback".into(),
        Arc::new(FontData::from_static(DROID_SANS_FALLBACK)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.push("dejavu-sans".into());
        list.push("droid-sans-fallback".into());
    }
    fonts
}

/// Installs [`definitions`] into `ctx`.
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
}
