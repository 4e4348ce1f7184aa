//! The tokenisers the lesson compares, prepared off the UI thread: the corpus-trained
//! ones (characters, words, BPE, WordPiece, Unigram, trained together in steps by
//! [`SuiteRun`]), the real GPT vocabularies (parsed once from the shipped rank files),
//! and an optional BERT vocabulary the learner opens.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use egui::RichText;

use crate::model::tokenize::bert_base::bert_base_uncased;

use crate::job::{Job, JobState, Step};
use crate::model::text::corpus::Corpus;
use crate::model::tokenize::TokenizeError;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::suite::{SuiteConfig, TokenizerSuite};
use crate::model::tokenize::suite_run::SuiteRun;
use crate::model::tokenize::tiktoken_bpe::TiktokenBpe;

/// What the trained tokenisers learn from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainSource {
    /// The shipped State of the Union corpus (12 MB).
    Builtin,
    /// Text the learner pasted into the pane.
    Own(String),
}

impl TrainSource {
    /// The radio buttons choosing the source (inside a horizontal layout).
    pub fn radios(&mut self, ui: &mut egui::Ui) {
        ui.label("Train on:");
        let builtin = *self == TrainSource::Builtin;
        if ui
            .radio(builtin, "State of the Union corpus")
            .on_hover_text("249 addresses, 1790–2026: 12 MB, 2 million words")
            .clicked()
        {
            *self = TrainSource::Builtin;
        }
        if ui
            .radio(!builtin, "your own text")
            .on_hover_text("Paste any text below, in any language, and train on it")
            .clicked()
            && builtin
        {
            *self = TrainSource::Own(String::new());
        }
    }

    /// The box for the learner's own text, when that is the source.
    pub fn text_box(&mut self, ui: &mut egui::Ui, hint: &str) {
        if let TrainSource::Own(text) = self {
            egui::ScrollArea::vertical()
                .id_salt("own-text")
                .max_height(90.0)
                .show(ui, |ui| {
                    ui.add(
                        egui::TextEdit::multiline(text)
                            .desired_rows(3)
                            .desired_width(f32::INFINITY)
                            .hint_text(hint),
                    );
                });
        }
    }
}

/// Where the training run stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SuiteStatus {
    Idle,
    Running { stage: &'static str, fraction: f32 },
    Done,
    Cancelled,
    Error(String),
}

type SuiteResult = Result<TokenizerSuite, TokenizeError>;

