//! The shell's chrome: the top bar with the sentence box, the status line with the
//! compute menu, the lesson list, the stepper, and the live model panel's frame.

use super::settings::PANEL_WIDTHS;
use super::{Command, DEFAULT_SENTENCE, LensApp, MAX_SENTENCE_CHARS};
use crate::compute::{BackendChoice, Compute};
use crate::lessons::model_panel::{LessonStep, PanelFocus};
use crate::lessons::{LessonContext, LessonId};
use egui::RichText;

/// The backend menu's names.
fn backend_name(c: BackendChoice) -> &'static str {
    match c {
        BackendChoice::Auto => "Auto",
        BackendChoice::Cpu => "CPU",
        BackendChoice::Gpu => "GPU (any)",
    }
}

fn backend_help(c: BackendChoice) -> &'static str {
    match c {
        BackendChoice::Auto => "A real GPU when there is one, else the CPU",
        BackendChoice::Cpu => "Always the CPU (ndarray)",
        BackendChoice::Gpu => {
            "Any GPU, software ones (lavapipe, llvmpipe) too: these run compute far slower than the CPU"
        }
    }
}

impl LensApp {
    /// The live model panel at the right, or the button that opens it; returns what
    /// the panel asked the shell to do.
    pub(super) fn model_panel_frame(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        if !self.model_panel_shown() {
            if !self.settings.presentation {
                egui::Panel::right("model-panel-closed")
                    .resizable(false)
                    .show(ui, |ui| {
                        let why = if self.narrow && self.settings.model_panel {
                            " (folded because the window is narrow)"
                        } else {
                            ""
                        };
                        if ui
                            .button("◀ Live model")
                            .on_hover_text(format!("Show the live model panel: the transformer working on your sentence beside every lesson{why}"))
                            .clicked()
                        {
                            self.settings.model_panel = true;
                            self.panel_opened_narrow = self.narrow;
                        }
                    });
            }
            return Vec::new();
        }
        let response = egui::Panel::right("model-panel")
            .resizable(true)
            .default_size(self.settings.panel_width)
            .min_size(*PANEL_WIDTHS.start())
            .max_size(*PANEL_WIDTHS.end())
            .show(ui, |ui| self.model_panel_ui(ui));
        let width = response.response.rect.width();
        if width.is_finite() {
            self.settings.panel_width = width.clamp(*PANEL_WIDTHS.start(), *PANEL_WIDTHS.end());
        }
        response.inner
    }

