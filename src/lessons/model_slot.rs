//! A lesson's copy of the built-in BERT with its pre-training heads, loaded once on
//! a worker. Views draw a notice while it loads and the reason if it cannot.

use std::sync::Arc;

use crate::job::{Job, JobState};
use crate::model::bert::pretrained::PretrainedBert;

/// Loads on first use; holds the model or the reason it failed.
#[derive(Default)]
pub struct ModelSlot {
    job: Option<Job<Result<PretrainedBert, String>>>,
    model: Option<Arc<PretrainedBert>>,
    error: Option<String>,
}

impl ModelSlot {
    /// Starts loading unless loaded, loading or failed.
    pub fn start(&mut self) {
        if self.model.is_none() && self.error.is_none() && self.job.is_none() {
            self.job = Some(Job::once("bert-lesson-model", || {
                PretrainedBert::builtin().map_err(|e| e.to_string())
            }));
        }
    }

    /// Takes the worker's result if it has one.
    pub fn poll(&mut self) {
        if let Some(job) = &self.job {
            match job.poll() {
                JobState::Done(Ok(m)) => self.model = Some(Arc::new(m)),
                JobState::Done(Err(e)) => self.error = Some(e),
                JobState::Died => {
                    self.error = Some("loading the model stopped unexpectedly".into())
                }
                JobState::Running => return,
            }
            self.job = None;
        }
    }

    /// Whether the worker is still loading.
    pub fn loading(&self) -> bool {
        self.job.is_some()
    }

    /// Why the model could not be loaded, if it could not.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The model if it has loaded.
    pub fn loaded(&self) -> Option<&std::sync::Arc<PretrainedBert>> {
        self.model.as_ref()
    }

    /// The model, or a one-line notice in its place.
    pub fn get(&mut self, ui: &mut egui::Ui) -> Option<Arc<PretrainedBert>> {
        self.start();
        self.poll();
        if let Some(m) = &self.model {
            return Some(m.clone());
        }
        if let Some(e) = &self.error {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("The built-in model could not be loaded: {e}"),
            );
        } else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading the built-in model…");
            });
            ui.ctx().request_repaint();
        }
        None
    }
}
