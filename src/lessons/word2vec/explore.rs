//! Step 6: exploring the trained vectors: nearest neighbours by cosine, analogies
//! (a − b + c) and the similarity of two words. It uses the last finished run of the training step;
//! during a first run it falls back to the latest snapshot (the most frequent words
//! only). Queries are computed when a word changes, not every frame. Vectors can also be
//! loaded from a word2vec file (text or binary) or a GloVe text file, chosen in a dialog,
//! typed or dropped on the window, on a worker thread with a progress bar.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use egui::RichText;

use super::training::TrainingView;
use crate::files::ChosenFile;
use crate::files::dialog::{self, Dialog, Outcome, Purpose};
use crate::job::{Job, JobState};
use crate::lessons::LessonContext;
use crate::lessons::cache_key::ArcKey;
use crate::model::word2vec::{Embeddings, Neighbour, Snapshot, VectorsError};

/// Neighbours listed per query.
const K: usize = 8;

/// The typed words and the answers for them.
pub struct ExploreView {
    pub word: String,
    pub analogy: [String; 3],
    pub pair: [String; 2],
    /// (source vectors, inputs) the answers below were computed for.
    key: Option<(ArcKey<Embeddings>, String)>,
    pub neighbours: Result<Vec<Neighbour>, String>,
    pub analogies: Result<Vec<Neighbour>, String>,
    pub similarity: Result<f32, String>,
    /// Vectors built from a snapshot, with the snapshot they came from.
    from_snapshot: Option<(ArcKey<Snapshot>, Arc<Embeddings>)>,
    /// The path typed in the "Load vectors from a file" row.
    pub load_path: String,
    /// Whether the typed-path field is shown (on request, or when no dialog can be).
    pub typing_path: bool,
    /// A file dialog in progress.
    dialog: Option<Dialog>,
    /// A file being loaded on a worker thread.
    loading: Option<Loading>,
    /// Why the last load failed, shown in the warning colour.
    pub load_error: Option<String>,
    /// Vectors loaded from a file (file name, vectors); when set, they are queried
    /// instead of the training run's.
    pub loaded: Option<(String, Arc<Embeddings>)>,
}

/// A load in progress: the worker's result, its progress and its cancel flag.
struct Loading {
    job: Job<Result<Embeddings, VectorsError>>,
    /// The fraction read so far, as `f32` bits.
    fraction: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    name: String,
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
            load_path: String::new(),
            typing_path: false,
            dialog: None,
            loading: None,
            load_error: None,
            loaded: None,
        }
    }
}

fn clean(s: &str) -> String {
    s.trim().to_lowercase()
}

impl ExploreView {
    /// True while a file is being loaded.
    pub fn loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Starts loading `self.load_path` on a worker thread.
    pub fn start_load(&mut self, ctx: &egui::Context) {
        let path = self.load_path.trim().to_owned();
        self.load_error = None;
        if path.is_empty() {
            self.load_error = Some("Type the path of a vectors file first.".to_owned());
            return;
        }
        self.start_load_file(ctx, ChosenFile::Path(path.into()));
    }

