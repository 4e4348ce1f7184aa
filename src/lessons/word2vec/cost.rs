//! Step 4: why negative sampling. A full softmax scores every word of the vocabulary for
//! every training pair; negative sampling scores the target and a handful of random
//! words. [`softmax::measure_step_cost`] times both on this machine over growing
//! vocabularies. Measuring takes a fraction of a second (more in a debug build), so it
//! runs in the background, one size a step, and the chart appears when it is done.

use std::time::Duration;

use egui::RichText;

use crate::job::{Job, JobState, Step};
use crate::lessons::LessonContext;
use crate::model::word2vec::softmax::{StepCost, measure_step_cost};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// Vocabulary sizes measured; the built-in corpus keeps ~20 k words at min_count 5.
pub const VOCAB_SIZES: &[usize] = &[100, 300, 1_000, 3_000, 10_000, 30_000];
/// Vector length and negatives as the trainer's defaults.
const DIM: usize = 100;
const NEGATIVES: usize = 5;
/// Time spent measuring each method at each size.
const BUDGET: Duration = Duration::from_millis(30);

/// State of the cost view.
#[derive(Default)]
pub struct CostView {
    pub costs: Option<Vec<StepCost>>,
    job: Option<Job<Vec<StepCost>>>,
    error: Option<String>,
    chart: ChartView,
}

impl CostView {
    /// True while a measurement runs.
    pub fn measuring(&self) -> bool {
        self.job.is_some()
    }

    /// One vocabulary size a step (about 70 ms), so the browser draws between them.
    fn start(&mut self, ctx: &egui::Context) {
        self.error = None;
        let mut sizes = VOCAB_SIZES.iter();
        let mut costs = Vec::new();
        self.job = Some(Job::steps("word2vec-cost", Some(ctx), move |r| {
            let Some(&v) = sizes.next() else {
                r.send(std::mem::take(&mut costs));
                return Step::Done;
            };
            costs.extend(measure_step_cost(&[v], DIM, NEGATIVES, BUDGET));
            Step::More
        }));
    }

    fn poll(&mut self, ctx: &egui::Context) {
        if self.costs.is_none() && self.job.is_none() && self.error.is_none() {
            self.start(ctx);
        }
        if let Some(job) = &self.job {
            match job.poll() {
                JobState::Done(c) => {
                    self.costs = Some(c);
                    self.job = None;
                }
                JobState::Running => ctx.request_repaint_after(Duration::from_millis(100)),
                JobState::Died => {
                    self.error = Some("the measuring worker stopped".to_owned());
                    self.job = None;
                }
            }
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        self.poll(ui.ctx());
        ui.strong(format!(
            "Time per training step, vectors of {DIM} numbers, {NEGATIVES} negatives"
        ));
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
        let Some(costs) = &self.costs else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Measuring both methods on this computer…");
            });
            return;
        };
        let us = |ns: f64| ns / 1000.0;
        let spec = ChartSpec {
            title: "Cost of one training step".to_owned(),
            x_label: "vocabulary size (words)".to_owned(),
            y_label: "µs per step".to_owned(),
            log_y: true,
            series: vec![
                Series {
                    name: "full softmax".to_owned(),
                    points: costs
                        .iter()
                        .map(|c| (c.vocab as f64, us(c.softmax_ns)))
                        .collect(),
                    kind: SeriesKind::Line,
                    color: PALETTE[1],
                },
                Series {
                    name: "negative sampling".to_owned(),
                    points: costs
                        .iter()
                        .map(|c| (c.vocab as f64, us(c.negative_sampling_ns)))
                        .collect(),
                    kind: SeriesKind::Line,
                    color: PALETTE[0],
                },
            ],
        };
        let w = ui.available_width().clamp(300.0, 640.0);
        let h = if cx.presentation { 360.0 } else { 280.0 };
        self.chart
            .show(ui, &spec, egui::vec2(w, h))
            .on_hover_text("Measured just now on this computer by timing many steps of each method on random vectors.");
        egui::Grid::new("w2v-cost-table").striped(true).show(ui, |ui| {
            for h in ["vocabulary", "full softmax", "negative sampling", "ratio"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for c in costs {
                ui.label(format!("{}", c.vocab));
                ui.label(format!("{:.1} µs", us(c.softmax_ns)));
                ui.label(format!("{:.2} µs", us(c.negative_sampling_ns)));
                let ratio = c.softmax_ns / c.negative_sampling_ns.max(1.0);
                ui.label(format!("{ratio:.0}×"))
                    .on_hover_text("How many negative-sampling steps fit in the time of one full-softmax step.");
                ui.end_row();
            }
        });
        if let Some(last) = costs.last() {
            ui.label(format!(
                "At {} words, one full-softmax step costs as much as {:.0} negative-sampling steps, and the gap grows with the vocabulary.",
                last.vocab,
                last.softmax_ns / last.negative_sampling_ns.max(1.0)
            ));
        }
        if ui
            .add_enabled(!self.measuring(), egui::Button::new("Measure again"))
            .on_hover_text("Timings vary with what else the computer is doing.")
            .clicked()
        {
            self.start(ui.ctx());
        }
    }
}
