//! Walking the forward pass: step back and forth, or play it at a chosen pace, with a
//! small diagram of the pass (the embeddings, six stages per layer, the MLM head) in
//! which the current stage is lit and any stage can be clicked.

use egui::RichText;

use super::pass::{Part, PassStage};

/// Play, pause and the pace; `walking` says the learner is walking the pass, so later
/// stages are not shown yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Stepper {
    pub playing: bool,
    pub walking: bool,
    /// Stages per second while playing.
    pub pace: f32,
    /// When the last stage was shown while playing (egui's clock, seconds).
    last: f64,
}

impl Default for Stepper {
    fn default() -> Self {
        Self {
            playing: false,
            walking: false,
            pace: 1.0,
            last: 0.0,
        }
    }
}

/// What the learner asked the stepper to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Back,
    PlayPause,
    Forward,
    End,
}

impl Stepper {
    /// Stops playing and walking (a new lesson step shows its own focus).
    pub fn stop(&mut self) {
        self.playing = false;
        self.walking = false;
    }

    /// The stage after `action` from `stage` in a pass of `count` stages.
    pub fn act(&mut self, action: Action, stage: usize, count: usize, time: f64) -> usize {
        let last = count.saturating_sub(1);
        self.walking = true;
        match action {
            Action::Start => {
                self.playing = false;
                0
            }
            Action::Back => {
                self.playing = false;
                stage.saturating_sub(1)
            }
            Action::Forward => {
                self.playing = false;
                (stage + 1).min(last)
            }
            Action::End => {
                self.playing = false;
                last
            }
            Action::PlayPause => {
                self.playing = !self.playing;
                self.last = time;
                // Playing from the end starts over.
                if self.playing && stage >= last {
                    0
                } else {
                    stage
                }
            }
        }
    }

    /// Advances one stage when playing and its time has come; stops at the end.
    pub fn tick(&mut self, ctx: &egui::Context, stage: usize, count: usize, time: f64) -> usize {
        if !self.playing {
            return stage;
        }
        let period = 1.0 / f64::from(self.pace.clamp(0.25, 8.0));
        let mut stage = stage;
        if time - self.last >= period {
            self.last = time;
            stage = (stage + 1).min(count.saturating_sub(1));
            if stage + 1 >= count {
                self.playing = false;
            }
        }
        if self.playing {
            let left = (period - (time - self.last)).max(0.0);
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(left));
        }
        stage
    }

    /// The buttons, the pace and the diagram; returns a stage the learner chose.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        stage: usize,
        layers: usize,
        time: f64,
    ) -> Option<usize> {
        let count = PassStage::count(layers);
        let mut chosen = None;
        ui.horizontal_wrapped(|ui| {
            let play = if self.playing { "Pause" } else { "Play ▶" };
            for (text, action, help) in [
                ("|◀", Action::Start, "Back to the embeddings"),
                ("◀", Action::Back, "One stage back (Shift+←)"),
                (
                    play,
                    Action::PlayPause,
                    "Walk the whole pass at the pace set (Shift+Space)",
                ),
                ("▶", Action::Forward, "One stage on (Shift+→)"),
                ("▶|", Action::End, "To the predictions"),
            ] {
                if ui.button(text).on_hover_text(help).clicked() {
                    chosen = Some(self.act(action, stage, count, time));
                }
            }
        });
        // On a line of its own: a slider with its value box cannot wrap, and beside the
        // buttons it would widen the panel.
        ui.horizontal(|ui| {
            ui.label("pace");
            ui.add(
                egui::Slider::new(&mut self.pace, 0.25..=4.0)
                    .logarithmic(true)
                    .suffix(" stages/s"),
            )
            .on_hover_text("How fast Play walks the pass");
        });
        let current = PassStage::at(stage, layers);
        let mut pick = |ui: &mut egui::Ui, s: PassStage, text: &str, help: &str| {
            let r = ui
                .selectable_label(current == s, RichText::new(text).small())
                .on_hover_text(help);
            if r.clicked() {
                self.walking = true;
                self.playing = false;
                chosen = Some(s.index(layers));
            }
        };
        ui.horizontal_wrapped(|ui| {
            pick(
                ui,
                PassStage::Embeddings,
                "embeddings",
                "Token + position + segment vectors, then LayerNorm",
            );
        });
        for layer in 0..layers {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("L{layer}")).small().weak());
                for part in Part::ALL {
                    pick(
                        ui,
                        PassStage::Layer { layer, part },
                        part.short(),
                        part.help(),
                    );
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            pick(
                ui,
                PassStage::Predictions,
                "MLM head",
                "Scores over the vocabulary at each position",
            );
            ui.label(
                RichText::new(format!("stage {} of {count}", stage.min(count - 1) + 1))
                    .small()
                    .weak(),
            );
        });
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_move_within_the_pass_and_play_stops_at_the_end() {
        let mut s = Stepper::default();
        assert_eq!(s.act(Action::Back, 0, 26, 0.0), 0);
        assert_eq!(s.act(Action::Forward, 25, 26, 0.0), 25);
        assert_eq!(s.act(Action::End, 3, 26, 0.0), 25);
        assert!(s.walking);
        let ctx = egui::Context::default();
        assert_eq!(
            s.act(Action::PlayPause, 25, 26, 0.0),
            0,
            "play from the end restarts"
        );
        let mut stage = 0;
        let mut t = 0.0;
        while s.playing {
            t += 0.5;
            stage = s.tick(&ctx, stage, 26, t);
            assert!(t < 100.0, "play must end");
        }
        assert_eq!(stage, 25);
    }
}