    /// Starts loading a chosen or dropped vectors file on a worker thread.
    pub fn start_load_file(&mut self, ctx: &egui::Context, file: ChosenFile) {
        self.load_error = None;
        let name = file.short_name();
        let fraction = Arc::new(AtomicU32::new(0f32.to_bits()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (f, c, ctx) = (fraction.clone(), cancel.clone(), ctx.clone());
        let job = Job::once("word2vec-load", move || {
            let mut progress = |x: f32| {
                f.store(x.to_bits(), Ordering::Relaxed);
                ctx.request_repaint();
                !c.load(Ordering::Relaxed)
            };
            let result = match &file {
                ChosenFile::Path(path) => Embeddings::load(path, &mut progress),
                ChosenFile::Bytes { name, bytes } => {
                    Embeddings::from_named_bytes(name, bytes, &mut progress)
                }
            };
            ctx.request_repaint();
            result
        });
        self.loading = Some(Loading {
            job,
            fraction,
            cancel,
            name,
        });
    }

    /// Takes a closed dialog's outcome.
    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(outcome) = self.dialog.as_ref().and_then(Dialog::poll) else {
            return;
        };
        self.dialog = None;
        match outcome {
            Outcome::Chosen(crate::files::Chosen::Files(files)) => {
                if let Some(file) = files.into_iter().next() {
                    self.start_load_file(ctx, file);
                }
            }
            Outcome::Chosen(crate::files::Chosen::Folder(_)) | Outcome::Cancelled => {}
            Outcome::Unavailable => {
                self.typing_path = true;
                self.load_error = Some(dialog::unavailable_message(
                    "type the file's path below, or drop the file on the window.",
                ));
            }
            Outcome::Refused(why) => self.load_error = Some(why),
        }
    }

    /// Collects a finished load, if any.
    fn poll_load(&mut self) {
        let Some(l) = &self.loading else { return };
        match l.job.poll() {
            JobState::Running => {}
            JobState::Done(Ok(e)) => {
                self.loaded = Some((l.name.clone(), Arc::new(e)));
                self.loading = None;
            }
            JobState::Done(Err(e)) => {
                self.load_error = Some(format!("Could not load {}: {e}", l.name));
                self.loading = None;
            }
            JobState::Died => {
                self.load_error = Some(format!("Loading {} stopped unexpectedly.", l.name));
                self.loading = None;
            }
        }
    }

    /// The "Load vectors from a file" row, its progress bar and its error.
    fn load_row(&mut self, ui: &mut egui::Ui) {
        self.poll_load();
        self.poll_dialog(ui.ctx());
        let formats = "The word2vec text format (a \"V D\" header, then a word and D numbers per line), GloVe's (no header), or word2vec's binary format (as Google's News vectors come); the format is read from the file.";
        ui.horizontal(|ui| {
            ui.label("Load vectors from a file:");
            let idle = self.loading.is_none() && self.dialog.is_none();
            if ui
                .add_enabled(idle, egui::Button::new("Choose file…"))
                .on_hover_text(format!(
                    "{formats} You can also drop the file on the window."
                ))
                .clicked()
            {
                self.load_error = None;
                self.dialog = Some(Dialog::open(ui.ctx(), Purpose::Vectors));
            }
            if dialog::PATHS {
                ui.checkbox(&mut self.typing_path, "type a path")
                    .on_hover_text("Type the file's path instead of choosing it in a dialog");
            }
            if dialog::PATHS && self.typing_path {
                ui.add(
                    egui::TextEdit::singleline(&mut self.load_path)
                        .desired_width(260.0)
                        .hint_text("path to a word2vec (.txt or .bin) or GloVe file"),
                )
                .on_hover_text(formats);
                if self.loading.is_none() && ui.button("Load").clicked() {
                    self.start_load(ui.ctx());
                }
            }
            if let Some((name, _)) = &self.loaded
                && self.loading.is_none()
                && ui
                    .button("Use your training run")
                    .on_hover_text(format!(
                        "Forget {name} and query the trained vectors again."
                    ))
                    .clicked()
            {
                self.loaded = None;
            }
        });
        if let Some(l) = &self.loading {
            let fraction = f32::from_bits(l.fraction.load(Ordering::Relaxed));
            let mut cancel = false;
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(260.0)
                        .text(format!("loading {}… {:.0} %", l.name, fraction * 100.0)),
                );
                cancel = ui.button("Cancel").clicked();
            });
            if cancel {
                // The worker stops at its next progress report; nothing waits for it.
                l.cancel.store(true, Ordering::Relaxed);
                self.load_error = Some(format!("Loading {} was cancelled.", l.name));
                self.loading = None;
            } else {
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            }
        }
        if let Some(e) = &self.load_error {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
    }

    /// The vectors to query and a line saying where they come from.
    fn source(&mut self, training: &TrainingView) -> Option<(Arc<Embeddings>, String)> {
        if let Some((name, e)) = &self.loaded {
            return Some((
                e.clone(),
                format!("Source: file {name}, {} words × {} dims.", e.len(), e.dim()),
            ));
        }
        if let Some(r) = &training.result {
            // The result's vectors are shared: nothing is copied on the UI thread.
            let e = Arc::clone(&r.vectors);
            return Some((
                e.clone(),
                format!(
                    "Source: your training run. Using the vectors of the last finished run: {} words, {} numbers each.",
                    e.len(),
                    e.dim()
                ),
            ));
        }
        let snap = training.snapshot.as_ref()?;
        let id = ArcKey::of(snap);
        if self.from_snapshot.as_ref().is_none_or(|(k, _)| *k != id) {
            let e = Embeddings::new(snap.words.to_vec(), snap.dim, snap.vectors.clone()).ok()?;
            self.from_snapshot = Some((id, Arc::new(e)));
        }
        let e = self.from_snapshot.as_ref().map(|(_, e)| e.clone())?;
        Some((
            e.clone(),
            format!(
                "Source: your training run. Training has not finished: using a snapshot of the {} most frequent words at {:.0} %.",
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
        self.load_row(ui);
        ui.add_space(4.0);
        let Some((emb, note)) = self.source(training) else {
            ui.label("There are no trained vectors yet. Train them on the previous step, or here:");
            if training.running() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("training… {:.0} %", training.fraction * 100.0));
                });
            } else if ui
                .button("Train")
                .on_hover_text("Train on the built-in corpus with the lesson's settings (the training step shows the progress).")
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
        let id = ArcKey::of(&emb);
        if self.key.as_ref() != Some(&(id.clone(), inputs.clone())) {
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
