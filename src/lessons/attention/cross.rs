//! Step "cross-attention": queries from a target sentence, keys and values from a
//! source sentence, on the history lesson's translation pairs. The word vectors are
//! built from the pair's alignment links (said on screen); the weights are computed
//! by the same scaled dot product as every other step and compared with the links.
//! Below, the decoder loop ([`super::decoder_loop`]).

use std::sync::Arc;

use crate::lessons::LessonContext;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::cross_attention::Translation;
use crate::model::history::alignment::{AlignmentPair, Word, builtin_pairs};
use crate::model::multi_head::top_key;
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

use super::decoder_loop;

/// Width of the constructed word vectors.
pub const D: usize = 16;

#[derive(Default)]
pub struct State {
    /// Index into the history lesson's pairs.
    pub pair: usize,
    /// Translate the other way (target → source).
    pub reversed: bool,
    pub decoder: decoder_loop::State,
    /// The pairs, read once.
    pairs: Option<Result<Vec<AlignmentPair>, String>>,
}

/// "Japanese" for "ja": the pairs give their languages as codes.
fn language(code: &str) -> &str {
    match code {
        "ja" => "Japanese",
        "en" => "English",
        other => other,
    }
}

/// "映画館 (eigakan)": a word with its reading when it has one.
pub fn word_label(w: &Word) -> String {
    match &w.reading {
        Some(r) => format!("{} ({r})", w.text),
        None => w.text.clone(),
    }
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    _cx: &LessonContext<'_>,
    _bert: Option<&Arc<PretrainedBert>>,
) {
    let pairs = state
        .pairs
        .get_or_insert_with(|| builtin_pairs().map_err(|e| e.to_string()));
    let pairs = match pairs {
        Ok(p) if !p.is_empty() => p.clone(),
        Ok(_) => {
            ui.label("The history lesson has no translation pairs to show.");
            return;
        }
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e.as_str());
            return;
        }
    };
    ui.horizontal_wrapped(|ui| {
        ui.label("Pair:");
        for (i, p) in pairs.iter().enumerate() {
            ui.selectable_value(&mut state.pair, i, &p.title)
                .on_hover_text(&p.note);
        }
    });
    ui.checkbox(&mut state.reversed, "translate the other way")
        .on_hover_text("Swap the two sentences: queries from the other side");
    let base = &pairs[state.pair.min(pairs.len() - 1)];
    let pair = if state.reversed {
        base.reversed()
    } else {
        base.clone()
    };
    let tr = Translation::from_pair(&pair, D);
    let src: Vec<String> = pair.source.iter().map(word_label).collect();
    let tgt: Vec<String> = pair.target.iter().map(word_label).collect();
    let (s, t) = (src.len(), tgt.len());
    ui.label(format!(
        "Constructed: each {} word is a fixed random vector of {D} numbers, and each {} word the mean of the vectors of the words the history lesson's alignment table links it to (its own random vector if it has none). Computed: queries Q from the {t} target words ({t} × {D}), keys K and values V from the {s} source words ({s} × {D}), weights softmax(QKᵀ/√{D}) ({t} × {s}).",
        language(&pair.source_lang),
        language(&pair.target_lang)
    ));
    let w = tr.cross_weights(); // (T × S)
    let values: Vec<f32> = w.iter().copied().collect();
    ui.strong(format!("Cross-attention weights ({t} × {s})"));
    Heatmap::new("cross-attention weights", &values, t, s)
        .labels(&tgt, &src)
        .scale(Scale::Probability)
        .max_cell(44.0)
        .show_values(true)
        .unit("weight (row: the target word reading)")
        .show(ui);
    compare_with_links(ui, &tr, &w, &src, &tgt);
    ui.small("The built-in model is an encoder only, like BERT: it has no decoder and no cross-attention, so these numbers come from the constructed vectors.");
    ui.add_space(10.0);
    ui.separator();
    decoder_loop::show(ui, &mut state.decoder, &tr, &pair, &src);
}

/// Each target word: the source words the table links it to, and where its
/// computed weights are largest.
fn compare_with_links(
    ui: &mut egui::Ui,
    tr: &Translation,
    w: &ndarray::Array2<f32>,
    src: &[String],
    tgt: &[String],
) {
    ui.label("The alignment table's links beside the largest weight of each row:");
    let (mut linked_rows, mut agree) = (0, 0);
    egui::Grid::new("cross-links")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            ui.strong("target word");
            ui.strong("linked in the table");
            ui.strong("largest weight");
            ui.strong("agrees");
            ui.end_row();
            for (i, label) in tgt.iter().enumerate() {
                let linked = tr.linked_to(i);
                ui.label(label);
                let names: Vec<&str> = linked
                    .iter()
                    .filter_map(|&j| src.get(j).map(String::as_str))
                    .collect();
                ui.label(if names.is_empty() {
                    "— (no link)".to_owned()
                } else {
                    names.join(", ")
                });
                let top = top_key(w.row(i));
                match top {
                    Some((j, v)) => ui.label(format!("{} ({v:.2})", src[j])),
                    None => ui.label("—"),
                };
                if linked.is_empty() {
                    ui.label("—");
                } else {
                    linked_rows += 1;
                    let ok = top.is_some_and(|(j, _)| linked.contains(&j));
                    agree += usize::from(ok);
                    ui.label(if ok { "✔" } else { "✘" });
                }
                ui.end_row();
            }
        });
    ui.label(format!(
        "On {agree} of the {linked_rows} linked target words the largest weight falls on a word the table links."
    ));
}
