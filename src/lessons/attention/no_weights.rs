//! Step "no-weights": attention with no learned weights, in two dimensions. Words
//! are points the learner can drag (the course's coordinates to start); for the
//! words in the sentence, every word's output is the softmax-weighted mean of the
//! sentence's points, `Y = softmax(XXᵀ/√d)·X`, drawn as an arrow from the word to
//! its output. Then the score and weight matrices of the same sentence.

use egui::{Color32, Pos2, Sense, Stroke, pos2, vec2};
use ndarray::Array2;

use crate::model::positional::plain_attention;
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

/// The course's picture: money words in one corner, river words in the other,
/// *bank* between.
pub const WORDS: [(&str, [f32; 2]); 7] = [
    ("money", [0.5, 3.0]),
    ("deposit", [1.5, 1.2]),
    ("withdraw", [2.5, 0.5]),
    ("nature", [6.0, 8.0]),
    ("river", [7.5, 7.5]),
    ("water", [8.0, 5.5]),
    ("bank", [4.5, 4.5]),
];
/// The plane drawn is 0–10 on both axes.
const EXTENT: f32 = 10.0;

pub struct State {
    pub points: Vec<[f32; 2]>,
    /// Which words are in the sentence.
    pub chosen: Vec<bool>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            points: WORDS.iter().map(|w| w.1).collect(),
            chosen: river_sentence(),
        }
    }
}

fn river_sentence() -> Vec<bool> {
    WORDS
        .iter()
        .map(|(w, _)| matches!(*w, "river" | "water" | "nature" | "bank"))
        .collect()
}

fn money_sentence() -> Vec<bool> {
    WORDS
        .iter()
        .map(|(w, _)| matches!(*w, "money" | "deposit" | "withdraw" | "bank"))
        .collect()
}

/// The sentence's words, their points `(n × 2)`, and the attention over them.
pub fn attend(state: &State) -> (Vec<usize>, Array2<f32>, Array2<f32>, Array2<f32>) {
    let idx: Vec<usize> = (0..WORDS.len()).filter(|&i| state.chosen[i]).collect();
    let x = Array2::from_shape_fn((idx.len(), 2), |(r, c)| state.points[idx[r]][c]);
    let (w, y) = plain_attention(&x);
    (idx, x, w, y)
}

