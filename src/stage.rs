//! Presentation mode as a classroom stage: type that scales with the screen (at least
//! 28 px body text on a 1080-pixel-tall display), greys dark or light enough for a
//! projector, the prose cut to its first sentence (expandable) so the live view gets
//! the width.

use egui::{Color32, TextStyle};

/// Body text height, in physical pixels per 1080 pixels of screen height, on stage.
pub const STAGE_TEXT_PX_AT_1080: f32 = 28.0;

/// The zoom that gives body text [`STAGE_TEXT_PX_AT_1080`] physical pixels per 1080 of
/// the window's physical height, never below `floor` (the ordinary presentation scale).
pub fn stage_zoom(ctx: &egui::Context, physical_height: f32, floor: f32) -> f32 {
    let body = ctx
        .global_style()
        .text_styles
        .get(&TextStyle::Body)
        .map_or(12.5, |f| f.size);
    let native = ctx.native_pixels_per_point().unwrap_or(1.0).max(0.1);
    let wanted_px = STAGE_TEXT_PX_AT_1080 * physical_height / 1080.0;
    let zoom = wanted_px / (body * native);
    if zoom.is_finite() {
        zoom.clamp(floor, 6.0)
    } else {
        floor
    }
}

/// The window's height in physical pixels (independent of the zoom).
pub fn physical_height(ctx: &egui::Context) -> f32 {
    ctx.viewport_rect().height() * ctx.pixels_per_point()
}

/// Weak text dark (light) enough for a projector: at least 4.5:1 against the panel
/// colour in both themes. `None` restores egui's own.
pub fn stage_visuals(ctx: &egui::Context, on: bool) {
    for theme in [egui::Theme::Light, egui::Theme::Dark] {
        let weak = match theme {
            egui::Theme::Light => Color32::from_gray(72),
            egui::Theme::Dark => Color32::from_gray(185),
        };
        ctx.style_mut_of(theme, |s| {
            s.visuals.weak_text_color = on.then_some(weak);
        });
    }
}

/// The first sentence of a step's prose (up to the first `.`, `?` or `!` followed by a
/// space or line end, or the first paragraph), and whether more follows.
pub fn first_sentence(body: &str) -> (&str, bool) {
    let para_end = body.find("\n\n").unwrap_or(body.len());
    let para = &body[..para_end];
    let mut end = para.len();
    for (i, c) in para.char_indices() {
        if matches!(c, '.' | '?' | '!') {
            // Closing emphasis and quotes belong to the sentence: "*Why?* Because".
            let rest = &para[i + c.len_utf8()..];
            let closing = rest
                .find(|ch: char| !matches!(ch, '*' | '_' | ')' | '"' | '\u{201d}' | '\u{2019}'))
                .unwrap_or(rest.len());
            if rest[closing..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
            {
                end = i + c.len_utf8() + closing;
                break;
            }
        }
    }
    let first = &body[..end];
    (first, end < body.trim_end().len())
}

/// WCAG contrast ratio of two colours (1 to 21).
pub fn contrast(a: Color32, b: Color32) -> f32 {
    fn lum(c: Color32) -> f32 {
        let ch = |v: u8| {
            let v = f32::from(v) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c.r()) + 0.7152 * ch(c.g()) + 0.0722 * ch(c.b())
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_stops_at_the_first_full_stop_not_inside_a_number() {
        assert_eq!(
            first_sentence("It is 1.5 m long. Then more."),
            ("It is 1.5 m long.", true)
        );
        assert_eq!(first_sentence("Why? Because."), ("Why?", true));
        assert_eq!(first_sentence("One line only"), ("One line only", false));
        assert_eq!(
            first_sentence("First para\n\nSecond."),
            ("First para", true)
        );
        assert_eq!(first_sentence("*Why?* Because."), ("*Why?*", true));
    }

    #[test]
    fn stage_greys_pass_four_and_a_half_to_one_on_both_themes() {
        let ctx = egui::Context::default();
        stage_visuals(&ctx, true);
        for theme in [egui::Theme::Light, egui::Theme::Dark] {
            let v = theme.default_visuals();
            let weak = ctx.style_of(theme).visuals.weak_text_color();
            for bg in [v.panel_fill, v.window_fill, v.extreme_bg_color] {
                assert!(contrast(weak, bg) >= 4.5, "{theme:?}: {weak:?} on {bg:?}");
            }
            assert!(
                contrast(v.text_color(), v.panel_fill) >= 4.5,
                "{theme:?} text"
            );
        }
    }

    #[test]
    fn a_1080p_screen_gets_28_pixel_body_text() {
        let ctx = egui::Context::default();
        let zoom = stage_zoom(&ctx, 1080.0, 1.5);
        let body = ctx.global_style().text_styles[&TextStyle::Body].size;
        assert!(body * zoom >= 28.0 - 1e-3, "{}", body * zoom);
        assert_eq!(stage_zoom(&ctx, 300.0, 1.5), 1.5, "never below the floor");
    }
}
