//! Step "multi-head": the learner's words (or one of the course's two sentences) read
//! by 1, 2 or 4 heads on small numbers (fixed random word vectors of 8 numbers, seeded
//! W_Q, W_K, W_V per head): each head's weights side by side, the concatenation and
//! W_O, with shapes, checked against a one-product reference; then the built-in
//! model's heads on the same sentence ([`super::model_heads`]).

use std::sync::Arc;

use ndarray::Array2;

use crate::lessons::LessonContext;
use crate::lessons::bert::quote;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::multi_head::MultiHead;
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;
use crate::widgets::heatmap::color_legend;

use super::model_heads;

/// Width of the small word vectors.
pub const D_MODEL: usize = 8;
/// Words the small example takes (the course's first sentence has 14 with its stop).
pub const MAX_WORDS: usize = 14;
/// The course's two sentences.
pub const COURSE: [&str; 2] = [
    "A man withdrew money from the bank then sat on the river bank.",
    "I ate some of Bob's chocolate cake.",
];
/// Smallest cell a grid may shrink to before fewer grids go on a row.
const MIN_CELL: f32 = 12.0;

/// Which sentence the step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    Yours,
    Course(usize),
}

pub struct State {
    pub source: Source,
    /// log₂ of the head count (1, 2 or 4 heads).
    pub heads_power: u32,
    pub seed: u64,
    pub model: model_heads::State,
}

impl Default for State {
    fn default() -> Self {
        Self {
            source: Source::Yours,
            heads_power: 1,
            seed: 1,
            model: model_heads::State::default(),
        }
    }
}

impl State {
    pub fn heads(&self) -> usize {
        1 << self.heads_power.min(2)
    }

    /// The sentence selected: the learner's or a course sentence.
    pub fn sentence<'a>(&self, yours: &'a str) -> &'a str {
        match self.source {
            Source::Yours => yours,
            Source::Course(i) => COURSE.get(i).copied().unwrap_or(COURSE[0]),
        }
    }
}

/// One grid among several drawn side by side.
pub struct Grid {
    pub title: String,
    /// `(rows × cols)`, row-major.
    pub values: Vec<f32>,
    pub rows: usize,
    pub cols: usize,
}

/// Weight grids side by side (probability colours, one legend below), as many on a
/// row as keep cells of at least [`MIN_CELL`] points, and an even split.
pub fn side_by_side(
    ui: &mut egui::Ui,
    grids: &[Grid],
    row_labels: &[String],
    col_labels: &[String],
    unit: &str,
) {
    if grids.is_empty() {
        return;
    }
    let label_w = crate::widgets::heatmap::label_column_width(ui, row_labels) + 6.0;
    let cols = grids.iter().map(|g| g.cols).max().unwrap_or(1) as f32;
    let need = label_w + cols * MIN_CELL + 12.0;
    let fit = ((ui.available_width() / need) as usize).clamp(1, grids.len());
    // An even split: 4 grids go 4, 2 + 2 or 1 a row, never 3 + 1.
    let per_row = (1..=fit)
        .rev()
        .find(|k| grids.len().is_multiple_of(*k))
        .unwrap_or(1);
    for chunk in grids.chunks(per_row) {
        ui.columns(per_row, |columns| {
            for (col, g) in columns.iter_mut().zip(chunk) {
                col.strong(&g.title);
                Heatmap::new(&g.title, &g.values, g.rows, g.cols)
                    .labels(row_labels, col_labels)
                    .scale(Scale::Probability)
                    .max_cell(32.0)
                    .show_values(true)
                    .unit(unit)
                    .legend(false)
                    .show(col);
            }
        });
        ui.add_space(4.0);
    }
    color_legend(ui, Scale::Probability, unit);
}

/// A matrix with its name and shape, its numbers printed when the cells allow.
fn numbers(ui: &mut egui::Ui, title: &str, m: &Array2<f32>, rows: &[String], cols: &[String]) {
    let values: Vec<f32> = m.iter().copied().collect();
    ui.strong(format!("{title}  ({} × {})", m.nrows(), m.ncols()));
    Heatmap::new(title, &values, m.nrows(), m.ncols())
        .labels(rows, cols)
        .scale(Scale::diverging_for(&values))
        .max_cell(32.0)
        .show_values(true)
        .unit("value")
        .show(ui);
}

