//! Runs the playground's model off the UI thread: the model loads on a worker, and
//! every change of the sentence, the pair or the ablation starts a new forward pass
//! after a short pause in typing (debounce). The previous trace stays on screen until
//! the new one arrives; an error keeps the previous trace and says what went wrong.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use crate::compute::{Engine, Ran};
use crate::files::dialog::{self, Dialog, Outcome, Purpose};
use crate::files::{Chosen, ChosenFile};
use crate::job::{Job, JobState};
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::builtin_model;
use crate::model::bert::model_dir::Model;
use crate::model::bert::trace::Trace;
use crate::model::bert::{Ablation, ForwardOptions, TraceDetail};

/// Typing pause before a forward pass starts. Zero: a pass starts as soon as the
/// previous one ends, and keystrokes typed meanwhile are coalesced into one request, so
/// latency is one forward pass (about 25 ms for the built-in model at 32 tokens).
pub const DEBOUNCE: Duration = Duration::ZERO;

/// MLM predictions kept per position.
pub const TOP_K: usize = 10;

/// A model the playground can run.
pub struct LoadedModel {
    pub name: String,
    pub model: Model,
}

impl AsRef<crate::model::bert::weights::BertWeights> for LoadedModel {
    fn as_ref(&self) -> &crate::model::bert::weights::BertWeights {
        &self.model.weights
    }
}

/// What one forward pass was asked to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub sentence: String,
    pub pair: Option<String>,
    pub ablation: Ablation,
    /// The model itself (compared by identity), so a new model reruns the sentence.
    pub model: ArcKey<LoadedModel>,
    /// The engine's id, so switching backends reruns it.
    pub engine: u64,
}

/// A finished forward pass.
pub struct TraceResult {
    pub trace: Arc<Trace>,
    pub request: Request,
    pub millis: f64,
    /// Where it ran, and why not on the GPU when the GPU was given up.
    pub ran: Ran,
    pub note: Option<String>,
    /// `(tokens before, tokens kept)` when the input was longer than the model allows.
    pub truncated: Option<(usize, usize)>,
    /// When the worker finished, to measure how soon the window shows it.
    pub finished: Instant,
}

/// State of the playground's computation.
#[derive(Default)]
pub struct Runner {
    pub model: Option<Arc<LoadedModel>>,
    model_job: Option<Job<Result<LoadedModel, String>>>,
    pub model_error: Option<String>,
    /// The folder path typed in the "type a path" field (the dialog's fallback).
    pub folder: String,
    /// Whether the typed-path field is shown (on request, or when no dialog can be).
    pub typing_path: bool,
    /// An open-model dialog in progress.
    dialog: Option<Dialog>,
    /// Why no dialog could be shown, and what to do instead.
    pub dialog_note: Option<String>,
    job: Option<Job<Result<TraceResult, String>>>,
    running: Option<Request>,
    pub last: Option<TraceResult>,
    /// Counts the traces shown so far: views cache drawings by it.
    pub generation: u64,
    pub error: Option<String>,
    /// The newest wanted request and when it last changed.
    wanted: Option<(Request, Instant)>,
    /// The request of the last finished run (result or error).
    done: Option<Request>,
    /// The same input without ablation, for the ablation step's comparison.
    baseline: Option<(Request, Arc<Trace>)>,
    /// Whether the running job computes only the baseline.
    baseline_job: bool,
    /// `(forward pass, from its end to the frame that took it)` of recent results, for
    /// `--frame-log`'s latency figures (the last [`TIMINGS_KEPT`]).
    pub timings: std::collections::VecDeque<(Duration, Duration)>,
}

/// Recent results whose timings are kept.
pub const TIMINGS_KEPT: usize = 256;

/// Tokenises and runs one request (on a worker thread; in the browser, awaited by the
/// page while the GPU computes).
pub async fn run(
    engine: &Engine,
    loaded: &Arc<LoadedModel>,
    request: Request,
) -> Result<TraceResult, String> {
    let start = Instant::now();
    let model = &loaded.model;
    let mut enc = model.encode(&request.sentence, request.pair.as_deref());
    let before = enc.ids.len();
    let max = model.config.max_position_embeddings;
    let truncated = enc
        .truncate_keeping_last(max)
        .then_some((before, enc.ids.len()));
    let opts = ForwardOptions {
        attention_mask: None,
        ablation: request.ablation.clone(),
        top_k: TOP_K,
        // The playground and the live model panel draw every stage of the pass.
        detail: TraceDetail::Full,
    };
    let done = engine
        .forward_async(loaded, &enc, &opts)
        .await
        .map_err(|e| e.to_string())?;
    Ok(TraceResult {
        trace: Arc::new(done.trace),
        request,
        millis: start.elapsed().as_secs_f64() * 1e3,
        ran: done.ran,
        note: done.note,
        truncated,
        finished: Instant::now(),
    })
}