struct RunningSuite {
    job: Job<SuiteResult>,
    cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<(&'static str, f32)>>,
}

/// r50k (GPT-2), cl100k (GPT-4) and o200k (GPT-4o).
pub type RealVocabs = [&'static TiktokenBpe; 3];

/// State of everything the tokenisation views read.
pub struct TokenizerStore {
    pub source: TrainSource,
    pub config: SuiteConfig,
    /// The latest finished suite; kept while a new one trains.
    pub suite: Option<Arc<TokenizerSuite>>,
    pub status: SuiteStatus,
    running: Option<RunningSuite>,
    real: Option<Result<RealVocabs, String>>,
    real_job: Option<Job<Result<RealVocabs, TokenizeError>>>,
    /// The path typed for a BERT vocabulary (vocab.txt, tokenizer.json or a model folder).
    pub bert_path: String,
    pub bert: Option<(String, Arc<WordPiece>)>,
    pub bert_error: Option<String>,
    bert_job: Option<Job<Result<(String, WordPiece), String>>>,
    /// The context a training run's steps wake, once a frame has passed it.
    ctx: Option<egui::Context>,
}

impl Default for TokenizerStore {
    fn default() -> Self {
        Self {
            source: TrainSource::Builtin,
            config: SuiteConfig::default(),
            suite: None,
            status: SuiteStatus::Idle,
            running: None,
            real: None,
            real_job: None,
            bert_path: String::new(),
            bert: None,
            bert_error: None,
            bert_job: None,
            ctx: None,
        }
    }
}

impl TokenizerStore {
    /// Starts whatever is missing (first training run, GPT vocabularies) and collects
    /// finished work. Called every frame the lesson is shown.
    pub fn ensure_started(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
        if self.suite.is_none() && self.running.is_none() && self.status == SuiteStatus::Idle {
            self.train();
        }
        if self.real.is_none() && self.real_job.is_none() {
            self.real_job = Some(Job::once("tokeniser-vocabs", || {
                // Parse bert-base-uncased's vocabulary here too, off the UI thread: the
                // rows read it once this job is done.
                bert_base_uncased();
                Ok([
                    TiktokenBpe::r50k()?,
                    TiktokenBpe::cl100k()?,
                    TiktokenBpe::o200k()?,
                ])
            }));
        }
        self.poll(ctx);
    }

    /// Collects finished work; asks for a repaint while anything runs.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let mut busy = false;
        if let Some(run) = &self.running {
            match run.job.poll() {
                JobState::Running => {
                    let (stage, fraction) = *run.progress.lock().unwrap_or_else(|e| e.into_inner());
                    self.status = SuiteStatus::Running { stage, fraction };
                    busy = true;
                }
                JobState::Done(Ok(suite)) => {
                    self.suite = Some(Arc::new(suite));
                    self.status = SuiteStatus::Done;
                    self.running = None;
                }
                JobState::Done(Err(TokenizeError::Cancelled)) => {
                    self.status = SuiteStatus::Cancelled;
                    self.running = None;
                }
                JobState::Done(Err(e)) => {
                    self.status = SuiteStatus::Error(e.to_string());
                    self.running = None;
                }
                JobState::Died => {
                    self.status = SuiteStatus::Error("the training thread stopped".to_owned());
                    self.running = None;
                }
            }
        }
        if let Some(job) = &self.real_job {
            match job.poll() {
                JobState::Running => busy = true,
                JobState::Done(r) => {
                    self.real = Some(r.map_err(|e| e.to_string()));
                    self.real_job = None;
                }
                JobState::Died => {
                    self.real = Some(Err("loading the GPT vocabularies failed".to_owned()));
                    self.real_job = None;
                }
            }
        }
        if let Some(job) = &self.bert_job {
            match job.poll() {
                JobState::Running => busy = true,
                JobState::Done(Ok((name, wp))) => {
                    self.bert = Some((name, Arc::new(wp)));
                    self.bert_error = None;
                    self.bert_job = None;
                }
                JobState::Done(Err(e)) => {
                    self.bert_error = Some(e);
                    self.bert_job = None;
                }
                JobState::Died => {
                    self.bert_error = Some("loading the vocabulary failed".to_owned());
                    self.bert_job = None;
                }
            }
        }
        if busy {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    /// The GPT vocabularies, once loaded.
    pub fn real(&self) -> Option<&Result<RealVocabs, String>> {
        self.real.as_ref()
    }

    pub fn is_training(&self) -> bool {
        self.running.is_some()
    }

    /// Starts a training run on [`TokenizerStore::source`]; a run in progress is
    /// cancelled first. The previous suite stays on screen until the new one is done.
    pub fn train(&mut self) {
        self.cancel();
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Mutex::new(("starting", 0.0f32)));
        let (source, config) = (self.source.clone(), self.config);
        let (c, p) = (cancel.clone(), progress.clone());
        let mut source = Some(source);
        let mut text = (String::new(), String::new());
        let mut run = SuiteRun::new(config);
        // In steps (a stage's set-up or a batch of merges), so the browser draws between.
        let job = Job::steps("tokeniser-training", self.ctx.as_ref(), move |r| {
            if c.load(Ordering::Relaxed) {
                r.send(Err(TokenizeError::Cancelled));
                return Step::Done;
            }
            if let Some(source) = source.take() {
                text = match source {
                    TrainSource::Builtin => {
                        let corpus = Corpus::builtin();
                        let mut text = String::new();
                        for d in corpus.documents() {
                            text.push_str(&d.text);
                            text.push('\n');
                        }
                        (text, "the State of the Union corpus".to_owned())
                    }
                    TrainSource::Own(text) => (text, "your own text".to_owned()),
                };
            }
            let result = run.step(&text.0, &text.1);
            *p.lock().unwrap_or_else(|e| e.into_inner()) = (run.stage(), run.fraction());
            match result {
                Ok(None) => Step::More,
                Ok(Some(suite)) => {
                    r.send(Ok(suite));
                    Step::Done
                }
                Err(e) => {
                    r.send(Err(e));
                    Step::Done
                }
            }
        });
        self.status = SuiteStatus::Running {
            stage: "starting",
            fraction: 0.0,
        };
        self.running = Some(RunningSuite {
            job,
            cancel,
            progress,
        });
    }

    /// Asks the running training (if any) to stop; the result arrives as `Cancelled`.
    pub fn cancel(&mut self) {
        if let Some(run) = &self.running {
            run.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Starts loading a BERT vocabulary from [`TokenizerStore::bert_path`].
    pub fn open_bert(&mut self) {
        let path = self.bert_path.trim().to_owned();
        if path.is_empty() {
            self.bert_error = Some(
                "Type the path of a vocab.txt, a tokenizer.json or a model folder first."
                    .to_owned(),
            );
            return;
        }
        self.bert_error = None;
        self.bert_job = Some(Job::once("bert-vocab", move || {
            load_bert_vocab(Path::new(&path))
        }));
    }

    /// Starts loading a BERT vocabulary the learner chose or dropped: a file on the
    /// desktop, its bytes in the browser.
    pub fn open_bert_file(&mut self, file: crate::files::ChosenFile) {
        use crate::files::ChosenFile;
        self.bert_error = None;
        self.bert_job = Some(Job::once("bert-vocab", move || match &file {
            ChosenFile::Path(path) => load_bert_vocab(path),
            ChosenFile::Bytes { name, bytes } => WordPiece::from_named_bytes(name, bytes)
                .map(|wp| (file.short_name(), wp))
                .map_err(|e| format!("{}: {e}", file.short_name())),
        }));
    }

    /// The controls: training source and sizes, train/cancel, progress.
    /// `reproducible` leaves out the measured training time (snapshot tests).
    pub fn controls(&mut self, ui: &mut egui::Ui, reproducible: bool) {
        ui.horizontal_wrapped(|ui| self.source.radios(ui));
        self.source
            .text_box(ui, "Paste a few paragraphs to train on");
        ui.horizontal_wrapped(|ui| {
            for (label, value, tip) in [
                (
                    "BPE",
                    &mut self.config.bpe_vocab,
                    "Vocabulary size of the trained byte-level BPE (256 bytes + merges)",
                ),
                (
                    "WordPiece",
                    &mut self.config.wordpiece_vocab,
                    "Vocabulary size of the trained WordPiece",
                ),
                (
                    "Unigram",
                    &mut self.config.unigram_vocab,
                    "Vocabulary size of the trained Unigram model",
                ),
            ] {
                ui.label(label);
                ui.add(egui::DragValue::new(value).range(300..=16_000).speed(50))
                    .on_hover_text(tip);
            }
            let running = self.is_training();
            if ui
                .add_enabled(!running, egui::Button::new("Train"))
                .on_hover_text(
                    "Train every tokeniser above on the chosen text (runs in the background)",
                )
                .clicked()
            {
                self.train();
            }
            if running && ui.button("Cancel").clicked() {
                self.cancel();
            }
        });
        match &self.status {
            SuiteStatus::Running { stage, fraction } => {
                ui.add(
                    egui::ProgressBar::new(*fraction)
                        .show_percentage()
                        .text(format!("training {stage}… {:.0} %", fraction * 100.0)),
                );
            }
            SuiteStatus::Cancelled => {
                ui.label("Training cancelled; the rows below use the previous tokenisers.");
            }
            SuiteStatus::Error(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Training failed: {e}"));
            }
            SuiteStatus::Idle | SuiteStatus::Done => {}
        }
        if let Some(suite) = &self.suite {
            let secs: f64 = suite.timings.iter().map(|t| t.1.as_secs_f64()).sum();
            let time = if reproducible {
                String::new()
            } else {
                format!(" in {secs:.1} s")
            };
            ui.label(
                RichText::new(format!(
                    "Trained on {} ({:.1} MB){time}.",
                    suite.corpus_name,
                    suite.corpus_bytes as f64 / 1e6
                ))
                .weak(),
            );
        }
    }

    /// The row for opening a BERT vocabulary.
    pub fn bert_controls(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label("BERT vocabulary:");
            let edit = ui.add(
                egui::TextEdit::singleline(&mut self.bert_path)
                    .desired_width(320.0)
                    .hint_text("path to vocab.txt, tokenizer.json or a model folder"),
            );
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui
                .button("Open")
                .on_hover_text(
                    "Adds a row tokenised with this vocabulary (e.g. bert-base-uncased's)",
                )
                .clicked()
                || enter
            {
                self.open_bert();
            }
            if self.bert_job.is_some() {
                ui.spinner();
            }
        });
        if let Some(e) = &self.bert_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }
}

/// Reads a WordPiece vocabulary from a `vocab.txt`, a `tokenizer.json` or a folder
/// holding either; the name is for the row label.
pub fn load_bert_vocab(path: &Path) -> Result<(String, WordPiece), String> {
    let file = if path.is_dir() {
        WordPiece::file_in(path).ok_or_else(|| {
            format!(
                "{} has neither vocab.txt nor tokenizer.json",
                path.display()
            )
        })?
    } else {
        path.to_path_buf()
    };
    let wp = WordPiece::from_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok((name, wp))
}
