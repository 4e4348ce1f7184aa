//! Step 3: the input representation of the learner's sentence pair: the real
//! WordPiece tokens with their ids in the model's vocabulary and in the original
//! bert-base-uncased one, the three embedding tables' rows and their sum; then a
//! padded batch, its attention mask, and what the mask changes in the outputs.

use std::sync::Arc;

use ndarray::{Array2, s};

use crate::job::Recompute;
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::trace::Trace;
use crate::model::tokenize::ModelInput;
use crate::model::tokenize::bert_base::bert_base_uncased;
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

pub const DEFAULT_SECOND: &str = "It was closed on Sunday.";
/// The third, shortest sentence of the padded batch.
pub const SHORT: &str = "Thank you.";
/// Rows drawn in the embedding heatmaps.
const MAX_ROWS: usize = 24;
/// Dimensions drawn per row.
const SHOWN_DIMS: usize = 16;

/// What the padding demonstration measured.
pub struct Padding {
    /// The batch's tokens, `[PAD]` included, one row per sentence.
    pub rows: Vec<Vec<String>>,
    /// Which entries are real (`true`) or padding.
    pub masks: Vec<Vec<bool>>,
    /// Largest change in the short sentence's real outputs caused by padding it,
    /// with the attention mask and without.
    pub with_mask: f32,
    pub without_mask: f32,
}

pub struct Computed {
    pub input: ModelInput,
    pub trace: Trace,
    pub padding: Result<Padding, String>,
}

type Key = (String, String, ArcKey<PretrainedBert>);

pub struct State {
    pub second: String,
    /// On a worker once it has proved slow (two forward passes and the padding runs).
    cache: Recompute<Key, Result<Computed, String>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            second: DEFAULT_SECOND.to_owned(),
            cache: Recompute::default(),
        }
    }
}

/// The largest absolute difference between the first `n` rows of two outputs.
fn max_diff(a: &Array2<f32>, b: &Array2<f32>, n: usize) -> f32 {
    let a = a.slice(s![..n, ..]);
    let b = b.slice(s![..n, ..]);
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn last_hidden(trace: &Trace) -> Option<&Array2<f32>> {
    trace.layers.last().map(|l| &l.output)
}

/// Pads `[sentence, second, SHORT]` to one length and runs the shortest of them
/// alone, padded with the mask, and padded without it.
pub fn padding(bert: &PretrainedBert, sentence: &str, second: &str) -> Result<Padding, String> {
    let pad = bert
        .model
        .tokenizer
        .token_to_id("[PAD]")
        .ok_or("the vocabulary has no [PAD] token")?;
    let inputs: Vec<ModelInput> = [sentence, second, SHORT]
        .iter()
        .map(|t| bert.fit(bert.model.encode(t, None)))
        .collect();
    let width = inputs.iter().map(|i| i.ids.len()).max().unwrap_or(0);
    let rows = inputs
        .iter()
        .map(|i| {
            let mut r = i.tokens.clone();
            r.resize(width, "[PAD]".to_owned());
            r
        })
        .collect();
    let masks = inputs
        .iter()
        .map(|i| (0..width).map(|j| j < i.ids.len()).collect())
        .collect();
    let short = inputs
        .iter()
        .min_by_key(|i| i.ids.len())
        .ok_or("no sentence")?;
    let n = short.ids.len();
    let mut padded = ModelInput::from_ids(short.ids.clone());
    padded.ids.resize(width, pad);
    padded.tokens = short.tokens.clone();
    padded.tokens.resize(width, "[PAD]".to_owned());
    padded.type_ids = vec![0; width];
    padded.offsets = vec![(0, 0); width];
    padded.special_mask = vec![false; width];
    let mask: Vec<bool> = (0..width).map(|j| j < n).collect();
    let alone = bert.run_masked(short, None)?;
    let with = bert.run_masked(&padded, Some(mask))?;
    let without = bert.run_masked(&padded, None)?;
    let (Some(a), Some(w), Some(wo)) = (
        last_hidden(&alone),
        last_hidden(&with),
        last_hidden(&without),
    ) else {
        return Err("the model has no layers".into());
    };
    Ok(Padding {
        rows,
        masks,
        with_mask: max_diff(a, w, n),
        without_mask: max_diff(a, wo, n),
    })
}

fn compute(bert: &PretrainedBert, sentence: &str, second: &str) -> Result<Computed, String> {
    let input = bert.fit(bert.model.encode(sentence, Some(second)));
    let trace = bert.run_masked(&input, None)?;
    Ok(Computed {
        padding: padding(bert, sentence, second),
        input,
        trace,
    })
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: &Arc<PretrainedBert>, sentence: &str) {
    ui.horizontal(|ui| {
        ui.label("Sentence A is yours; sentence B:");
        ui.add(
            egui::TextEdit::singleline(&mut state.second)
                .char_limit(300)
                .desired_width(300.0),
        );
    });
    let key = (
        sentence.to_owned(),
        state.second.clone(),
        ArcKey(bert.clone()),
    );
    let Some(result) = state
        .cache
        .get(ui.ctx(), &key, |(a, b, bert)| compute(&bert.0, a, b))
    else {
        super::computing(ui);
        return;
    };
    let c = match result {
        Ok(c) => c,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
            return;
        }
    };
    token_table(ui, bert, &c.input);
    ui.separator();
    embeddings(ui, &c.input, &c.trace);
    ui.separator();
    match &c.padding {
        Ok(p) => padding_view(ui, p),
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
    }
}

