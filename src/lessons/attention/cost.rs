//! Step "cost": the n × n score table's memory (counted) and one layer's attention
//! time (measured on a worker, on the backend in use) at lengths 16 … 2048, on
//! log-log axes with n and n² drawn for reference.

use std::sync::Arc;

use crate::compute::attention_cost::{CostSample, LENGTHS, measure_async, score_bytes};
use crate::compute::{Engine, Ran};
use crate::job::Job;
use crate::lessons::LessonContext;
use crate::model::bert::pretrained::PretrainedBert;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

const MIB: f64 = 1024.0 * 1024.0;

enum Msg {
    Sample(CostSample),
    Failed(String),
}

#[derive(Default)]
pub struct State {
    job: Option<Job<Msg>>,
    pub samples: Vec<CostSample>,
    pub error: Option<String>,
    /// The engine the samples were measured on.
    engine_id: Option<u64>,
    charts: [ChartView; 2],
}

impl State {
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Measures every length in [`LENGTHS`] on a worker, shortest first.
    pub fn start(&mut self, engine: &Arc<Engine>, heads: usize, d: usize, ctx: &egui::Context) {
        self.samples.clear();
        self.error = None;
        self.engine_id = Some(engine.id());
        let engine = engine.clone();
        // A future: in the browser the GPU's answers are awaited between frames.
        self.job = Some(Job::future(
            "attention-cost",
            Some(ctx),
            move |r| async move {
                for n in LENGTHS {
                    if r.cancelled() {
                        return;
                    }
                    let msg = match measure_async(&engine, n, heads, d).await {
                        Ok(s) => Msg::Sample(s),
                        Err(e) => Msg::Failed(e),
                    };
                    let failed = matches!(msg, Msg::Failed(_));
                    if !r.send(msg) || failed {
                        return;
                    }
                    // The browser's page draws the new point before the next length.
                    crate::job::pause(std::time::Duration::ZERO).await;
                }
            },
        ));
    }

    fn poll(&mut self) {
        let Some(job) = &self.job else { return };
        if let Some(e) = job.failure() {
            self.error = Some(e.to_owned());
            self.job = None;
            return;
        }
        loop {
            match job.try_next() {
                Ok(Some(Msg::Sample(s))) => self.samples.push(s),
                Ok(Some(Msg::Failed(e))) => self.error = Some(e),
                Ok(None) => return,
                Err(()) => {
                    self.job = None;
                    return;
                }
            }
        }
    }
}

/// "64 KiB", "1.5 MiB": the unit that keeps the number readable.
pub fn bytes(b: u64) -> String {
    let kib = b as f64 / 1024.0;
    if kib < 1024.0 {
        format!("{kib:.0} KiB")
    } else {
        format!("{:.1} MiB", kib / 1024.0)
    }
}

fn log2(n: usize) -> f64 {
    (n as f64).log2()
}

/// A reference line `∝ n^power` through the point `(n0, y0)`.
fn reference(name: &str, power: i32, n0: usize, y0: f64, color: [u8; 3]) -> Series {
    let points = LENGTHS
        .iter()
        .map(|&n| (log2(n), y0 * (n as f64 / n0 as f64).powi(power)))
        .collect();
    Series {
        name: name.to_owned(),
        points,
        kind: SeriesKind::Line,
        color,
    }
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    cx: &LessonContext<'_>,
    model: Option<&Arc<PretrainedBert>>,
) {
    let (heads, d, positions) = model
        .map(|m| {
            let c = &m.model.config;
            let h = c.num_attention_heads.max(1);
            (h, c.hidden_size / h, c.max_position_embeddings)
        })
        .unwrap_or((4, 32, 128));
    state.poll();
    if state.engine_id.is_some_and(|id| id != cx.engine.id()) {
        // The learner switched backends: the old figures describe another machine.
        state.samples.clear();
        state.engine_id = None;
    }
    ui.label(format!(
        "One layer of the built-in model: {heads} heads of d_k = {d}. For each length n: the scores QKᵀ/√d_k ({heads} × n × n floats), the row softmax, and the weights times V (Q, K and V are 3 × n × {} floats).",
        heads * d
    ));
    ui.horizontal(|ui| {
        if state.running() {
            ui.spinner();
            let done = state.samples.len() as f32 / LENGTHS.len() as f32;
            ui.add(
                egui::ProgressBar::new(done)
                    .desired_width(200.0)
                    .text(format!(
                        "{} of {} lengths",
                        state.samples.len(),
                        LENGTHS.len()
                    )),
            );
            if ui.button("Stop").clicked() {
                state.job = None;
            }
        } else if ui
            .button(if cx.backend.is_gpu() {
                "▶ Measure on the GPU"
            } else {
                "▶ Measure on the CPU"
            })
            .on_hover_text("Time attention at every length from 16 to 2048 tokens (a few seconds)")
            .clicked()
        {
            state.start(cx.engine, heads, d, ui.ctx());
        }
    });
    if let Some(e) = &state.error {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("Measuring stopped: {e}"),
        );
    }
    table(ui, state, heads, d, positions);
    charts(ui, state, heads, d);
}

