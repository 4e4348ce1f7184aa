//! A cue that a scrolled area continues below its bottom edge: egui's scroll bars float
//! and hide until pointed at, so on a projector nothing says the step goes on. A fade
//! and "▼ more below" sit on the bottom edge until the end is in view.

use egui::scroll_area::ScrollAreaOutput;
use egui::{Align2, FontId, Rect, pos2, vec2};

/// How far from the end (points) still counts as the end.
const SLACK: f32 = 4.0;

/// Whether the content runs past the bottom of the visible area.
pub fn continues_below<R>(out: &ScrollAreaOutput<R>) -> bool {
    let visible = out.inner_rect.height();
    out.content_size.y - (out.state.clamped_offset().y + visible) > SLACK
}

/// Paints the cue over the bottom of `out`'s area when content continues below.
pub fn show<R>(ui: &egui::Ui, out: &ScrollAreaOutput<R>) {
    if !continues_below(out) {
        return;
    }
    let area = out.inner_rect;
    let painter = ui.painter_at(area);
    let bg = ui.visuals().panel_fill;
    // A fade from transparent to the panel's colour over the last 28 points.
    let steps = 8;
    let height = 28.0;
    for i in 0..steps {
        let t = (i + 1) as f32 / steps as f32;
        let y0 = area.bottom() - height + height * i as f32 / steps as f32;
        let band = Rect::from_min_max(
            pos2(area.left(), y0),
            pos2(area.right(), y0 + height / steps as f32),
        );
        painter.rect_filled(band, 0.0, bg.gamma_multiply(t * 0.9));
    }
    let text_color = ui.visuals().strong_text_color();
    let galley = painter.layout_no_wrap(
        "▼ more below".to_owned(),
        FontId::proportional(12.0),
        text_color,
    );
    let at = pos2(area.center().x, area.bottom() - 4.0);
    let pill = Rect::from_center_size(
        at - vec2(0.0, galley.size().y / 2.0),
        galley.size() + vec2(14.0, 4.0),
    );
    painter.rect_filled(pill, 8.0, ui.visuals().widgets.inactive.bg_fill);
    painter.text(
        at,
        Align2::CENTER_BOTTOM,
        "▼ more below",
        FontId::proportional(12.0),
        text_color,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs one frame with a 100-point-high scroll area holding `rows` labels.
    fn cue_for(rows: usize) -> bool {
        let ctx = egui::Context::default();
        let mut below = false;
        let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
            let out = egui::ScrollArea::vertical()
                .max_height(100.0)
                .show(ui, |ui| {
                    for i in 0..rows {
                        ui.label(format!("row {i}"));
                    }
                });
            below = continues_below(&out);
        });
        out.textures_delta.clear();
        below
    }

    #[test]
    fn the_cue_shows_only_when_content_runs_past_the_bottom() {
        assert!(!cue_for(2));
        assert!(cue_for(40));
    }
}
