//! The open dialogs: rfd's `AsyncFileDialog`, run as a [`Job::future`] so the window
//! keeps drawing while the dialog is open (a thread on the desktop, the page's executor
//! in the browser). Where no dialog can be shown (no desktop portal and no zenity, as
//! under Xvfb) the outcome says so, and the caller offers its fallback (a typed path,
//! dropping files). Tests answer a dialog with [`script`] instead of showing one.

use super::Chosen;
use crate::job::{Job, JobState};

/// The button that opens a model: a folder on the desktop, its files in the browser.
pub const MODEL_BUTTON: &str = if cfg!(target_arch = "wasm32") {
    "Open model files…"
} else {
    "Open model folder…"
};

/// The button's hover text.
pub const MODEL_HINT: &str = if cfg!(target_arch = "wasm32") {
    "Choose config.json, model.safetensors and vocab.txt or tokenizer.json together (or drop them on the page)"
} else {
    "A folder with config.json, model.safetensors and vocab.txt or tokenizer.json (or drop it on the window)"
};

/// Whether files have paths a learner can type (not in the browser).
pub const PATHS: bool = !cfg!(target_arch = "wasm32");

/// What a dialog is opened for: what it offers and whether it picks a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A Hugging Face BERT folder (in the browser: its files, several at once).
    Model,
    /// A word2vec or GloVe vectors file.
    Vectors,
    /// A plain-text corpus.
    Corpus,
    /// A BERT vocabulary (vocab.txt or tokenizer.json).
    Vocab,
}

impl Purpose {
    fn title(self) -> &'static str {
        match self {
            Purpose::Model if cfg!(target_arch = "wasm32") => {
                "Choose config.json, vocab.txt (or tokenizer.json) and model.safetensors"
            }
            Purpose::Model => "Open a BERT model folder",
            Purpose::Vectors => "Open word vectors (word2vec or GloVe)",
            Purpose::Corpus => "Open a text file",
            Purpose::Vocab => "Open a BERT vocabulary (vocab.txt or tokenizer.json)",
        }
    }

    /// The file filter offered first (an "all files" one follows).
    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Purpose::Model => ("model files", &["json", "txt", "safetensors", "bin"]),
            Purpose::Vectors => ("word vectors", &["bin", "txt", "vec"]),
            Purpose::Corpus => ("text", &["txt", "md"]),
            Purpose::Vocab => ("vocabulary", &["txt", "json"]),
        }
    }
}

/// How a dialog ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Chosen(Chosen),
    Cancelled,
    /// No dialog could be shown here.
    Unavailable,
    /// A chosen file was refused before it was read (too large for the browser).
    Refused(String),
}

/// The learner's answers queued by [`script`], taken by the next dialogs in order.
#[derive(Debug, Clone, Default)]
struct Scripted(Vec<Outcome>);

fn script_id() -> egui::Id {
    egui::Id::unique("llm-lens-scripted-dialogs")
}

/// Answers the next dialog opened in `ctx` with `outcome` instead of showing one
/// ("the learner picked X"), for tests and tools.
pub fn script(ctx: &egui::Context, outcome: Outcome) {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Scripted>(script_id())
            .0
            .push(outcome)
    });
}

/// A dialog in progress, polled once a frame.
pub struct Dialog {
    job: Job<Outcome>,
    pub purpose: Purpose,
}

impl Dialog {
    /// Opens a dialog for `purpose` (or takes the next [`script`]ed answer).
    pub fn open(ctx: &egui::Context, purpose: Purpose) -> Dialog {
        let scripted = ctx.data_mut(|d| {
            let queue = &mut d.get_temp_mut_or_default::<Scripted>(script_id()).0;
            (!queue.is_empty()).then(|| queue.remove(0))
        });
        let job = match scripted {
            Some(outcome) => Job::once_waking("file-dialog", ctx, move || outcome),
            None => Job::future("file-dialog", Some(ctx), move |r| async move {
                r.send(pick(purpose).await);
            }),
        };
        Dialog { job, purpose }
    }

    /// The outcome once the dialog has closed.
    pub fn poll(&self) -> Option<Outcome> {
        match self.job.poll() {
            JobState::Running => None,
            JobState::Done(outcome) => Some(outcome),
            JobState::Died => Some(Outcome::Unavailable),
        }
    }
}

/// The one line shown when no dialog could be shown; `fallback` says what to do instead.
pub fn unavailable_message(fallback: &str) -> String {
    format!("No file dialog could be shown here (no desktop portal or zenity): {fallback}")
}

/// A dialog that ends sooner than this without an answer was never shown: nobody
/// cancels one that fast, but a missing portal and zenity fail at once.
#[cfg(not(target_arch = "wasm32"))]
const NO_DIALOG: std::time::Duration = std::time::Duration::from_millis(300);

#[cfg(not(target_arch = "wasm32"))]
async fn pick(purpose: Purpose) -> Outcome {
    let started = web_time::Instant::now();
    let dialog = rfd::AsyncFileDialog::new().set_title(purpose.title());
    let chosen = match purpose {
        Purpose::Model => dialog
            .pick_folder()
            .await
            .map(|h| Chosen::Folder(h.path().to_path_buf())),
        Purpose::Vectors | Purpose::Corpus | Purpose::Vocab => {
            let (name, extensions) = purpose.filter();
            dialog
                .add_filter(name, extensions)
                .add_filter("all files", &["*"])
                .pick_file()
                .await
                .map(|h| Chosen::Files(vec![super::ChosenFile::Path(h.path().to_path_buf())]))
        }
    };
    match chosen {
        Some(chosen) => Outcome::Chosen(chosen),
        None if started.elapsed() < NO_DIALOG => Outcome::Unavailable,
        None => Outcome::Cancelled,
    }
}

#[cfg(target_arch = "wasm32")]
async fn pick(purpose: Purpose) -> Outcome {
    // No "all files" filter: rfd joins the filters into one `accept` list, where "*"
    // is not a type.
    let (name, extensions) = purpose.filter();
    let dialog = rfd::AsyncFileDialog::new()
        .set_title(purpose.title())
        .add_filter(name, extensions);
    let handles = match purpose {
        Purpose::Model => dialog.pick_files().await,
        Purpose::Vectors | Purpose::Corpus | Purpose::Vocab => {
            dialog.pick_file().await.map(|h| vec![h])
        }
    };
    match handles {
        Some(handles) => super::web::read_picked(handles).await,
        None => Outcome::Cancelled,
    }
}