fn token_table(ui: &mut egui::Ui, bert: &PretrainedBert, input: &ModelInput) {
    let original = bert_base_uncased();
    ui.strong(format!(
        "[CLS] A [SEP] B [SEP]: {} tokens; ids in the built-in model's vocabulary ({} tokens) and in bert-base-uncased's ({})",
        input.ids.len(),
        bert.model.tokenizer.vocab_size(),
        original.vocab_size()
    ));
    egui::ScrollArea::horizontal()
        .id_salt("bert-input-tokens")
        .show(ui, |ui| {
            egui::Grid::new("bert-input-grid")
                .striped(true)
                .spacing([6.0, 2.0])
                .show(ui, |ui| {
                    ui.label("position");
                    for i in 0..input.ids.len() {
                        ui.monospace(i.to_string());
                    }
                    ui.end_row();
                    ui.label("token");
                    for t in &input.tokens {
                        ui.monospace(t).on_hover_text(format!(
                            "bert-base-uncased: {}",
                            original
                                .token_to_id(t)
                                .map_or("not in its vocabulary".to_owned(), |id| id.to_string())
                        ));
                    }
                    ui.end_row();
                    ui.label("segment");
                    for s in &input.type_ids {
                        ui.monospace(if *s == 0 { "A" } else { "B" });
                    }
                    ui.end_row();
                    ui.label("id (built-in)");
                    for id in &input.ids {
                        ui.monospace(id.to_string());
                    }
                    ui.end_row();
                    ui.label("id (bert-base)");
                    for t in &input.tokens {
                        ui.monospace(
                            original
                                .token_to_id(t)
                                .map_or("–".to_owned(), |i| i.to_string()),
                        );
                    }
                    ui.end_row();
                });
        });
    ui.small("Special tokens in bert-base-uncased: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103. \"–\": bert-base splits this word differently.");
}

fn embeddings(ui: &mut egui::Ui, input: &ModelInput, trace: &Trace) {
    let e = &trace.embeddings;
    let n = input.ids.len().min(MAX_ROWS);
    let hidden = e.sum.ncols();
    // A projector needs cells big enough to read: the first dimensions only.
    let dims = hidden.min(SHOWN_DIMS);
    let labels: Vec<String> = input.tokens[..n].to_vec();
    ui.strong(format!(
        "Three table look-ups, added: each row is one token, its first {dims} of {hidden} numbers (hover for values)"
    ));
    let parts: [(&str, &Array2<f32>); 4] = [
        ("word-piece embedding (a row per token id)", &e.token),
        ("segment embedding (A or B)", &e.segment),
        (
            "position embedding (learned, a row per position)",
            &e.position,
        ),
        ("sum: what layer 1 receives, before LayerNorm", &e.sum),
    ];
    let all: Vec<f32> = parts
        .iter()
        .flat_map(|(_, m)| m.slice(s![..n, ..dims]).iter().copied().collect::<Vec<_>>())
        .collect();
    let scale = Scale::diverging_for(&all);
    // Labels need cells of 9 points; four tables stacked still fit a screen.
    let cell = 10.0;
    for (i, (title, m)) in parts.iter().enumerate() {
        let values: Vec<f32> = m.slice(s![..n, ..dims]).iter().copied().collect();
        ui.label(*title);
        Heatmap::new(title, &values, n, dims)
            .labels(&labels, &[])
            .scale(scale)
            .max_cell(cell)
            .unit("value (one scale for all four)")
            .legend(i + 1 == parts.len())
            .show(ui);
    }
    if input.ids.len() > n {
        ui.small(format!(
            "The first {n} of {} rows are drawn.",
            input.ids.len()
        ));
    }
}

fn padding_view(ui: &mut egui::Ui, p: &Padding) {
    ui.strong("A batch pads every sentence to the longest; the attention mask hides the [PAD]s");
    egui::ScrollArea::horizontal()
        .id_salt("bert-padding")
        .show(ui, |ui| {
            egui::Grid::new("bert-padding-grid")
                .spacing([4.0, 2.0])
                .show(ui, |ui| {
                    for (row, mask) in p.rows.iter().zip(&p.masks) {
                        for (t, &real) in row.iter().zip(mask) {
                            let text = egui::RichText::new(t).monospace();
                            if real {
                                ui.label(text);
                            } else {
                                ui.label(text.weak()).on_hover_text("padding: mask 0");
                            }
                        }
                        ui.end_row();
                        for &real in mask {
                            ui.small(if real { "1" } else { "0" });
                        }
                        ui.end_row();
                    }
                });
        });
    let with = if p.with_mask == 0.0 {
        "not at all".to_owned()
    } else {
        format!("at most {:.1e} (rounding)", p.with_mask)
    };
    ui.add(
        egui::Label::new(format!(
            "The shortest sentence run alone and run padded: with the mask its final outputs change {with}; without the mask, by up to {:.3}: its tokens attended to the [PAD]s.",
            p.without_mask
        ))
        .wrap(),
    );
}