impl Runner {
    /// Starts loading the built-in model if no model is loaded or loading.
    pub fn ensure_model(&mut self) {
        if self.model.is_none() && self.model_job.is_none() && self.model_error.is_none() {
            self.model_job = Some(Job::once("playground-model", || {
                builtin_model::load()
                    .map(|model| LoadedModel {
                        name: builtin_model::NAME.to_owned(),
                        model,
                    })
                    .map_err(|e| e.to_string())
            }));
        }
    }

    /// Starts loading a Hugging Face BERT folder from a typed path; the current model
    /// stays until it succeeds, and stays for good if it fails.
    pub fn open_folder(&mut self, path: &str) {
        let path = path.trim();
        if path.is_empty() {
            self.model_error = Some("Type the path of a BERT model folder first.".to_owned());
            return;
        }
        self.open_chosen(Chosen::Folder(PathBuf::from(path)));
    }

    /// Starts loading what the learner chose or dropped: a folder (desktop) or a
    /// model's files (browser), as [`Runner::open_folder`] does.
    pub fn open_chosen(&mut self, chosen: Chosen) {
        self.model_error = None;
        let load = move || -> Result<LoadedModel, String> {
            match chosen {
                Chosen::Folder(dir) => load_dir(&dir),
                Chosen::Files(files) => load_files(&files),
            }
        };
        self.model_job = Some(Job::once("playground-model", load));
    }

    /// Opens the system's dialog (the browser's file picker) for a model.
    pub fn open_dialog(&mut self, ctx: &egui::Context) {
        self.model_error = None;
        self.dialog_note = None;
        self.dialog = Some(Dialog::open(ctx, Purpose::Model));
    }

    /// Whether an open-model dialog is showing.
    pub fn dialog_open(&self) -> bool {
        self.dialog.is_some()
    }

    /// Takes the dialog's outcome once it has closed.
    fn poll_dialog(&mut self) {
        let Some(outcome) = self.dialog.as_ref().and_then(Dialog::poll) else {
            return;
        };
        self.dialog = None;
        match outcome {
            Outcome::Chosen(chosen) => self.open_chosen(chosen),
            Outcome::Cancelled => {}
            Outcome::Unavailable => {
                self.typing_path = true;
                self.dialog_note = Some(dialog::unavailable_message(
                    "type the folder's path below, or drop the folder on the window.",
                ));
            }
            Outcome::Refused(why) => self.model_error = Some(why),
        }
    }

    /// Switches back to the built-in model.
    pub fn use_builtin(&mut self) {
        self.model = None;
        self.model_error = None;
        self.ensure_model();
    }

    /// The unablated trace for the same input as `trace`'s run, if computed.
    pub fn baseline_for(&self, trace: &Trace) -> Option<Arc<Trace>> {
        let last = self
            .last
            .as_ref()
            .filter(|r| std::ptr::eq(r.trace.as_ref(), trace))?;
        let (req, base) = self.baseline.as_ref()?;
        (req.sentence == last.request.sentence
            && req.pair == last.request.pair
            && req.model == last.request.model
            && req.engine == last.request.engine)
            .then(|| base.clone())
    }

    pub fn loading_model(&self) -> bool {
        self.model_job.is_some()
    }

    pub fn busy(&self) -> bool {
        self.job.is_some()
            || self.model_job.is_some()
            || self.wanted.is_some()
            || self.dialog.is_some()
    }

