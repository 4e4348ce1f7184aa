//! Step 4: vanishing and exploding gradients, live. A vanilla RNN is run on seeded random
//! inputs and backpropagated through time by [`crate::model::recurrent::rnn`]; the view plots
//! ‖∂L/∂h_t‖ for every step on a log axis, with the per-step Jacobian norms that explain it.

use egui::RichText;

use crate::job::Recompute;
use crate::model::recurrent::rnn::{
    Activation, GradientLabConfig, GradientProfile, rnn_gradient_profile,
};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// Slider limits: small enough to stay interactive in a debug build.
pub const MAX_HIDDEN: usize = 128;
pub const MAX_STEPS: usize = 200;
pub const MAX_SCALE: f64 = 2.0;

/// What happened to the gradient on its way back to the first step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The first step receives less than 1/100 of the last step's gradient.
    Vanishing,
    /// The first step receives more than 100× the last step's gradient.
    Exploding,
    /// Somewhere in between: the signal survives the trip.
    Survives,
}

impl Verdict {
    /// Read from the numbers: `grad_norms[last]` is 1 by construction (L = r·h_T, ‖r‖ = 1),
    /// so `grad_norms[0]` is how much of it reached the first step.
    pub fn of(profile: &GradientProfile) -> Option<Verdict> {
        let first = *profile.grad_norms.first()?;
        Some(if !first.is_finite() || first > 1e2 {
            Verdict::Exploding
        } else if first < 1e-2 {
            Verdict::Vanishing
        } else {
            Verdict::Survives
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Vanishing => "vanished",
            Verdict::Exploding => "exploded",
            Verdict::Survives => "survived",
        }
    }
}

/// The first scanned scale where the gradient no longer vanishes, and where it explodes.
pub type FlipPoints = (Option<f64>, Option<f64>);

/// Step between the scales [`flip_points`] tries.
pub const SCAN_STEP: f64 = 0.05;

/// Where the verdict changes as the scale grows, for otherwise fixed settings: the first
/// scanned scale at which the gradient no longer vanishes, and the first at which it
/// explodes (`None`: not up to [`MAX_SCALE`]). Clipping is left out: it hides explosions.
pub fn flip_points(cfg: &GradientLabConfig) -> Result<FlipPoints, String> {
    let mut survives = None;
    for k in 1..=(MAX_SCALE / SCAN_STEP).round() as usize {
        let scale = k as f64 * SCAN_STEP;
        let probe = GradientLabConfig {
            scale,
            clip: None,
            ..cfg.clone()
        };
        let verdict = Verdict::of(&compute(&probe)?);
        if survives.is_none() && verdict != Some(Verdict::Vanishing) {
            survives = Some(scale);
        }
        if verdict == Some(Verdict::Exploding) {
            return Ok((survives, Some(scale)));
        }
    }
    Ok((survives, None))
}

/// The scan's settings: the lab's, without the scale and the clipping it ignores.
fn scan_key(cfg: &GradientLabConfig) -> GradientLabConfig {
    GradientLabConfig {
        scale: 0.0,
        clip: None,
        ..cfg.clone()
    }
}

/// The step-4 lab: its settings, the latest profile and its chart.
pub struct GradientLab {
    pub config: GradientLabConfig,
    /// Clipping threshold remembered while clipping is off.
    pub clip_threshold: f64,
    result: Recompute<GradientLabConfig, Result<GradientProfile, String>>,
    flips: Recompute<GradientLabConfig, Result<FlipPoints, String>>,
    chart: ChartView,
}

impl Default for GradientLab {
    fn default() -> Self {
        Self {
            config: GradientLabConfig::default(),
            clip_threshold: 5.0,
            result: Recompute::default(),
            flips: Recompute::default(),
            chart: ChartView::default(),
        }
    }
}

fn compute(cfg: &GradientLabConfig) -> Result<GradientProfile, String> {
    rnn_gradient_profile(cfg).map_err(|e| e.to_string())
}

impl GradientLab {
    /// The verdict for the latest computed profile.
    pub fn verdict(&mut self, ctx: &egui::Context) -> Option<Verdict> {
        let cfg = self.config.clone();
        match self.result.get(ctx, &cfg, compute) {
            Some(Ok(p)) => Verdict::of(p),
            _ => None,
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui) {
        ui.strong("A vanilla RNN, backpropagated through time");
        controls(ui, &mut self.config, &mut self.clip_threshold, true);
        let cfg = self.config.clone();
        let busy = self.result.busy();
        match self.result.get(ui.ctx(), &cfg, compute) {
            None => {
                ui.spinner();
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().warn_fg_color, e);
            }
            Some(Ok(p)) => {
                let spec = gradient_chart(
                    "RNN: gradient reaching each step",
                    vec![
                        series("‖∂L/∂h_t‖ (gradient)", &p.grad_norms, PALETTE[0]),
                        series(
                            "‖∂h_t/∂h_t−1‖ (Jacobian norm)",
                            &p.jacobian_norms,
                            PALETTE[1],
                        ),
                    ],
                );
                let size = egui::vec2(ui.available_width().clamp(240.0, 640.0), 260.0);
                self.chart.show(ui, &spec, size).on_hover_text(
                    "Computed by backpropagation through time in model/recurrent/rnn.rs. \
                     Log scale: each grid line is 10× the one below.",
                );
                if busy {
                    ui.label(RichText::new("computing the new settings…").weak());
                }
                summary(ui, p, cfg.clip);
            }
        }
        self.flips_line(ui);
    }

