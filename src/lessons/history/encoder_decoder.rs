//! The encoder–decoder drawn under the timeline, on the shipped alignment pair: an encoder
//! cell per source word feeding the next, one vector for the whole sentence, and a decoder
//! cell per target word, each fed the word written before it. Source and target lengths
//! differ, which is what makes translation a sequence-to-sequence task.

use egui::{Align2, Color32, FontId, Rect, Sense, Stroke, pos2, vec2};

use crate::model::history::alignment::AlignmentPair;
use crate::widgets::chart::PALETTE;

const CELL: egui::Vec2 = egui::Vec2::new(48.0, 26.0);
const GAP: f32 = 12.0;

fn colour(i: usize) -> Color32 {
    let [r, g, b] = PALETTE[i % PALETTE.len()];
    Color32::from_rgb(r, g, b)
}

/// What the drawing shows, in one sentence (its screen-reader name too).
pub fn caption(pair: &AlignmentPair) -> String {
    format!(
        "Sequence to sequence: the encoder reads {} {} words, the decoder writes {} {} words.",
        pair.source.len(),
        pair.source_lang,
        pair.target.len(),
        pair.target_lang
    )
}

/// The caption and why the single vector matters, for under the drawing.
pub fn summary(pair: &AlignmentPair) -> String {
    format!(
        "{} Everything the decoder knows about the source passes through one vector, the \
         bottleneck that attention (September 2014) later removed.",
        caption(pair)
    )
}

/// Draws the diagram for `pair`.
pub fn show(ui: &mut egui::Ui, pair: &AlignmentPair) {
    let (n_in, n_out) = (pair.source.len(), pair.target.len());
    let caption = caption(pair);
    ui.strong("An encoder–decoder, drawn");
    let cells = n_in + 1 + n_out;
    let width = cells as f32 * (CELL.x + GAP) + GAP;
    let height = 3.0 * CELL.y + 40.0;
    let (rect, response) = ui.allocate_exact_size(vec2(width.max(200.0), height), Sense::hover());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &caption));
    let painter = ui.painter_at(rect);
    let text = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let font = FontId::proportional(11.0);
    let y_cell = rect.top() + CELL.y + 16.0;
    let x_of = |i: usize| rect.left() + GAP + i as f32 * (CELL.x + GAP);
    let cell = |i: usize| Rect::from_min_size(pos2(x_of(i), y_cell), CELL);
    let arrow = |a: egui::Pos2, b: egui::Pos2| {
        painter.arrow(a, b - a, Stroke::new(1.2, weak));
    };
    for i in 0..cells {
        let r = cell(i);
        let (label, fill) = if i < n_in {
            (format!("enc {}", i + 1), colour(0))
        } else if i == n_in {
            ("vector".to_owned(), colour(3))
        } else {
            (format!("dec {}", i - n_in), colour(1))
        };
        painter.rect_filled(r, 4.0, fill.gamma_multiply(0.35));
        painter.text(r.center(), Align2::CENTER_CENTER, label, font.clone(), text);
        if i + 1 < cells {
            arrow(r.right_center(), cell(i + 1).left_center());
        }
        // Source words go in from below; target words come out above.
        if i < n_in {
            let w = &pair.source[i].text;
            let p = pos2(r.center().x, r.bottom() + 26.0);
            painter.text(p, Align2::CENTER_CENTER, w, font.clone(), text);
            arrow(pos2(p.x, p.y - 7.0), r.center_bottom());
        } else if i > n_in {
            let w = &pair.target[i - n_in - 1].text;
            let p = pos2(r.center().x, r.top() - 22.0);
            painter.text(p, Align2::CENTER_CENTER, w, font.clone(), text);
            arrow(r.center_top(), pos2(p.x, p.y + 9.0));
        }
    }
    painter.text(
        pos2(x_of(0), rect.bottom() - 2.0),
        Align2::LEFT_BOTTOM,
        "encoder: reads the source, one word per step",
        font.clone(),
        weak,
    );
    painter.text(
        pos2(x_of(n_in + 1), rect.bottom() - 2.0),
        Align2::LEFT_BOTTOM,
        "decoder: writes the target, each step fed the word before",
        font,
        weak,
    );
}
