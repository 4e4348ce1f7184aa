//! The lesson's file buttons. "Open a text file…": the learner's own training text from
//! a file, chosen in a dialog (or dropped on the window, which lands in [`train_on`]
//! too), read on a worker within [`crate::files::dropped::MAX_CORPUS_BYTES`]. "Open a
//! BERT vocabulary…": a `vocab.txt` or `tokenizer.json` for the BERT row (the typed
//! path below it stays, for folders).

use super::training::{TokenizerStore, TrainSource};
use crate::files::dialog::{self, Dialog, Outcome, Purpose};
use crate::files::dropped::{self, Route};
use crate::files::{Chosen, ChosenFile};
use crate::job::{Job, JobState};

/// The dialog, the read in progress, and the last message.
#[derive(Default)]
pub struct OpenText {
    dialog: Option<Dialog>,
    reading: Option<Job<Route>>,
    pub note: Option<String>,
}

/// Makes `text` the training text and trains every tokeniser on it.
pub fn train_on(store: &mut TokenizerStore, text: String) {
    store.source = TrainSource::Own(text);
    store.train();
}

impl OpenText {
    /// The button, and what came of the last choice.
    pub fn show(&mut self, ui: &mut egui::Ui, store: &mut TokenizerStore) {
        self.poll(ui.ctx(), store);
        let idle = self.dialog.is_none() && self.reading.is_none();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(idle, egui::Button::new("Open a text file…"))
                .on_hover_text(format!(
                    "Train on a plain text file of up to {} (or drop it on the window)",
                    crate::model::text::bounded::bytes(dropped::MAX_CORPUS_BYTES)
                ))
                .clicked()
            {
                self.note = None;
                self.dialog = Some(Dialog::open(ui.ctx(), Purpose::Corpus));
            }
            if ui
                .add_enabled(idle, egui::Button::new("Open a BERT vocabulary…"))
                .on_hover_text(
                    "A vocab.txt or tokenizer.json: adds a row tokenised with it (or drop it on the window)",
                )
                .clicked()
            {
                self.note = None;
                self.dialog = Some(Dialog::open(ui.ctx(), Purpose::Vocab));
            }
            if !idle {
                ui.spinner();
            }
        });
        if let Some(note) = &self.note {
            ui.colored_label(ui.visuals().warn_fg_color, note);
        }
    }

    fn poll(&mut self, ctx: &egui::Context, store: &mut TokenizerStore) {
        if let Some(outcome) = self.dialog.as_ref().and_then(Dialog::poll) {
            let purpose = self.dialog.take().map(|d| d.purpose);
            match outcome {
                Outcome::Chosen(Chosen::Files(files)) => {
                    if let Some(file) = files.into_iter().next() {
                        if purpose == Some(Purpose::Vocab) {
                            store.open_bert_file(file);
                        } else {
                            self.read(ctx, file);
                        }
                    }
                }
                Outcome::Chosen(Chosen::Folder(_)) | Outcome::Cancelled => {}
                Outcome::Unavailable => {
                    self.note = Some(dialog::unavailable_message(
                        "paste the text or type the path instead, or drop the file on the window.",
                    ));
                }
                Outcome::Refused(why) => self.note = Some(why),
            }
        }
        let state = self.reading.as_ref().map(Job::poll);
        match state {
            None | Some(JobState::Running) => {}
            Some(JobState::Done(Route::Corpus { text, .. })) => {
                self.reading = None;
                train_on(store, text);
            }
            Some(JobState::Done(Route::Refused(why))) => {
                self.reading = None;
                self.note = Some(why);
            }
            Some(JobState::Done(_)) | Some(JobState::Died) => {
                self.reading = None;
                self.note = Some("Reading the file stopped unexpectedly.".to_owned());
            }
        }
    }

    /// Reads `file` as a training text on a worker.
    fn read(&mut self, ctx: &egui::Context, file: ChosenFile) {
        self.reading = Some(Job::once_waking("open-text", ctx, move || {
            dropped::corpus(&file)
        }));
    }
}
