//! Step 1: encoder-only. Who may attend to whom in BERT (everyone) and in GPT (only
//! the left), drawn for the learner's sentence; then the same blank filled from both
//! sides and from the left alone.

use std::sync::Arc;

use crate::job::Recompute;
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::trace::Prediction;
use crate::widgets::Heatmap;
use crate::widgets::bar::value_bar;
use crate::widgets::colormap::Scale;

/// Tokens drawn in the mask heatmaps (a longer sentence is cut, with a note).
const MAX_SHOWN: usize = 16;
pub const DEFAULT_BLANK: &str = "A man was [MASK] on the river.";

/// Guesses for one blank: read from both sides, and from the left only.
type Guesses = Result<(Vec<Prediction>, Vec<Prediction>), String>;

pub struct State {
    pub text: String,
    /// On a worker once it has proved slow.
    cache: Recompute<(String, ArcKey<PretrainedBert>), Guesses>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            text: DEFAULT_BLANK.to_owned(),
            cache: Recompute::default(),
        }
    }
}

/// Both readings of the first `[MASK]` in `text`: the whole text, and the text cut
/// right after the blank (what a left-to-right model has seen when it must guess).
pub fn both_readings(bert: &PretrainedBert, text: &str) -> Guesses {
    let Some(at) = text.find("[MASK]") else {
        return Err("Write [MASK] where the model should guess a word.".into());
    };
    let left = &text[..at + "[MASK]".len()];
    let guess = |t: &str, cut: bool| -> Result<Vec<Prediction>, String> {
        let mut input = bert.fit(bert.model.encode(t, None));
        if cut {
            // No closing [SEP] either: it would tell the model the text ends here.
            input.ids.pop();
            input.tokens.pop();
            input.offsets.pop();
            input.type_ids.pop();
            input.special_mask.pop();
        }
        let pos = input
            .tokens
            .iter()
            .position(|t| t == "[MASK]")
            .ok_or("the blank fell past the model's positions")?;
        let trace = bert.run(&input, 5)?;
        Ok(PretrainedBert::guesses(&trace, pos).to_vec())
    };
    Ok((guess(text, false)?, guess(left, true)?))
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: &Arc<PretrainedBert>, sentence: &str) {
    let input = bert.fit(bert.model.encode(sentence, None));
    let n = input.tokens.len().min(MAX_SHOWN);
    let labels: Vec<String> = input.tokens[..n].to_vec();
    let both = vec![1.0f32; n * n];
    let causal: Vec<f32> = (0..n * n)
        .map(|i| if i % n <= i / n { 1.0 } else { 0.0 })
        .collect();
    ui.strong("Who may look at whom: row = the token reading, column = the token read; dark (1) = may attend, pale (0) = hidden");
    let cell = ((ui.available_width() / 2.0 - 110.0) / n.max(1) as f32).clamp(6.0, 20.0);
    ui.columns(2, |cols| {
        cols[0].label("BERT (encoder): every token sees every token");
        Heatmap::new("BERT attention mask", &both, n, n)
            .labels(&labels, &labels)
            .scale(Scale::Probability)
            .max_cell(cell)
            .legend(false)
            .show(&mut cols[0]);
        cols[1].label("GPT (decoder): itself and the tokens to its left");
        Heatmap::new("GPT causal mask", &causal, n, n)
            .labels(&labels, &labels)
            .scale(Scale::Probability)
            .max_cell(cell)
            .show(&mut cols[1]);
    });
    if input.tokens.len() > n {
        ui.small(format!(
            "The first {n} of your sentence's {} tokens are drawn.",
            input.tokens.len()
        ));
    }

    ui.separator();
    ui.strong("Fill the blank: from both sides, and from the left only");
    ui.horizontal(|ui| {
        ui.label("Text:");
        ui.add(
            egui::TextEdit::singleline(&mut state.text)
                .char_limit(300)
                .desired_width(360.0),
        )
        .on_hover_text("Write [MASK] where the model should guess a word");
        if ui.button("Reset").clicked() {
            state.text = DEFAULT_BLANK.to_owned();
        }
    });
    let key = (state.text.clone(), ArcKey(bert.clone()));
    let Some(result) = state
        .cache
        .get(ui.ctx(), &key, |(text, bert)| both_readings(&bert.0, text))
    else {
        super::computing(ui);
        return;
    };
    match result {
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
        Ok((both, left)) => {
            let cut = state
                .text
                .find("[MASK]")
                .map_or(state.text.as_str(), |at| &state.text[..at + 6]);
            ui.horizontal_top(|ui| {
                guess_column(ui, bert, "Both sides (BERT)", &state.text, both);
                ui.add_space(24.0);
                guess_column(ui, bert, "Left only (what GPT has seen)", cut, left);
            });
        }
    }
}

fn guess_column(
    ui: &mut egui::Ui,
    bert: &PretrainedBert,
    title: &str,
    seen: &str,
    guesses: &[Prediction],
) {
    ui.vertical(|ui| {
        ui.strong(title);
        ui.small(format!("reads: {}", crate::lessons::bert::quote(seen)));
        guess_bars(ui, bert, guesses);
    });
}

/// One row per guess: the word, a bar as long as its probability, the percentage.
pub fn guess_bars(ui: &mut egui::Ui, bert: &PretrainedBert, guesses: &[Prediction]) {
    if guesses.is_empty() {
        ui.label("This model has no masked-word head.");
        return;
    }
    egui::Grid::new(ui.next_auto_id())
        .num_columns(3)
        .spacing([8.0, 2.0])
        .show(ui, |ui| {
            for g in guesses {
                let word = bert.model.tokenizer.id_to_token(g.id).unwrap_or("?");
                ui.monospace(word);
                value_bar(
                    ui,
                    g.prob,
                    egui::vec2(120.0, 12.0),
                    ui.visuals().selection.bg_fill,
                    None,
                    format!("P({word}) = {:.4}", g.prob),
                );
                ui.label(format!("{:.1} %", 100.0 * g.prob));
                ui.end_row();
            }
        });
}
