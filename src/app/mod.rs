//! The shell: lesson list, stepper, the shared sentence, settings, persistence and
//! keyboard shortcuts. Every lesson pane plugs in through [`crate::lessons::Lesson`].

mod chrome;
mod drops;
mod scroll_cue;
mod settings;

use settings::{MAX_ZOOM, MIN_ZOOM, PANEL_WIDTH, PANEL_WIDTHS};
pub use settings::{PRESENTATION_SCALE, Settings};

pub use crate::command::Command;
use crate::compute::Compute;
use crate::lessons::model_panel::ModelPanel;
pub use crate::lessons::{DEFAULT_SENTENCE, MAX_SENTENCE_CHARS};
use crate::lessons::{LessonContext, LessonId, Pane, all_lessons};
use crate::prose::ProseLibrary;
use crate::widgets::markdown::Markdown;
use egui::{Key, Modifiers, RichText};

/// The whole app. [`LensApp::ui`] draws one frame into any `Ui`, so the window, the
/// screenshot command and the tests all run the same code.
pub struct LensApp {
    pub settings: Settings,
    prose: ProseLibrary,
    lessons: Vec<Box<dyn Pane>>,
    compute: Compute,
    /// Frames must not depend on the clock (snapshot tests): lessons leave out timings.
    reproducible: bool,
    /// The size [`LensApp::view_ui`] last drew, to crop a picture of one view to it.
    view_size: Option<egui::Vec2>,
    markdown: Markdown,
    /// The theme, presentation flag, zoom and (on stage) window height last given to
    /// egui, to apply changes once.
    applied: Option<(bool, bool, f32, u32)>,
    /// On stage, the step whose whole prose the teacher opened (else its first sentence).
    stage_prose_open: Option<(LessonId, usize)>,
    /// Set by `--frame-log`: measure frame times, then close.
    pub frame_log: Option<crate::frame_log::FrameLog>,
    /// The live model beside every lesson.
    panel: ModelPanel,
    /// The window is narrower than [`NARROW_WINDOW`] (set each frame): the panel starts
    /// folded there, so the lesson keeps room for its views (a 1024-pixel projector).
    narrow: bool,
    /// The learner opened the panel on a narrow window: it stays open there.
    panel_opened_narrow: bool,
    /// Files dropped on the window, being read, and the notice about the last drop.
    drops: drops::Drops,
}

/// Below this width (points) the live model panel starts folded.
pub const NARROW_WINDOW: f32 = 1100.0;

impl LensApp {
    pub fn new(settings: Settings, prose: ProseLibrary, compute: Compute) -> Self {
        let mut app = Self {
            settings,
            prose,
            lessons: all_lessons(),
            compute,
            reproducible: false,
            view_size: None,
            markdown: Markdown::default(),
            applied: None,
            frame_log: None,
            panel: ModelPanel::default(),
            stage_prose_open: None,
            narrow: false,
            panel_opened_narrow: false,
            drops: drops::Drops::default(),
        };
        app.sanitise();
        app
    }

    /// Restores the saved settings when there are any.
    pub fn from_storage(
        storage: Option<&dyn eframe::Storage>,
        prose: ProseLibrary,
        compute: Compute,
    ) -> Self {
        let settings = storage
            .and_then(|s| eframe::get_value::<Settings>(s, eframe::APP_KEY))
            .unwrap_or_default();
        Self::new(settings, prose, compute)
    }

    pub fn save_to(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }

    /// Settings from disk may be from another version or edited by hand.
    fn sanitise(&mut self) {
        let s = &mut self.settings;
        if s.sentence.chars().count() > MAX_SENTENCE_CHARS {
            s.sentence = s.sentence.chars().take(MAX_SENTENCE_CHARS).collect();
        }
        if !s.zoom.is_finite() {
            s.zoom = 1.0;
        }
        s.zoom = s.zoom.clamp(MIN_ZOOM, MAX_ZOOM);
        if !s.panel_width.is_finite() {
            s.panel_width = PANEL_WIDTH;
        }
        s.panel_width = s
            .panel_width
            .clamp(*PANEL_WIDTHS.start(), *PANEL_WIDTHS.end());
        for lesson in LessonId::ALL {
            let last = self.prose.steps(lesson).len().saturating_sub(1);
            if let Some(step) = s.steps.get_mut(lesson.id()) {
                *step = (*step).min(last);
            }
        }
    }

