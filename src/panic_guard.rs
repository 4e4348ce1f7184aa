//! The last line of defence: a panic that slips through becomes one line (on stderr for
//! the command line, on a line at the bottom of the window) instead of a backtrace or a
//! window that vanishes. Only the binary installs it; tests still fail on panics. The
//! window's wrapper also cuts oversized pastes ([`crate::paste`]) and shows the notice.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Longest panic message shown; the rest is cut (a panic may quote its input).
const MAX_MESSAGE_CHARS: usize = 200;

/// The panic's message and place as one line.
pub fn one_line(message: &str, location: Option<&std::panic::Location<'_>>) -> String {
    let mut text: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        text.push('…');
    }
    match location {
        Some(l) => format!(
            "internal error: {text} (at {}:{}; please report it)",
            file_tail(l.file()),
            l.line()
        ),
        None => format!("internal error: {text} (please report it)"),
    }
}

/// The last 60 characters of a source path: the file name is what tells where.
fn file_tail(path: &str) -> String {
    let n = path.chars().count();
    if n <= 60 {
        return path.to_string();
    }
    let tail: String = path.chars().skip(n - 60).collect();
    format!("…{tail}")
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub fn payload_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// Replaces the default hook (several lines and a backtrace note) with one line on
/// stderr. Called by `main` only.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let line = one_line(payload_text(info.payload()), info.location());
        eprintln!("llm-lens: {line}");
    }));
}

/// An app whose frames are drawn under `catch_unwind`: after a panic the window stays
/// and says what happened on its bottom line; the next frames try again.
pub struct Guarded<A> {
    pub inner: A,
    /// A line for the learner: the last panic, or a notice given at start.
    pub notice: Option<String>,
}

impl<A> Guarded<A> {
    pub fn new(inner: A, notice: Option<String>) -> Self {
        Self { inner, notice }
    }

    /// Draws the notice line, then `draw` under `catch_unwind`.
    pub fn frame(&mut self, ui: &mut egui::Ui, draw: impl FnOnce(&mut A, &mut egui::Ui)) {
        if let Some(notice) = self.notice.clone() {
            egui::Panel::bottom("llm-lens notice").show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.colored_label(ui.visuals().error_fg_color, notice);
                    if ui.small_button("Dismiss").clicked() {
                        self.notice = None;
                    }
                });
            });
        }
        let inner = &mut self.inner;
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| draw(inner, ui))) {
            self.notice = Some(one_line(payload_text(payload.as_ref()), None));
            ui.ctx().request_repaint();
        }
    }
}

impl<A: eframe::App> eframe::App for Guarded<A> {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.frame(ui, |inner, ui| inner.ui(ui, frame));
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        if let Some(notice) = crate::paste::cut_pastes(&mut raw_input.events) {
            self.notice = Some(notice);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let inner = &mut self.inner;
        let _ = catch_unwind(AssertUnwindSafe(|| inner.save(storage)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_multi_line_panic_becomes_one_short_line() {
        let msg = format!("bad\nthing {}", "x".repeat(10_000));
        let line = one_line(&msg, None);
        assert!(!line.contains('\n') && line.len() < 300, "{line}");
        assert!(line.starts_with("internal error: bad thing"));
    }

    #[test]
    fn a_panicking_frame_leaves_the_window_with_a_notice() {
        use egui_kittest::kittest::Queryable;
        let mut h = egui_kittest::Harness::builder()
            .with_size([500.0, 200.0])
            .build_ui_state(
                |ui, g: &mut Guarded<u32>| {
                    g.frame(ui, |frames, ui| {
                        *frames += 1;
                        if *frames == 1 {
                            panic!("boom");
                        }
                        ui.label("still here");
                    })
                },
                Guarded::new(0, None),
            );
        h.run_steps(3);
        h.get_by_label_contains("internal error: boom");
        h.get_by_label("still here");
    }
}
