//! Step 6: exploring the trained vectors: nearest neighbours by cosine, analogies
//! (a − b + c) and the similarity of two words. It uses the last finished run of step 5;
//! during a first run it falls back to the latest snapshot (the most frequent words
//! only). Queries are computed when a word changes, not every frame.

use std::sync::Arc;

use egui::RichText;

use super::training::TrainingView;
use crate::lessons::LessonContext;
use crate::model::word2vec::{Embeddings, Neighbour};

/// Neighbours listed per query.
const K: usize = 8;

/// The typed words and the answers for them.
pub struct ExploreView {
    pub word: String,
    pub analogy: [String; 3],
    pub pair: [String; 2],
    /// (source id, inputs) the answers below were computed for.
    key: Option<(usize, String)>,
    pub neighbours: Result<Vec<Neighbour>, String>,
    pub analogies: Result<Vec<Neighbour>, String>,
    pub similarity: Result<f32, String>,
    /// Vectors built from a snapshot, with the snapshot's address.
    from_snapshot: Option<(usize, Arc<Embeddings>)>,
}

impl Default for ExploreView {
    fn default() -> Self {
        ExploreView {
            word: "oil".to_owned(),
            analogy: ["king".to_owned(), "man".to_owned(), "woman".to_owned()],
            pair: ["war".to_owned(), "peace".to_owned()],
            key: None,
            neighbours: Ok(Vec::new()),
            analogies: Ok(Vec::new()),
            similarity: Ok(0.0),
            from_snapshot: None,
        }
    }
}

fn clean(s: &str) -> String {
    s.trim().to_lowercase()
}

impl ExploreView {
    /// The vectors to query and a line saying where they come from.
    fn source(&mut self, training: &TrainingView) -> Option<(usize, Arc<Embeddings>, String)> {
        if let Some(r) = &training.result {
            let id = Arc::as_ptr(r) as usize;
            // Cheap: the result is shared, the Embeddings are cloned once per new result.
            if self.from_snapshot.as_ref().is_none_or(|(k, _)| *k != id) {
                self.from_snapshot = Some((id, Arc::new(r.vectors.clone())));
            }
            let e = self.from_snapshot.as_ref().map(|(_, e)| e.clone())?;
            return Some((
                id,
                e.clone(),
                format!(
                    "Using the vectors of the last finished run: {} words, {} numbers each.",
                    e.len(),
                    e.dim()
                ),
            ));
        }
        let snap = training.snapshot.as_ref()?;
        let id = Arc::as_ptr(snap) as usize;
        if self.from_snapshot.as_ref().is_none_or(|(k, _)| *k != id) {
            let e = Embeddings::new(snap.words.to_vec(), snap.dim, snap.vectors.clone()).ok()?;
            self.from_snapshot = Some((id, Arc::new(e)));
        }
        let e = self.from_snapshot.as_ref().map(|(_, e)| e.clone())?;
        Some((
            id,
            e.clone(),
            format!(
                "Training has not finished: using a snapshot of the {} most frequent words at {:.0} %.",
                e.len(),
                snap.fraction * 100.0
            ),
        ))
    }

    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        _cx: &LessonContext<'_>,
        training: &mut TrainingView,
    ) {
        let Some((id, emb, note)) = self.source(training) else {
            ui.label("There are no trained vectors yet. Train them on the previous step, or here:");
            if training.running() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("training… {:.0} %", training.fraction * 100.0));
                });
            } else if ui
                .button("Train")
                .on_hover_text("Train on the built-in corpus with the lesson's settings (step 5 shows the progress).")
                .clicked()
            {
                let config = training.config.clone();
                training.start(super::training::BuiltinCorpus, config);
            }
            return;
        };
        ui.label(note);
        ui.add_space(4.0);

        ui.strong("Nearest neighbours");
        ui.horizontal(|ui| {
            ui.label("word:");
            ui.add(egui::TextEdit::singleline(&mut self.word).desired_width(120.0))
                .on_hover_text("Any word of the corpus vocabulary, e.g. oil, school, germany.");
        });
        ui.strong("Analogy: a − b + c");
        ui.horizontal(|ui| {
            for (i, hint) in ["a (e.g. king)", "b (e.g. man)", "c (e.g. woman)"]
                .iter()
                .enumerate()
            {
                if i > 0 {
                    ui.label(if i == 1 { "−" } else { "+" });
                }
                ui.add(
                    egui::TextEdit::singleline(&mut self.analogy[i])
                        .desired_width(80.0)
                        .hint_text(*hint),
                );
            }
        });
        ui.strong("Similarity of two words");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.pair[0]).desired_width(100.0));
            ui.label("and");
            ui.add(egui::TextEdit::singleline(&mut self.pair[1]).desired_width(100.0));
        });

        let inputs = format!(
            "{}|{}|{}|{}|{}|{}",
            self.word,
            self.analogy[0],
            self.analogy[1],
            self.analogy[2],
            self.pair[0],
            self.pair[1]
        );
        if self.key.as_ref() != Some(&(id, inputs.clone())) {
            self.key = Some((id, inputs));
            self.neighbours = emb
                .nearest(&clean(&self.word), K)
                .map_err(|e| e.to_string());
            let [a, b, c] = &self.analogy;
            self.analogies = emb
                .analogy(&clean(a), &clean(b), &clean(c), K)
                .map_err(|e| e.to_string());
            let [p, q] = &self.pair;
            self.similarity = emb
                .similarity(&clean(p), &clean(q))
                .ok_or_else(|| "one of the two words has no vector".to_owned());
        }

        ui.separator();
        ui.columns(2, |cols| {
            cols[0].strong(format!("Nearest to \"{}\"", clean(&self.word)));
            neighbour_list(&mut cols[0], &self.neighbours);
            let [a, b, c] = &self.analogy;
            cols[1].strong(format!("{} − {} + {} ≈", clean(a), clean(b), clean(c)));
            neighbour_list(&mut cols[1], &self.analogies);
        });
        ui.separator();
        match &self.similarity {
            Ok(s) => {
                ui.label(
                    RichText::new(format!(
                        "cosine similarity of \"{}\" and \"{}\": {s:.3}",
                        clean(&self.pair[0]),
                        clean(&self.pair[1])
                    ))
                    .strong(),
                )
                .on_hover_text(
                    "cos = u·v / (|u| |v|): 1 = same direction, 0 = unrelated, −1 = opposite.",
                );
            }
            Err(e) => {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
        }
        ui.add_space(6.0);
        ui.label(RichText::new("An honest note: the built-in corpus has about 2 million words; the vectors people use were trained on billions. Common words get sensible neighbours, but analogies often fail and rare words are noisy.").italics());
    }
}

/// The neighbours as "word  0.83" lines, or why there are none.
fn neighbour_list(ui: &mut egui::Ui, list: &Result<Vec<Neighbour>, String>) {
    match list {
        Ok(list) if list.is_empty() => {
            ui.label("no other words");
        }
        Ok(list) => {
            egui::Grid::new(ui.next_auto_id())
                .striped(true)
                .show(ui, |ui| {
                    for n in list {
                        ui.label(RichText::new(&n.word).monospace());
                        ui.label(format!("{:.3}", n.similarity))
                            .on_hover_text("cosine similarity to the query (1 = same direction)");
                        ui.end_row();
                    }
                });
        }
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
    }
}
