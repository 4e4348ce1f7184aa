//! Step 5: next-sentence prediction. The learner's sentence and a second one (or a
//! random pair from the corpus, half of them consecutive) go in as `[CLS] A [SEP] B
//! [SEP]`; `[CLS]`'s last hidden state goes through the pooler and the two-way head.

use std::sync::Arc;

use crate::job::Recompute;
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::pretrained::{NspResult, PretrainedBert};
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use crate::widgets::bar::value_bar;

/// Characters of a corpus paragraph put in a pair (the model reads at most its
/// positions anyway).
const PARAGRAPH_CHARS: usize = 240;

/// A pair drawn from the corpus, with the truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusPair {
    pub a: String,
    pub b: String,
    pub is_next: bool,
    /// Where each came from, e.g. `1962-Kennedy-1 ¶12`.
    pub source: String,
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(PARAGRAPH_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Half the time a paragraph and the one after it; otherwise a paragraph from
/// another address within ten years (so era and style give nothing away).
pub fn corpus_pair(corpus: &Corpus, seed: u64) -> Option<CorpusPair> {
    let docs = corpus.documents();
    let mut rng = SplitMix64::new(seed);
    let paragraphs = |d: usize| -> Vec<&str> {
        docs[d]
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    };
    for _ in 0..20 {
        let d = rng.below(docs.len().max(1));
        let paras = paragraphs(d);
        if paras.len() < 2 {
            continue;
        }
        let i = rng.below(paras.len() - 1);
        if rng.next_f32() < 0.5 {
            return Some(CorpusPair {
                a: cut(paras[i]),
                b: cut(paras[i + 1]),
                is_next: true,
                source: format!("{} ¶{} and ¶{}", docs[d].id, i + 1, i + 2),
            });
        }
        let year = docs[d].year.unwrap_or(0);
        let near: Vec<usize> = (0..docs.len())
            .filter(|&o| o != d && docs[o].year.unwrap_or(0).abs_diff(year) <= 10)
            .collect();
        if near.is_empty() {
            continue;
        }
        let o = near[rng.below(near.len())];
        let other = paragraphs(o);
        if other.is_empty() {
            continue;
        }
        let j = rng.below(other.len());
        return Some(CorpusPair {
            a: cut(paras[i]),
            b: cut(other[j]),
            is_next: false,
            source: format!("{} ¶{} and {} ¶{}", docs[d].id, i + 1, docs[o].id, j + 1),
        });
    }
    None
}

type Key = (String, String, ArcKey<PretrainedBert>);

pub struct State {
    pub second: String,
    /// A corpus pair replaces the learner's pair until they edit sentence B.
    pub pair: Option<CorpusPair>,
    pub seed: u64,
    /// On a worker once it has proved slow.
    cache: Recompute<Key, Result<Option<NspResult>, String>>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            second: super::input::DEFAULT_SECOND.to_owned(),
            pair: None,
            seed: 0,
            cache: Recompute::default(),
        }
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: &Arc<PretrainedBert>, sentence: &str) {
    ui.horizontal(|ui| {
        ui.label("Sentence B:");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut state.second)
                .char_limit(300)
                .desired_width(300.0),
        );
        if edit.changed() {
            state.pair = None;
        }
    });
    ui.horizontal(|ui| {
        if ui
            .button("Random pair from the corpus")
            .on_hover_text("Half the time two consecutive paragraphs, otherwise a paragraph from another address of the same decade")
            .clicked()
        {
            state.seed += 1;
            state.pair = corpus_pair(Corpus::builtin(), state.seed);
        }
        if state.pair.is_some() && ui.button("Back to my sentence").clicked() {
            state.pair = None;
        }
    });
    let (a, b) = match &state.pair {
        Some(p) => (p.a.clone(), p.b.clone()),
        None => (sentence.to_owned(), state.second.clone()),
    };
    egui::Grid::new("bert-nsp-pair")
        .num_columns(2)
        .show(ui, |ui| {
            ui.strong("A");
            ui.label(&a);
            ui.end_row();
            ui.strong("B");
            ui.label(&b);
            ui.end_row();
        });
    if let Some(p) = &state.pair {
        ui.small(format!(
            "From {}; truth: {}",
            p.source,
            if p.is_next {
                "B follows A (IsNext)"
            } else {
                "B is from elsewhere (NotNext)"
            }
        ));
    }
    let key = (a.clone(), b.clone(), ArcKey(bert.clone()));
    let Some(result) = state.cache.get(ui.ctx(), &key, |(a, b, bert)| {
        let input = bert.0.fit(bert.0.model.encode(a, Some(b)));
        bert.0.run_masked(&input, None).map(|t| bert.0.nsp(&t))
    }) else {
        super::computing(ui);
        return;
    };
    match result {
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
        Ok(None) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "This model has no next-sentence head (bert.pooler and cls.seq_relationship): it was trained on masked words only.",
            );
        }
        Ok(Some(r)) => {
            ui.separator();
            ui.label("[CLS]'s last hidden state → pooler (dense, tanh) → 2 logits → softmax");
            ui.horizontal(|ui| {
                ui.label("P(IsNext)");
                value_bar(
                    ui,
                    r.is_next,
                    egui::vec2(260.0, 16.0),
                    egui::Color32::from_rgb(44, 160, 44),
                    Some(egui::Color32::from_rgb(214, 39, 40).gamma_multiply(0.5)),
                    format!(
                        "logits: IsNext {:.3}, NotNext {:.3}",
                        r.logits[0], r.logits[1]
                    ),
                );
                ui.label(format!(
                    "{:.1} % IsNext · {:.1} % NotNext",
                    100.0 * r.is_next,
                    100.0 * (1.0 - r.is_next)
                ));
            });
            ui.small("Green: IsNext, red: NotNext. Hover for the logits.");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn corpus_pairs_are_half_consecutive() {
        let corpus = crate::model::text::corpus::Corpus::builtin();
        let pairs: Vec<_> = (0..200)
            .filter_map(|s| super::corpus_pair(corpus, s))
            .collect();
        assert_eq!(pairs.len(), 200);
        let next = pairs.iter().filter(|p| p.is_next).count();
        assert!((70..130).contains(&next), "{next}");
    }
}