fn source_picker(ui: &mut egui::Ui, state: &mut State, yours: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Sentence:");
        ui.selectable_value(&mut state.source, Source::Yours, "your sentence")
            .on_hover_text(quote(yours));
        ui.selectable_value(&mut state.source, Source::Course(0), "the two banks")
            .on_hover_text(COURSE[0]);
        ui.selectable_value(&mut state.source, Source::Course(1), "Bob's cake")
            .on_hover_text(COURSE[1]);
    });
    ui.label(quote(state.sentence(yours)));
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    cx: &LessonContext<'_>,
    bert: Option<&Arc<PretrainedBert>>,
) {
    source_picker(ui, state, cx.sentence);
    let sentence = state.sentence(cx.sentence).to_owned();
    ui.add_space(4.0);
    small_numbers(ui, state, &sentence);
    ui.add_space(10.0);
    ui.separator();
    model_heads::show(ui, &mut state.model, &sentence, cx, bert);
}

fn small_numbers(ui: &mut egui::Ui, state: &mut State, sentence: &str) {
    ui.strong("The mechanism on small numbers");
    ui.horizontal(|ui| {
        let l = ui.label("heads h");
        ui.add(
            egui::Slider::new(&mut state.heads_power, 0..=2)
                .custom_formatter(|v, _| format!("{}", 1u32 << (v as u32))),
        )
        .labelled_by(l.id)
        .on_hover_text("How many heads share the 8 numbers of each word");
        if ui
            .button("🎲 New weights")
            .on_hover_text("Draw other random W_Q, W_K, W_V and W_O")
            .clicked()
        {
            state.seed += 1;
        }
        ui.label(format!("seed {}", state.seed));
    });
    let all = crate::model::text::split_words(sentence);
    let words: Vec<String> = all
        .iter()
        .take(MAX_WORDS)
        .map(|p| p.text.to_lowercase())
        .collect();
    if words.is_empty() {
        ui.label("This sentence has no words to read.");
        return;
    }
    if all.len() > MAX_WORDS {
        ui.label(format!(
            "The small example takes the first {MAX_WORDS} words."
        ));
    }
    let heads = state.heads();
    let mh = MultiHead::new(&words, D_MODEL, heads, state.seed);
    let (n, dk) = (words.len(), mh.d_k());
    ui.label(format!(
        "X: {n} words, each a fixed random vector of d_model = {D_MODEL} numbers ({n} × {D_MODEL}). {heads} head{} of d_k = {D_MODEL} / {heads} = {dk}: each has its own W_Q, W_K, W_V ({D_MODEL} × {dk}, random from the seed), so its own Q, K, V ({n} × {dk}) and its own weights softmax(QKᵀ/√{dk}) ({n} × {n}):",
        if heads == 1 { "" } else { "s" }
    ));
    let grids: Vec<Grid> = mh
        .heads
        .iter()
        .enumerate()
        .map(|(i, h)| Grid {
            title: format!("head {} weights ({n} × {n})", i + 1),
            values: h.weights.iter().copied().collect(),
            rows: n,
            cols: n,
        })
        .collect();
    side_by_side(
        ui,
        &grids,
        &words,
        &words,
        "attention weight (row: the word reading)",
    );
    ui.add_space(6.0);
    ui.label(format!(
        "Each head's output, weights · V, is {n} × {dk}. Side by side they make the concatenation: {heads} × {dk} = {D_MODEL} columns again, ({n} × {D_MODEL}). Column h2·1 is head 2's first number."
    ));
    let concat_cols: Vec<String> = (0..D_MODEL)
        .map(|j| format!("h{}·{}", j / dk.max(1) + 1, j % dk.max(1) + 1))
        .collect();
    numbers(ui, "concatenation", &mh.concat, &words, &concat_cols);
    ui.label(format!(
        "W_O ({D_MODEL} × {D_MODEL}, random from the seed) mixes the heads: output = concatenation · W_O, ({n} × {D_MODEL})·({D_MODEL} × {D_MODEL}) = ({n} × {D_MODEL}), one vector per word, as wide as it came in."
    ));
    let dims: Vec<String> = (1..=D_MODEL).map(|j| j.to_string()).collect();
    numbers(ui, "W_O", &mh.w_o, &concat_cols, &dims);
    numbers(ui, "output", &mh.output, &words, &dims);
    let diff = (&mh.output - &mh.reference_output())
        .iter()
        .fold(0.0f32, |a, d| a.max(d.abs()));
    ui.label(format!(
        "Check: the same output computed as a model stores the layer (the heads' W_Q, W_K, W_V side by side as {D_MODEL} × {D_MODEL} matrices, one product each; W_O applied head by head, no concatenation) differs by at most {diff:.1e}. Every row of every head sums to 1 (off by at most {:.1e}).",
        mh.row_sum_error()
    ));
}
