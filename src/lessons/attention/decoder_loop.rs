//! The decoder loop of the original Transformer, stepped by the learner: at pass t
//! the decoder reads `<s>` and the target words so far under a causal mask (a t × t
//! grid whose upper triangle is 0), attends to the source, and appends one more
//! token, until the stop token. The next token is the reference translation's
//! (teacher forcing), and the view says so.

use crate::model::cross_attention::{EOS, Translation};
use crate::model::history::alignment::AlignmentPair;
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

use super::cross::word_label;

pub struct State {
    /// The pass shown, 1-based: the decoder has read `step` tokens.
    pub step: usize,
    /// The pair the loop runs on; another pair restarts it.
    pair_id: String,
}

impl Default for State {
    fn default() -> Self {
        Self {
            step: 1,
            pair_id: String::new(),
        }
    }
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    tr: &Translation,
    pair: &AlignmentPair,
    src: &[String],
) {
    if state.pair_id != pair.id {
        state.pair_id = pair.id.clone();
        state.step = 1;
    }
    let steps = tr.steps();
    state.step = state.step.clamp(1, steps);
    ui.strong("The decoder loop");
    ui.label(format!(
        "The decoder writes the translation one token at a time: it reads the encoded source (its keys and values) and the tokens written so far, starting with <s>, and adds one more token, until it writes the stop token {EOS}."
    ));
    ui.horizontal(|ui| {
        let more = state.step < steps;
        if ui
            .add_enabled(more, egui::Button::new("Next token ▶"))
            .on_hover_text("Append the next token and run the decoder again")
            .clicked()
        {
            state.step += 1;
        }
        if ui
            .add_enabled(state.step > 1, egui::Button::new("⟲ Reset loop"))
            .on_hover_text("Back to <s> alone")
            .clicked()
        {
            state.step = 1;
        }
        ui.label(format!("pass {} of {steps}", state.step));
    });
    let ds = tr.decoder_step(state.step);
    let t = ds.tokens.len();
    let tokens: Vec<String> = std::iter::once(ds.tokens[0].clone())
        .chain(pair.target.iter().take(t - 1).map(word_label))
        .collect();
    ui.label(format!(
        "Decoder input ({t} token{}): {}",
        if t == 1 { "" } else { "s" },
        tokens.join(" ")
    ));

    let masked = t * (t - 1) / 2;
    ui.strong(format!("Decoder self-attention, causal ({t} × {t})"));
    ui.label(format!(
        "{masked} of {} cells are above the diagonal: masked, weight exactly 0. Each token sees itself and the tokens before it.",
        t * t
    ));
    let values: Vec<f32> = ds.self_weights.iter().copied().collect();
    Heatmap::new("decoder self-attention", &values, t, t)
        .labels(&tokens, &tokens)
        .scale(Scale::Probability)
        .max_cell(36.0)
        .show_values(true)
        .unit("weight (row: the token reading)")
        .show(ui);
    let s = src.len();
    ui.strong(format!("Cross-attention to the source ({t} × {s})"));
    ui.label("Queries: each token's vector plus its self-attention output (the residual connection), normalised; keys and values: the source vectors above.");
    let values: Vec<f32> = ds.cross_weights.iter().copied().collect();
    Heatmap::new("decoder cross-attention", &values, t, s)
        .labels(&tokens, src)
        .scale(Scale::Probability)
        .max_cell(36.0)
        .show_values(true)
        .unit("weight (row: the token reading)")
        .show(ui);
    ui.add_space(4.0);
    if ds.stops() {
        let written: Vec<String> = pair.target.iter().map(word_label).collect();
        ui.strong(format!(
            "Next token: {EOS}, the stop token. The loop ends after {steps} passes with: {}",
            written.join(" ")
        ));
    } else {
        ui.strong(format!("Next token: {}", word_label_of(pair, t - 1)));
    }
    ui.label("The next word is taken from the reference translation: a trained decoder would predict it from these attentions.");
}

fn word_label_of(pair: &AlignmentPair, i: usize) -> String {
    pair.target.get(i).map(word_label).unwrap_or_default()
}