    /// The size of what [`LensApp::view_ui`] drew last frame.
    pub fn view_size(&self) -> Option<egui::Vec2> {
        self.view_size
    }

    /// Asks every lesson to draw nothing that varies from run to run (timings).
    pub fn set_reproducible(&mut self, reproducible: bool) {
        self.reproducible = reproducible;
    }

    /// The pane of lesson `L`, with its state (for tests and tools).
    pub fn lesson_mut<L: crate::lessons::Lesson>(&mut self) -> Option<&mut L> {
        let pane = self.lessons.get_mut(L::ID.index())?;
        let any: &mut dyn std::any::Any = pane.as_mut();
        any.downcast_mut::<L>()
    }

    /// The pane of lesson `L`, read-only.
    pub fn lesson_ref<L: crate::lessons::Lesson>(&self) -> Option<&L> {
        let pane = self.lessons.get(L::ID.index())?;
        let any: &dyn std::any::Any = pane.as_ref();
        any.downcast_ref::<L>()
    }

    /// The first step of lesson `L` that shows `view` (0-based), if any.
    pub fn step_of_view<L: crate::lessons::Lesson>(&self, view: L::View) -> Option<usize> {
        use crate::lessons::ViewSet;
        self.prose
            .steps(L::ID)
            .iter()
            .position(|s| s.view.as_deref() == Some(view.name()))
    }

    pub fn lesson(&self) -> LessonId {
        self.settings.lesson
    }

    /// The current step, 0-based.
    pub fn step(&self) -> usize {
        self.step_of(self.settings.lesson)
    }

    fn step_of(&self, lesson: LessonId) -> usize {
        let last = self.step_count(lesson).saturating_sub(1);
        self.settings
            .steps
            .get(lesson.id())
            .copied()
            .unwrap_or(0)
            .min(last)
    }

    pub fn step_count(&self, lesson: LessonId) -> usize {
        self.prose.steps(lesson).len()
    }

    pub fn set_lesson(&mut self, lesson: LessonId) {
        self.settings.lesson = lesson;
    }

    /// Replaces the shared sentence (cut to [`MAX_SENTENCE_CHARS`]).
    pub fn set_sentence(&mut self, sentence: &str) {
        self.settings.sentence = sentence.chars().take(MAX_SENTENCE_CHARS).collect();
    }

    /// Goes to the current lesson's first step whose view is `view` (stays put if none).
    fn go_to_view(&mut self, view: &str) {
        let steps = self.prose.steps(self.settings.lesson);
        if let Some(i) = steps.iter().position(|s| s.view.as_deref() == Some(view)) {
            self.set_step(i);
        }
    }

    pub fn set_step(&mut self, step: usize) {
        let last = self.step_count(self.settings.lesson).saturating_sub(1);
        self.settings
            .steps
            .insert(self.settings.lesson.id().to_owned(), step.min(last));
    }

    /// The notice about the last file drop, while it shows (tests).
    pub fn drop_notice(&self) -> Option<&str> {
        self.drops.notice()
    }

    /// The live model panel (tests and tools).
    pub fn model_panel(&self) -> &ModelPanel {
        &self.panel
    }

    pub fn model_panel_mut(&mut self) -> &mut ModelPanel {
        &mut self.panel
    }

    /// Whether the panel is on screen: open, and not hidden by presentation mode.
    /// Opens (or hides) the live model panel as the learner's own choice: opened this
    /// way it stays open on a narrow window too (`--model-panel on`).
    pub fn show_model_panel(&mut self, on: bool) {
        self.settings.model_panel = on;
        self.panel_opened_narrow = on;
    }

    pub fn model_panel_shown(&self) -> bool {
        // Kept when presenting, it stays: the stage's zoom makes every window narrow.
        let room = if self.settings.presentation {
            self.settings.panel_pinned
        } else {
            !self.narrow || self.panel_opened_narrow
        };
        self.settings.model_panel && room
    }

    pub fn compute_status(&self) -> &crate::compute::BackendStatus {
        self.compute.status()
    }

    /// The forward-pass engine the app uses now (the browser's test hook runs its GPU
    /// check on it).
    pub fn engine(&self) -> std::sync::Arc<crate::compute::Engine> {
        self.compute.engine()
    }

