//! Step "embeddings": a lookup is a matrix product. The learner's words get ids in
//! a toy vocabulary of the sentence's distinct words; their one-hot matrix times a
//! seeded random table W gives exactly the rows of W picked by id, computed both
//! ways. Then the size of the built-in model's real table.

use std::sync::Arc;

use crate::lessons::LessonContext;
use crate::lessons::bert::group_digits;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::lookup::{by_lookup, by_product, one_hot, random_table, toy_vocab};
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

/// Tokens drawn, so every number fits in its cell.
const MAX_TOKENS: usize = 10;
/// Cell size: large enough for a printed value.
const CELL: f32 = 30.0;

pub struct State {
    /// Width of each embedding (4–16).
    pub d: usize,
    pub seed: u64,
}

impl Default for State {
    fn default() -> Self {
        Self { d: 6, seed: 1 }
    }
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    cx: &LessonContext<'_>,
    bert: Option<&Arc<PretrainedBert>>,
) {
    let all = crate::model::text::split_words(cx.sentence);
    let tokens: Vec<String> = all
        .iter()
        .take(MAX_TOKENS)
        .map(|p| p.text.to_lowercase())
        .collect();
    let (vocab, ids) = toy_vocab(&tokens);
    let (n, v) = (tokens.len(), vocab.len());
    ui.horizontal(|ui| {
        let l = ui.label("d (numbers per word)");
        ui.add(egui::Slider::new(&mut state.d, 4..=16))
            .labelled_by(l.id);
        if ui
            .button("🎲 New W")
            .on_hover_text("Draw another random table")
            .clicked()
        {
            state.seed += 1;
        }
    });
    let d = state.d.clamp(4, 16);
    ui.label(format!(
        "Vocabulary: the {v} distinct words of your sentence, lower-cased and numbered in order of first appearance (a toy vocabulary, not the model's): {}.",
        vocab
            .iter()
            .enumerate()
            .map(|(id, w)| format!("{w} #{id}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if all.len() > n {
        ui.small(format!(
            "The first {n} of your {} words are used.",
            all.len()
        ));
    }
    let with_id = |w: &String, id: usize| format!("{w} #{id}");
    let row_labels: Vec<String> = tokens
        .iter()
        .zip(&ids)
        .map(|(t, &i)| with_id(t, i))
        .collect();
    let vocab_labels: Vec<String> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| with_id(w, i))
        .collect();
    let dim_labels: Vec<String> = (0..d).map(|j| format!("dim {j}")).collect();

    let x = one_hot(&ids, v); // (n × V)
    let w = random_table(v, d, state.seed); // (V × d)
    let product = by_product(&ids, &w); // (n × d)
    let lookup = by_lookup(&ids, &w); // (n × d)

    // One colour scale for W and both products, so equal numbers look equal.
    let scale = Scale::diverging_for(w.as_slice().unwrap_or(&[]));
    let x_title = format!("One-hot X ({n} × {v})");
    let w_title = format!("W ({v} × {d})");
    side_by_side(ui, (v + d) as f32 * CELL + 300.0, |ui, first| {
        if first {
            ui.strong(&x_title);
            let values: Vec<f32> = x.iter().copied().collect();
            Heatmap::new(&x_title, &values, n, v)
                .labels(&row_labels, &vocab_labels)
                .scale(Scale::Probability)
                .max_cell(CELL)
                .show_values(true)
                .unit("one-hot entry")
                .legend(false)
                .show(ui);
        } else {
            ui.strong(&w_title);
            table(ui, &w_title, &w, (&vocab_labels, &dim_labels), scale, true);
        }
    });
    let p_title = format!("X · W ({n} × {v} times {v} × {d} = {n} × {d})");
    let l_title = format!("Rows of W picked by id ({n} × {d})");
    side_by_side(ui, 2.0 * d as f32 * CELL + 300.0, |ui, first| {
        let (title, m) = if first {
            (&p_title, &product)
        } else {
            (&l_title, &lookup)
        };
        ui.strong(title);
        table(ui, title, m, (&row_labels, &dim_labels), scale, !first);
    });
    let worst = product
        .iter()
        .zip(&lookup)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    ui.label(if product == lookup {
        "The two are equal, number for number: multiplying by a one-hot row picks one row of W."
            .to_owned()
    } else {
        format!("The two differ by up to {worst:.2e}.")
    });
    match bert {
        Some(b) => {
            let c = &b.model.config;
            ui.label(format!(
                "The built-in model's table is {} × {} (vocab_size × hidden_size, from its config): {} learned numbers. A one-hot row would have {} zeros and a single 1, so the model never multiplies: it reads row id directly.",
                group_digits(c.vocab_size as u64),
                c.hidden_size,
                group_digits((c.vocab_size * c.hidden_size) as u64),
                group_digits(c.vocab_size.saturating_sub(1) as u64),
            ));
        }
        None => super::loading_notice(ui),
    }
}

/// Two blocks next to each other when `needed` width is there, else one above the other.
fn side_by_side(ui: &mut egui::Ui, needed: f32, mut block: impl FnMut(&mut egui::Ui, bool)) {
    if ui.available_width() >= needed {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| block(ui, true));
            ui.add_space(16.0);
            ui.vertical(|ui| block(ui, false));
        });
    } else {
        block(ui, true);
        block(ui, false);
    }
}

fn table(
    ui: &mut egui::Ui,
    title: &str,
    m: &ndarray::Array2<f32>,
    (rows, cols): (&[String], &[String]),
    scale: Scale,
    legend: bool,
) {
    // The widget's own sizing: labels up to 140 points, then equal cells.
    let left = crate::widgets::heatmap::label_column_width(ui, rows) + 6.0;
    let cell = (ui.available_width() - left - 4.0) / m.ncols().max(1) as f32;
    let values: Vec<f32> = m.iter().copied().collect();
    Heatmap::new(title, &values, m.nrows(), m.ncols())
        .labels(rows, cols)
        .scale(scale)
        .max_cell(CELL)
        .show_values(true)
        .unit("embedding value")
        .legend(legend)
        .show(ui);
    if cell < CELL {
        ui.small("Too narrow to print every number: hover a cell, lower d or widen the window.");
    }
}
