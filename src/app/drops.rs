//! Files dropped on the window: a hint over the window while they hover, then each
//! drop goes to the lesson that takes it ([`crate::files::dropped::route`]), the app
//! switches there, and a one-line notice says what happened (or why nothing did).

use std::time::Duration;

use web_time::Instant;

use super::LensApp;
use crate::files::dropped::{self, Route};
use crate::job::{Job, JobState};
use crate::lessons::LessonId;
use crate::model::text::quote::shorten;

/// How long a notice stays.
const NOTICE_FOR: Duration = Duration::from_secs(8);

/// A drop being read, and the last notice.
#[derive(Default)]
pub struct Drops {
    job: Option<Job<Route>>,
    notice: Option<(String, Instant)>,
}

impl Drops {
    /// The notice on screen, if any (tests).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_ref().map(|(text, _)| text.as_str())
    }

    fn say(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), Instant::now()));
    }
}

impl LensApp {
    /// Takes this frame's drops, routes finished ones, and draws the hint and notice.
    pub(super) fn handle_drops(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if !dropped.is_empty() {
            self.drops.job = Some(dropped::start(ctx, dropped));
            self.drops.say("Reading what you dropped…");
        }
        let state = self.drops.job.as_ref().map(Job::poll);
        match state {
            None | Some(JobState::Running) => {}
            Some(JobState::Done(route)) => {
                self.drops.job = None;
                self.route_drop(ctx, route);
            }
            Some(JobState::Died) => {
                self.drops.job = None;
                self.drops
                    .say("Reading the dropped files stopped unexpectedly.");
            }
        }
        if self.drops.job.is_some() {
            ctx.request_repaint_after(Duration::from_millis(50));
        }
        hover_hint(ctx);
        self.show_notice(ctx);
    }

    /// Hands a drop to its lesson and goes there.
    fn route_drop(&mut self, ctx: &egui::Context, route: Route) {
        use crate::lessons::{
            playground::Playground, tokenisation::Tokenisation, word2vec::Word2vec,
        };
        let text = match route {
            Route::Model(chosen) => {
                let Some(p) = self.lesson_mut::<Playground>() else {
                    return;
                };
                p.runner.open_chosen(chosen);
                self.set_lesson(LessonId::Playground);
                self.go_to_view("overview");
                "Opening the model in the playground…".to_owned()
            }
            Route::Vectors(file) => {
                let name = file.short_name();
                let Some(w) = self.lesson_mut::<Word2vec>() else {
                    return;
                };
                w.explore.start_load_file(ctx, file);
                self.set_lesson(LessonId::Word2vec);
                self.go_to_view("explore");
                format!("Loading the vectors of {name} in word2vec's last step…")
            }
            Route::Vocab(file) => {
                let name = file.short_name();
                let Some(t) = self.lesson_mut::<Tokenisation>() else {
                    return;
                };
                t.store.open_bert_file(file);
                self.set_lesson(LessonId::Tokenisation);
                self.go_to_view("side-by-side");
                format!("Adding a row tokenised with the BERT vocabulary {name}…")
            }
            Route::Corpus { name, text } => {
                let Some(t) = self.lesson_mut::<Tokenisation>() else {
                    return;
                };
                crate::lessons::tokenisation::open_text::train_on(&mut t.store, text);
                self.set_lesson(LessonId::Tokenisation);
                self.go_to_view("side-by-side");
                format!("Training the tokenisers on {}…", shorten(&name))
            }
            Route::Refused(why) => why,
        };
        self.drops.say(text);
    }

    /// The last notice, at the bottom of the window, for a few seconds.
    fn show_notice(&mut self, ctx: &egui::Context) {
        let Some((text, at)) = &self.drops.notice else {
            return;
        };
        let left = NOTICE_FOR.saturating_sub(at.elapsed());
        if left.is_zero() {
            self.drops.notice = None;
            return;
        }
        // As wide as the line needs, up to most of the window.
        let width = (ctx.content_rect().width() - 80.0).clamp(200.0, 720.0);
        egui::Area::new(egui::Id::unique("llm-lens-drop-notice"))
            .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -36.0])
            .order(egui::Order::Foreground)
            .interactable(false)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(width);
                    ui.add(egui::Label::new(text.as_str()).wrap());
                });
            });
        ctx.request_repaint_after(left);
    }
}

/// While files hover over the window: a veil saying what can be dropped.
fn hover_hint(ctx: &egui::Context) {
    if ctx.input(|i| i.raw.hovered_files.is_empty()) {
        return;
    }
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("llm-lens-drop-hint"),
    ));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a model folder (or config.json with its files), word vectors or a text file",
        egui::FontId::proportional(20.0),
        egui::Color32::WHITE,
    );
}