    pub fn run(&mut self, command: Command) {
        let lesson = self.settings.lesson.index();
        let n = LessonId::ALL.len();
        match command {
            Command::GoToLesson(l) => self.set_lesson(l),
            Command::GoToView(view) => self.go_to_view(view),
            Command::GoToLessonView(l, view) => {
                self.set_lesson(l);
                self.go_to_view(view);
            }
            Command::OpenInPlayground { view, layer, head } => {
                if let Some(p) = self.lesson_mut::<crate::lessons::playground::Playground>() {
                    p.show_head(layer, head);
                }
                self.set_lesson(LessonId::Playground);
                self.go_to_view(view);
            }
            Command::PrevStep => self.set_step(self.step().saturating_sub(1)),
            Command::NextStep => self.set_step(self.step() + 1),
            Command::PrevLesson => self.set_lesson(LessonId::ALL[(lesson + n - 1) % n]),
            Command::NextLesson => self.set_lesson(LessonId::ALL[(lesson + 1) % n]),
            Command::TogglePresentation => self.settings.presentation = !self.settings.presentation,
            Command::ToggleTheme => self.settings.dark = !self.settings.dark,
        }
    }

    fn handle_keys(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        for command in Command::KEYBOARD {
            if command.needs_free_keyboard() && typing {
                continue;
            }
            let pressed = command
                .shortcuts()
                .iter()
                .any(|s| ctx.input_mut(|i| i.consume_shortcut(s)));
            if pressed {
                self.run(command);
            }
        }
        if self.settings.presentation
            && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
        {
            self.settings.presentation = false;
        }
    }