fn table(ui: &mut egui::Ui, state: &State, heads: usize, d: usize, positions: usize) {
    egui::Grid::new("attention-cost")
        .striped(true)
        .show(ui, |ui| {
            for h in [
                "n tokens",
                "score table",
                "Q, K, V",
                "time",
                "× previous length",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for (i, &n) in LENGTHS.iter().enumerate() {
                let marker = if n == positions {
                    " (the model's limit)"
                } else {
                    ""
                };
                ui.label(format!("{n}{marker}"));
                ui.label(bytes(score_bytes(n, heads)));
                ui.label(bytes((3 * n * heads * d * 4) as u64));
                match state.samples.get(i) {
                    Some(s) => {
                        let on = match s.ran {
                            Ran::Gpu => "GPU",
                            Ran::Cpu => "CPU",
                        };
                        ui.label(format!("{:.3} ms ({on})", s.seconds * 1e3));
                        match i.checked_sub(1).and_then(|p| state.samples.get(p)) {
                            Some(p) => {
                                ui.label(format!("× {:.1}", s.seconds / p.seconds.max(1e-12)))
                            }
                            None => ui.label(""),
                        };
                    }
                    None => {
                        ui.label("—");
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
}

fn charts(ui: &mut egui::Ui, state: &mut State, heads: usize, d: usize) {
    let width = ui.available_width().max(320.0);
    let memory = ChartSpec {
        title: "Memory against length".to_owned(),
        x_label: "log₂ n (4 = 16 tokens … 11 = 2048)".to_owned(),
        y_label: "MiB".to_owned(),
        log_y: true,
        series: vec![
            Series {
                name: "score table".to_owned(),
                points: LENGTHS
                    .iter()
                    .map(|&n| (log2(n), score_bytes(n, heads) as f64 / MIB))
                    .collect(),
                kind: SeriesKind::Line,
                color: PALETTE[1],
            },
            Series {
                name: "Q, K, V".to_owned(),
                points: LENGTHS
                    .iter()
                    .map(|&n| (log2(n), (3 * n * heads * d * 4) as f64 / MIB))
                    .collect(),
                kind: SeriesKind::Line,
                color: PALETTE[0],
            },
        ],
    };
    ui.vertical(|ui| {
        state.charts[0].show(ui, &memory, egui::vec2(width, 240.0));
        let Some(last) = state.samples.last().copied() else {
            ui.label("Press Measure to time attention at each length.");
            return;
        };
        let ms: Vec<(f64, f64)> = state
            .samples
            .iter()
            .map(|s| (log2(s.n), s.seconds * 1e3))
            .collect();
        let time = ChartSpec {
            title: "Time against length".to_owned(),
            x_label: "log₂ n (4 = 16 tokens … 11 = 2048)".to_owned(),
            y_label: "ms per layer".to_owned(),
            log_y: true,
            series: vec![
                Series {
                    name: "measured".to_owned(),
                    points: ms,
                    kind: SeriesKind::Scatter,
                    color: PALETTE[2],
                },
                reference("∝ n²", 2, last.n, last.seconds * 1e3, PALETTE[1]),
                reference("∝ n", 1, last.n, last.seconds * 1e3, PALETTE[0]),
            ],
        };
        state.charts[1].show(ui, &time, egui::vec2(width, 240.0));
    });
}
