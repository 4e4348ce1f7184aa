//! The row that starts and stops a live training run (pre-training watched,
//! fine-tuning): the button, the number of updates and the learning rate, which
//! cannot change while a run goes.

/// What the learner asked for this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    Nothing,
    Start,
    Stop,
}

pub fn run_controls(
    ui: &mut egui::Ui,
    running: bool,
    start: &str,
    tip: &str,
    updates: &mut u64,
    lr: &mut f32,
) -> RunAction {
    ui.horizontal(|ui| {
        let mut action = RunAction::Nothing;
        if running {
            if ui.button("⏹ Stop").clicked() {
                action = RunAction::Stop;
            }
        } else if ui.button(start).on_hover_text(tip).clicked() {
            action = RunAction::Start;
        }
        let label = ui.label("updates");
        ui.add_enabled(!running, egui::DragValue::new(updates).range(1..=2000))
            .labelled_by(label.id);
        let label = ui.label("learning rate");
        ui.add_enabled(
            !running,
            egui::DragValue::new(lr)
                .range(1e-6..=1e-2)
                .speed(1e-5)
                .custom_formatter(|v, _| format!("{v:.0e}")),
        )
        .labelled_by(label.id);
        action
    })
    .inner
}