    /// The scales where this lab's settings stop vanishing and start exploding.
    fn flips_line(&mut self, ui: &mut egui::Ui) {
        let cfg = &self.config;
        let settings = format!(
            "{}, {} units, {} steps, seed {}",
            cfg.activation.name(),
            cfg.hidden,
            cfg.steps,
            cfg.seed
        );
        let key = scan_key(cfg);
        let text = match self.flips.get(ui.ctx(), &key, flip_points) {
            None => "Scanning the scale…".to_owned(),
            Some(Err(e)) => e.clone(),
            Some(Ok((survives, explodes))) => {
                let fmt = |s: &Option<f64>| {
                    s.map_or(format!("above {MAX_SCALE:.1}"), |v| format!("{v:.2}"))
                };
                format!(
                    "This lab's thresholds ({settings}; scale scanned in steps of \
                     {SCAN_STEP}): the gradient stops vanishing at a scale of {} and explodes \
                     from {}.",
                    fmt(survives),
                    fmt(explodes)
                )
            }
        };
        ui.label(RichText::new(text).strong());
    }
}

/// The sliders shared by the RNN and LSTM labs; `activation` is RNN-only.
pub fn controls(
    ui: &mut egui::Ui,
    cfg: &mut GradientLabConfig,
    clip_threshold: &mut f64,
    activation: bool,
) {
    egui::Grid::new(ui.scope_id().with("lab-controls"))
        .num_columns(2)
        .show(ui, |ui| {
            if activation {
                ui.label("activation");
                ui.horizontal(|ui| {
                    for a in Activation::ALL {
                        ui.selectable_value(&mut cfg.activation, a, a.name())
                            .on_hover_text(format!("h_t = {}(W_x x_t + W_h h_t−1 + b)", a.name()));
                    }
                });
                ui.end_row();
            }
            let l = ui.label("scale (spectral radius)");
            ui.add(egui::Slider::new(&mut cfg.scale, 0.0..=MAX_SCALE).step_by(0.01))
                .labelled_by(l.id)
                .on_hover_text(
                    "W_h is this number times a random rotation: it stretches every \
                     direction by exactly this factor.",
                );
            ui.end_row();
            let l = ui.label("steps (sequence length)");
            ui.add(egui::Slider::new(&mut cfg.steps, 2..=MAX_STEPS))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("hidden size");
            ui.add(egui::Slider::new(&mut cfg.hidden, 1..=MAX_HIDDEN))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("seed");
            ui.add(egui::DragValue::new(&mut cfg.seed).range(0..=9999))
                .labelled_by(l.id)
                .on_hover_text("Another seed draws other random weights and inputs.");
            ui.end_row();
            ui.label("gradient clipping");
            ui.horizontal(|ui| {
                let mut on = cfg.clip.is_some();
                let l = ui
                    .checkbox(&mut on, "clip at")
                    .on_hover_text("Rescale ∂L/∂h_t whenever its norm exceeds the threshold.");
                ui.add_enabled(
                    on,
                    egui::Slider::new(clip_threshold, 0.1..=100.0).logarithmic(true),
                )
                .labelled_by(l.id);
                cfg.clip = on.then_some(*clip_threshold);
            });
            ui.end_row();
        });
}

/// One line of a gradient chart: x is the 1-based time step.
pub fn series(name: &str, values: &[f64], color: [u8; 3]) -> Series {
    Series {
        name: name.to_owned(),
        points: values
            .iter()
            .enumerate()
            .map(|(t, v)| ((t + 1) as f64, *v))
            .collect(),
        kind: SeriesKind::Line,
        color,
    }
}

pub fn gradient_chart(title: &str, series: Vec<Series>) -> ChartSpec {
    ChartSpec {
        title: title.to_owned(),
        x_label: "time step t (the loss is read at the last step)".to_owned(),
        y_label: "norm (log scale)".to_owned(),
        log_y: true,
        series,
    }
}

/// Text read off the numbers: the verdict and the Jacobian product that explains it.
fn summary(ui: &mut egui::Ui, p: &GradientProfile, clip: Option<f64>) {
    let Some(verdict) = Verdict::of(p) else {
        return;
    };
    let first = p.grad_norms.first().copied().unwrap_or(f64::NAN);
    let colour = match verdict {
        Verdict::Survives => ui.visuals().text_color(),
        _ => ui.visuals().warn_fg_color,
    };
    ui.label(
        RichText::new(format!("Verdict: the gradient {}.", verdict.word()))
            .strong()
            .color(colour),
    );
    ui.label(format!(
        "The last step receives a gradient of norm 1; the first step receives {first:.2e}."
    ));
    // Without clipping the ratio is bounded by the product of the Jacobian norms.
    let log_sum: f64 = p.jacobian_norms.iter().skip(1).map(|j| j.ln()).sum();
    ui.label(format!(
        "Product of the {} Jacobian norms between them: {:.2e} (an upper bound on that \
         ratio: the Jacobians rarely stretch the gradient in their strongest direction).",
        p.jacobian_norms.len().saturating_sub(1),
        log_sum.exp()
    ));
    if let Some(c) = clip {
        let clipped = p.grad_norms.iter().any(|g| *g >= c * 0.999);
        ui.label(if clipped {
            format!("Clipping at {c:.2} capped the gradient: it cannot explode, but it can still vanish.")
        } else {
            format!("Clipping at {c:.2} never triggered: no gradient norm reached it.")
        });
    }
}