pub fn show(ui: &mut egui::Ui, state: &mut State) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Sentence:");
        if ui.button("river words + bank").clicked() {
            state.chosen = river_sentence();
        }
        if ui.button("money words + bank").clicked() {
            state.chosen = money_sentence();
        }
        if ui.button("Reset points").clicked() {
            state.points = WORDS.iter().map(|w| w.1).collect();
        }
    });
    ui.horizontal_wrapped(|ui| {
        for (i, (w, _)) in WORDS.iter().enumerate() {
            ui.checkbox(&mut state.chosen[i], *w);
        }
    });
    let (idx, x, w, y) = attend(state);
    plane(ui, state, &idx, &y);
    if idx.is_empty() {
        ui.label("Tick at least one word.");
        return;
    }
    if let Some(b) = idx.iter().position(|&i| WORDS[i].0 == "bank") {
        let (bx, by) = (y[[b, 0]], y[[b, 1]]);
        ui.label(format!(
            "bank: from ({:.1}, {:.1}) to ({bx:.1}, {by:.1}); its weights: {}",
            x[[b, 0]],
            x[[b, 1]],
            idx.iter()
                .enumerate()
                .map(|(j, &i)| format!("{} {:.2}", WORDS[i].0, w[[b, j]]))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let labels: Vec<String> = idx.iter().map(|&i| WORDS[i].0.to_owned()).collect();
    let scores = x.dot(&x.t()) / 2f32.sqrt();
    ui.columns(2, |cols| {
        let s: Vec<f32> = scores.iter().copied().collect();
        cols[0].label("scores S = XXᵀ/√2 (row: the word reading)");
        Heatmap::new("scores", &s, labels.len(), labels.len())
            .labels(&labels, &labels)
            .scale(Scale::diverging_for(&s))
            .max_cell(30.0)
            .show_values(true)
            .unit("score")
            .show(&mut cols[0]);
        let wv: Vec<f32> = w.iter().copied().collect();
        cols[1].label("weights: softmax of each row (rows sum to 1)");
        Heatmap::new("weights", &wv, labels.len(), labels.len())
            .labels(&labels, &labels)
            .scale(Scale::Probability)
            .max_cell(30.0)
            .show_values(true)
            .unit("weight")
            .show(&mut cols[1]);
    });
}

/// The plane with draggable points; arrows from each chosen word to its output.
fn plane(ui: &mut egui::Ui, state: &mut State, idx: &[usize], y: &Array2<f32>) {
    let side = ui.available_width().clamp(220.0, 340.0);
    let (rect, _) = ui.allocate_exact_size(vec2(side, side), Sense::hover());
    let to_screen = |p: [f32; 2]| {
        pos2(
            rect.left() + rect.width() * p[0] / EXTENT,
            rect.bottom() - rect.height() * p[1] / EXTENT,
        )
    };
    let from_screen = |p: Pos2| {
        [
            ((p.x - rect.left()) / rect.width() * EXTENT).clamp(0.0, EXTENT),
            ((rect.bottom() - p.y) / rect.height() * EXTENT).clamp(0.0, EXTENT),
        ]
    };
    let visuals = ui.visuals().clone();
    ui.painter().rect_filled(rect, 4.0, visuals.faint_bg_color);
    for (i, (word, _)) in WORDS.iter().enumerate() {
        let at = to_screen(state.points[i]);
        let id = ui.scope_id().with(("attention-point", i));
        let hit = egui::Rect::from_center_size(at, vec2(16.0, 16.0));
        let response = ui.interact(hit, id, Sense::drag()).on_hover_text(format!(
            "{word} at ({:.1}, {:.1}): drag to move",
            state.points[i][0], state.points[i][1]
        ));
        if response.dragged()
            && let Some(p) = response.interact_pointer_pos()
        {
            state.points[i] = from_screen(p);
        }
        let chosen = state.chosen[i];
        let color = if *word == "bank" {
            Color32::from_rgb(214, 39, 40)
        } else if chosen {
            Color32::from_rgb(31, 119, 180)
        } else {
            visuals.weak_text_color()
        };
        ui.painter().circle_filled(at, 5.0, color);
        ui.painter().text(
            at + vec2(7.0, -7.0),
            egui::Align2::LEFT_BOTTOM,
            *word,
            egui::FontId::proportional(13.0),
            color,
        );
    }
    for (r, &i) in idx.iter().enumerate() {
        let from = to_screen(state.points[i]);
        let to = to_screen([y[[r, 0]], y[[r, 1]]]);
        let color = if WORDS[i].0 == "bank" {
            Color32::from_rgb(214, 39, 40)
        } else {
            Color32::from_rgb(31, 119, 180)
        };
        ui.painter().arrow(from, to - from, Stroke::new(1.5, color));
    }
    ui.small("Arrows: each word of the sentence moves to its output. Red: bank. Grey words are not in the sentence.");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_jumps_to_river_but_stays_put_among_the_money_words() {
        let mut state = State::default();
        let (idx, _, w, y) = attend(&state);
        let b = idx.iter().position(|&i| WORDS[i].0 == "bank").unwrap();
        // River's vector is the longest: bank lands almost on it.
        assert!(y[[b, 0]] > 7.0 && y[[b, 1]] > 7.0, "{y:?}");
        for row in w.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        state.chosen = money_sentence();
        let (idx, _, _, y) = attend(&state);
        let b = idx.iter().position(|&i| WORDS[i].0 == "bank").unwrap();
        // Its own vector is the longest there: it attends mostly to itself.
        assert!((y[[b, 0]] - 4.5).abs() < 0.05 && (y[[b, 1]] - 4.5).abs() < 0.05);
        assert!(
            y[[b, 0]] <= 4.5 && y[[b, 1]] <= 4.5,
            "if anything, towards money"
        );
    }
}