    /// Gives egui the theme, full-screen state and zoom when they change.
    fn apply_settings(&mut self, ctx: &egui::Context) {
        let s = &mut self.settings;
        if let Some((_, false, ..)) = self.applied {
            // The learner may have zoomed with Ctrl +/−; remember it.
            s.zoom = ctx.zoom_factor().clamp(MIN_ZOOM, MAX_ZOOM);
        }
        // On stage the type follows the window's height (a resize re-applies it).
        let height = if s.presentation {
            crate::stage::physical_height(ctx).round().max(0.0) as u32
        } else {
            0
        };
        let wanted = (s.dark, s.presentation, s.zoom, height);
        if self.applied == Some(wanted) {
            return;
        }
        if self.applied.is_none() {
            crate::widgets::fonts::install(ctx);
        }
        ctx.set_theme(if s.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let zoom = if s.presentation {
            s.zoom * crate::stage::stage_zoom(ctx, height as f32, PRESENTATION_SCALE)
        } else {
            s.zoom
        };
        ctx.set_zoom_factor(zoom);
        crate::stage::stage_visuals(ctx, s.presentation);
        crate::widgets::heatmap::set_fit_height(ctx, s.presentation);
        if self.applied.is_some_and(|a| a.1 != s.presentation)
            || (self.applied.is_none() && s.presentation)
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(s.presentation));
        }
        self.applied = Some(wanted);
    }

    /// Draws one frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.compute.poll();
        self.narrow = ctx.content_rect().width() < NARROW_WINDOW;
        if self.model_panel_shown() {
            self.panel.keys(&ctx);
        }
        self.handle_keys(&ctx);
        self.apply_settings(&ctx);

        egui::Panel::top("top").show(ui, |ui| self.top_bar(ui));
        // On stage the status line is chrome: hidden.
        if !self.settings.presentation {
            egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
        }
        if !self.settings.presentation {
            egui::Panel::left("lessons")
                .resizable(true)
                .default_size(230.0)
                .show(ui, |ui| self.lesson_list(ui));
        }
        let mut commands = self.model_panel_frame(ui);
        commands.extend(
            egui::CentralPanel::default()
                .show(ui, |ui| self.lesson_pane(ui))
                .inner,
        );
        if !commands.is_empty() {
            for command in commands {
                self.run(command);
            }
            ctx.request_repaint();
        }
        self.handle_drops(&ctx);
        for lesson in &mut self.lessons {
            lesson.background(&ctx);
        }
    }

    /// Draws the current step; returns what the lesson asked the shell to do.
    fn lesson_pane(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lesson = self.settings.lesson;
        let step_index = self.step();
        let Some(step) = self.prose.steps(lesson).get(step_index).cloned() else {
            ui.label("This lesson has no steps.");
            return Vec::new();
        };
        ui.horizontal(|ui| {
            ui.label(RichText::new(lesson.title()).weak());
            ui.label(RichText::new("›").weak());
            ui.heading(&step.title);
        });
        self.stepper(ui);
        ui.separator();

        let engine = self.compute.engine();
        let mut cx = LessonContext::new(&self.settings.sentence, self.compute.status(), &engine);
        cx.presentation = self.settings.presentation;
        cx.reproducible = self.reproducible;
        let Some(pane) = self.lessons.get_mut(lesson.index()) else {
            return Vec::new();
        };
        let markdown = &mut self.markdown;
        let draw_view = |ui: &mut egui::Ui, pane: &mut Box<dyn Pane>| {
            show_view(ui, pane.as_mut(), step.view.as_deref(), &cx);
        };
        if self.settings.presentation {
            // The stage: the prose's first sentence (the rest on request), the view below
            // at the full width.
            let here = Some((lesson, step_index));
            let open = self.stage_prose_open == here;
            let (first, more) = crate::stage::first_sentence(&step.body);
            let mut toggle = false;
            let out = egui::ScrollArea::both().id_salt("stage").show(ui, |ui| {
                markdown.show(ui, if open { &step.body } else { first });
                if more {
                    let label = if open { "less ▲" } else { "more ▼" };
                    toggle = ui
                        .small_button(label)
                        .on_hover_text("The whole text of this step")
                        .clicked();
                }
                ui.separator();
                draw_view(ui, pane);
            });
            scroll_cue::show(ui, &out);
            if toggle {
                self.stage_prose_open = if open { None } else { here };
            }
        } else if ui.available_width() > 900.0 {
            ui.columns(2, |cols| {
                let out = egui::ScrollArea::vertical()
                    .id_salt("prose")
                    .show(&mut cols[0], |ui| markdown.show(ui, &step.body));
                scroll_cue::show(&cols[0], &out);
                let out = egui::ScrollArea::both()
                    .id_salt("view")
                    .show(&mut cols[1], |ui| draw_view(ui, pane));
                scroll_cue::show(&cols[1], &out);
            });
        } else {
            let out = egui::ScrollArea::vertical().id_salt("step").show(ui, |ui| {
                markdown.show(ui, &step.body);
                ui.separator();
                draw_view(ui, pane);
            });
            scroll_cue::show(ui, &out);
        }
        cx.into_commands()
    }

    /// Draws only the current step's live view, as large as its content: no panels and no
    /// prose (snapshot tests of one view, slides). Background work and the lessons'
    /// requests run as in [`LensApp::ui`].
    pub fn view_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.compute.poll();
        self.apply_settings(&ctx);
        let lesson = self.settings.lesson;
        let view = self
            .prose
            .steps(lesson)
            .get(self.step())
            .and_then(|s| s.view.clone());
        let engine = self.compute.engine();
        let mut cx = LessonContext::new(&self.settings.sentence, self.compute.status(), &engine);
        cx.reproducible = self.reproducible;
        if let Some(pane) = self.lessons.get_mut(lesson.index()) {
            let top = ui.min_rect().min;
            show_view(ui, pane.as_mut(), view.as_deref(), &cx);
            self.view_size = Some(ui.min_rect().max - top);
        }
        let commands = cx.into_commands();
        for command in commands {
            self.run(command);
        }
        for lesson in &mut self.lessons {
            lesson.background(&ctx);
        }
    }
}

/// Draws the view a step names, or says that the lesson has none of that name.
fn show_view(ui: &mut egui::Ui, pane: &mut dyn Pane, name: Option<&str>, cx: &LessonContext<'_>) {
    let Some(name) = name else { return };
    if pane.show_named(ui, name, cx).is_err() {
        let name: String = name.chars().take(40).collect();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("This step asks for a view named '{name}', which this lesson does not have."),
        );
    }
}

impl eframe::App for LensApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(c) = self.frame_log.as_mut().and_then(|l| l.keystroke()) {
            self.settings.sentence.push(c);
        }
        LensApp::ui(self, ui);
        let cpu = frame.info().cpu_usage;
        // The panel's latency goes into the file once, with the last frame.
        if let Some(log) = &mut self.frame_log
            && log.finishing()
        {
            let timings: Vec<_> = self.panel.runner.timings.iter().copied().collect();
            log.extra = crate::frame_log::latency_summary(&timings);
        }
        if let Some(log) = &mut self.frame_log
            && log.record(ui.ctx(), cpu)
        {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.save_to(storage);
    }
}