    /// Collects finished work and starts the next forward pass when the wanted input
    /// has been stable for [`DEBOUNCE`]. Called every frame.
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        engine: &Arc<Engine>,
        sentence: &str,
        pair: Option<&str>,
        ablation: &Ablation,
    ) {
        self.ensure_model();
        self.poll_dialog();
        if let Some(job) = &self.model_job {
            match job.poll() {
                JobState::Running => {}
                JobState::Done(Ok(m)) => {
                    self.model = Some(Arc::new(m));
                    self.model_job = None;
                }
                JobState::Done(Err(e)) => {
                    self.model_error = Some(e);
                    self.model_job = None;
                }
                JobState::Died => {
                    self.model_error = Some("loading the model stopped unexpectedly".to_owned());
                    self.model_job = None;
                }
            }
        }
        if let Some(job) = &self.job {
            match job.poll() {
                JobState::Running => {}
                JobState::Done(result) => {
                    let request = self.running.take();
                    if let Ok(r) = &result
                        && r.request.ablation == Ablation::default()
                    {
                        self.baseline = Some((r.request.clone(), r.trace.clone()));
                    }
                    if !self.baseline_job {
                        self.done = request;
                        match result {
                            Ok(r) => {
                                if self.timings.len() == TIMINGS_KEPT {
                                    self.timings.pop_front();
                                }
                                self.timings.push_back((
                                    Duration::from_secs_f64(r.millis / 1e3),
                                    r.finished.elapsed(),
                                ));
                                self.last = Some(r);
                                self.generation += 1;
                                self.error = None;
                            }
                            Err(e) => self.error = Some(e),
                        }
                    }
                    self.job = None;
                    self.baseline_job = false;
                }
                JobState::Died => {
                    if !self.baseline_job {
                        self.done = self.running.take();
                        self.error = Some("the forward pass stopped unexpectedly".to_owned());
                    }
                    self.running = None;
                    self.job = None;
                    self.baseline_job = false;
                }
            }
        }
        let Some(model) = self.model.clone() else {
            if self.busy() {
                ctx.request_repaint_after(Duration::from_millis(50));
            }
            return;
        };
        let request = Request {
            sentence: sentence.to_owned(),
            pair: pair.map(str::to_owned),
            ablation: ablation.clone(),
            model: ArcKey::of(&model),
            engine: engine.id(),
        };
        let settled =
            self.done.as_ref() == Some(&request) || self.running.as_ref() == Some(&request);
        if settled {
            self.wanted = None;
        } else if self.wanted.as_ref().map(|w| &w.0) != Some(&request) {
            // The first request runs at once; later ones wait for a pause in typing.
            let at = if self.done.is_none() && self.running.is_none() {
                Instant::now()
                    .checked_sub(DEBOUNCE)
                    .unwrap_or_else(Instant::now)
            } else {
                Instant::now()
            };
            self.wanted = Some((request.clone(), at));
        }
        if self.job.is_none()
            && let Some((req, at)) = &self.wanted
            && at.elapsed() >= DEBOUNCE
        {
            let req = req.clone();
            self.running = Some(req.clone());
            self.wanted = None;
            let m = model.clone();
            let engine = engine.clone();
            self.job = Some(Job::future(
                "playground-forward",
                Some(ctx),
                move |r| async move {
                    r.send(run(&engine, &m, req).await);
                },
            ));
        } else if self.job.is_none() && self.wanted.is_none() && *ablation != Ablation::default() {
            // Idle with an ablation on: compute the unablated trace for comparison.
            let base = Request {
                ablation: Ablation::default(),
                ..request
            };
            if self.baseline.as_ref().is_none_or(|(r, _)| *r != base) {
                self.running = Some(base.clone());
                self.baseline_job = true;
                let engine = engine.clone();
                self.job = Some(Job::future(
                    "playground-baseline",
                    Some(ctx),
                    move |r| async move {
                        r.send(run(&engine, &model, base).await);
                    },
                ));
            }
        }
        // A forward pass wakes the window when it answers (its job holds `ctx`): no
        // frames are drawn meanwhile, which in the browser would share the GPU with
        // the pass. Only the model's load and a request waiting out the debounce poll.
        let waiting = self.job.is_none() && self.wanted.is_some();
        if self.model_job.is_some() || waiting {
            ctx.request_repaint_after(Duration::from_millis(30));
        }
    }
}

/// A model from a Hugging Face folder, named after the folder.
fn load_dir(dir: &Path) -> Result<LoadedModel, String> {
    let model = Model::load(dir).map_err(|e| e.to_string())?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    Ok(LoadedModel { name, model })
}

/// A model from chosen files: their bytes (browser), or, for files on disk, the folder
/// that holds their `config.json`.
fn load_files(files: &[ChosenFile]) -> Result<LoadedModel, String> {
    let mut named = Vec::with_capacity(files.len());
    for f in files {
        match f {
            ChosenFile::Bytes { name, bytes } => named.push((name.as_str(), &bytes[..])),
            ChosenFile::Path(p) if f.name() == "config.json" => {
                return load_dir(p.parent().unwrap_or(Path::new(".")));
            }
            ChosenFile::Path(_) => {}
        }
    }
    let model = Model::from_files(&named).map_err(|e| e.to_string())?;
    Ok(LoadedModel {
        name: format!("your model ({} files)", named.len()),
        model,
    })
}