    pub(super) fn model_panel_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.strong("Live model");
            if ui
                .small_button("Hide ▶")
                .on_hover_text("Hide the panel (--model-panel off on the command line)")
                .clicked()
            {
                self.settings.model_panel = false;
                self.panel_opened_narrow = false;
            }
            ui.checkbox(&mut self.settings.panel_pinned, "keep when presenting")
                .on_hover_text("Presentation mode hides the panel unless it is kept");
        });
        let lesson = self.settings.lesson;
        let step = self.step();
        let focus = self
            .prose
            .steps(lesson)
            .get(step)
            .and_then(|s| s.panel.as_deref())
            .map_or(PanelFocus::Default, |n| PanelFocus::of_step(Some(n)));
        self.panel.set_focus(LessonStep { lesson, step }, focus);
        self.panel.companion = self
            .lessons
            .get(lesson.index())
            .and_then(|p| p.companion_vectors());
        let engine = self.compute.engine();
        let mut cx = LessonContext::new(&self.settings.sentence, self.compute.status(), &engine);
        cx.presentation = self.settings.presentation;
        cx.reproducible = self.reproducible;
        let panel = &mut self.panel;
        let out = egui::ScrollArea::vertical()
            .id_salt("model-panel-scroll")
            .show(ui, |ui| panel.show(ui, &cx));
        super::scroll_cue::show(ui, &out);
        cx.into_commands()
    }

    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.add_space(4.0);
        // Top-aligned: the sentence box grows downwards when its text wraps.
        ui.horizontal_top(|ui| {
            ui.heading("LLM Lens");
            ui.add_space(12.0);
            let label = ui.label("Your sentence:");
            let buttons_width = 250.0;
            let width = (ui.available_width() - buttons_width).max(120.0);
            // Long text wraps onto more lines (up to four, then the box scrolls) instead
            // of running out of sight; Enter ends editing as in a one-line box.
            let row = ui.text_style_height(&egui::TextStyle::Body);
            let edit = egui::ScrollArea::vertical()
                .id_salt("sentence-scroll")
                .max_height(row * 4.0 + 8.0)
                .max_width(width)
                .show(ui, |ui| {
                    let edit = egui::TextEdit::multiline(&mut self.settings.sentence)
                        .id_salt("sentence")
                        .char_limit(MAX_SENTENCE_CHARS)
                        .hint_text("Type any sentence: every lesson uses it")
                        .desired_rows(1)
                        .return_key(None)
                        .desired_width(width);
                    ui.add(edit)
                        .labelled_by(label.id)
                        .on_hover_text("Every lesson works on this sentence. Long text wraps. Press Enter, Esc or click elsewhere, then ←/→ to change step.")
                })
                .inner;
            if edit.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                edit.surrender_focus();
            }
            if self.settings.sentence.contains(['\n', '\r']) {
                // Pasted line breaks become spaces: every lesson reads one line of text.
                self.settings.sentence = self.settings.sentence.replace(['\n', '\r'], " ");
            }
            if ui.button("Reset").on_hover_text(format!("Back to \"{DEFAULT_SENTENCE}\"")).clicked() {
                self.settings.sentence = DEFAULT_SENTENCE.to_owned();
            }
            let theme = if self.settings.dark { "☀ Light" } else { "🌙 Dark" };
            if ui.button(theme).on_hover_text(Command::ToggleTheme.description()).clicked() {
                self.run(Command::ToggleTheme);
            }
            let present = if self.settings.presentation { "Exit presentation" } else { "Present" };
            if ui.button(present).on_hover_text(Command::TogglePresentation.description()).clicked() {
                self.run(Command::TogglePresentation);
            }
        });
        if self.settings.sentence.chars().count() >= MAX_SENTENCE_CHARS {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Your text was cut to its first {MAX_SENTENCE_CHARS} characters: the lessons look at one sentence or a short paragraph."),
            );
        }
        ui.add_space(2.0);
    }

    pub(super) fn status_line(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let status = self.compute.status().clone();
            ui.label("Compute:");
            let mut choice = self.compute.choice();
            egui::ComboBox::from_id_salt("backend choice")
                .selected_text(backend_name(choice))
                .show_ui(ui, |ui| {
                    for c in [BackendChoice::Auto, BackendChoice::Cpu, BackendChoice::Gpu] {
                        ui.selectable_value(&mut choice, c, backend_name(c))
                            .on_hover_text(backend_help(c));
                    }
                })
                .response
                .on_hover_text(if cfg!(target_arch = "wasm32") {
                    "Where the live transformer runs: the GPU through WebGPU, or the CPU. Both compute the same numbers (to 1e-4). Also ?backend=cpu|gpu|auto in the page's address."
                } else {
                    "Where the live transformer runs. Both backends compute the same numbers (to 1e-4). Also --backend cpu|gpu|auto on the command line."
                });
            if choice != self.compute.choice() {
                self.compute = Compute::start(choice, Some(ui.ctx().clone()));
            }
            ui.label(status.label());
            for notice in &self.prose.notices {
                ui.separator();
                ui.colored_label(ui.visuals().warn_fg_color, notice);
            }
        });
    }

    pub(super) fn lesson_list(&mut self, ui: &mut egui::Ui) {
        ui.add_space(6.0);
        ui.strong("Lessons");
        ui.add_space(4.0);
        let current = self.settings.lesson;
        for (i, lesson) in LessonId::ALL.into_iter().enumerate() {
            let selected = lesson == current;
            if ui
                .selectable_label(selected, format!("{}. {}", i + 1, lesson.title()))
                .on_hover_text(format!(
                    "{} steps · PgUp/PgDn change lesson",
                    self.step_count(lesson)
                ))
                .clicked()
            {
                self.set_lesson(lesson);
            }
            if selected {
                let step = self.step();
                let titles: Vec<String> = self
                    .prose
                    .steps(lesson)
                    .iter()
                    .map(|s| s.title.clone())
                    .collect();
                ui.indent("steps", |ui| {
                    for (j, title) in titles.iter().enumerate() {
                        if ui
                            .selectable_label(
                                j == step,
                                RichText::new(format!("{}. {title}", j + 1)).small(),
                            )
                            .clicked()
                        {
                            self.set_step(j);
                        }
                    }
                });
            }
        }
        ui.add_space(12.0);
        ui.separator();
        ui.label(
            RichText::new("← → step · PgUp PgDn lesson · F11 present · Ctrl +/− zoom")
                .small()
                .weak(),
        );
    }

    pub(super) fn stepper(&mut self, ui: &mut egui::Ui) {
        let count = self.step_count(self.settings.lesson);
        let step = self.step();
        let big = self.settings.presentation;
        let size = if big { 22.0 } else { 14.0 };
        ui.horizontal(|ui| {
            let prev = egui::Button::new(RichText::new("◀ Previous").size(size));
            if ui
                .add_enabled(step > 0, prev)
                .on_hover_text(Command::PrevStep.description())
                .clicked()
            {
                self.run(Command::PrevStep);
            }
            ui.label(
                RichText::new(format!("Step {} of {}", step + 1, count))
                    .size(size)
                    .strong(),
            );
            let next = egui::Button::new(RichText::new("Next ▶").size(size));
            if ui
                .add_enabled(step + 1 < count, next)
                .on_hover_text(Command::NextStep.description())
                .clicked()
            {
                self.run(Command::NextStep);
            }
        });
    }
}
