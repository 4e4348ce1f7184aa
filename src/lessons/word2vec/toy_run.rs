//! The course's toy run: skip-gram with a full softmax on four short sentences (and the
//! learner's, if asked), dimension 3, window 2, many epochs; the loss curve, both weight
//! matrices at any recorded epoch, and what the network predicts around a chosen word.

use egui::RichText;

use crate::job::Recompute;
use crate::lessons::shared_views::shape;
use crate::model::word2vec::softmax;
use crate::model::word2vec::toy_run::{TOY_SENTENCES, ToyConfig, ToyRun, train};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::{Heatmap, Scale};

/// Words of the learner's sentence added to the toy text at most.
const MAX_SENTENCE_WORDS: usize = 30;
/// Predicted context words listed for the chosen centre word.
const TOP: usize = 5;

/// What one run is computed from.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    texts: Vec<String>,
    config: ToyConfig,
}

fn run(key: &Key) -> ToyRun {
    let texts: Vec<&str> = key.texts.iter().map(String::as_str).collect();
    train(&texts, &key.config)
}

/// State of the view.
pub struct ToyRunView {
    pub config: ToyConfig,
    /// Add the learner's sentence to the four toy sentences.
    pub with_sentence: bool,
    /// Index into the run's snapshots.
    pub snapshot: usize,
    /// Centre word whose predictions are listed.
    pub centre: String,
    result: Recompute<Key, ToyRun>,
    chart: ChartView,
}

impl Default for ToyRunView {
    fn default() -> Self {
        Self {
            config: ToyConfig::default(),
            with_sentence: false,
            snapshot: usize::MAX,
            centre: "cat".to_owned(),
            result: Recompute::default(),
            chart: ChartView::default(),
        }
    }
}

impl ToyRunView {
    pub fn show(&mut self, ui: &mut egui::Ui, sentence: &str) {
        ui.strong("The training text");
        for s in TOY_SENTENCES {
            ui.monospace(s);
        }
        ui.checkbox(&mut self.with_sentence, "add your sentence")
            .on_hover_text(format!(
                "Its first {MAX_SENTENCE_WORDS} words join the four sentences"
            ));
        egui::Grid::new("toy-run-controls")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label("dimension N");
                ui.add(egui::Slider::new(&mut self.config.dim, 2..=5))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("window");
                ui.add(egui::Slider::new(&mut self.config.window, 1..=3))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("epochs");
                ui.add(egui::Slider::new(&mut self.config.epochs, 10..=3000).logarithmic(true))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label("learning rate");
                ui.add(
                    egui::Slider::new(&mut self.config.learning_rate, 0.001..=0.5)
                        .logarithmic(true),
                )
                .labelled_by(l.id);
                ui.end_row();
            });
        self.config.snapshot_every = (self.config.epochs / 100).max(1);
        let mut texts: Vec<String> = TOY_SENTENCES.iter().map(|s| s.to_string()).collect();
        if self.with_sentence {
            let words: Vec<&str> = sentence
                .split_whitespace()
                .take(MAX_SENTENCE_WORDS)
                .collect();
            texts.push(words.join(" "));
        }
        let key = Key {
            texts,
            config: self.config.clone(),
        };
        let busy = self.result.busy();
        let Some(run) = self.result.get(ui.ctx(), &key, run) else {
            ui.spinner();
            return;
        };
        if busy {
            ui.label(RichText::new("training with the new settings…").weak());
        }
        let (v, n) = (run.words.len(), run.dim);
        let last = run.snapshots.len().saturating_sub(1);
        self.snapshot = self.snapshot.min(last);
        ui.label(format!(
            "{v} distinct words, {} (centre, context) pairs per epoch; the network is \
             V → N → V = {v} → {n} → {v}: {} weights in all.",
            run.pairs.len(),
            2 * v * n
        ));
        let epoch_of = |i: usize| run.snapshots.get(i).map_or(0, |s| s.epoch);
        ui.add(
            egui::Slider::new(&mut self.snapshot, 0..=last)
                .custom_formatter(|i, _| format!("epoch {}", epoch_of(i as usize)))
                .text("weights after"),
        );
        let Some(snap) = run.snapshots.get(self.snapshot) else {
            return;
        };
        loss_chart(ui, &mut self.chart, run, snap.epoch);
        let max_abs = run
            .snapshots
            .iter()
            .flat_map(|s| s.w_center.iter().chain(&s.w_outside))
            .fold(0.0f32, |m, x| m.max(x.abs()))
            .max(1e-6);
        let cols: Vec<String> = (1..=n).map(|d| format!("d{d}")).collect();
        ui.columns(2, |c| {
            for (ui, (name, m)) in c.iter_mut().zip([
                ("W_center: the input vector of each word", &snap.w_center),
                ("W_outside: the output vector of each word", &snap.w_outside),
            ]) {
                ui.strong(format!("{name} {}", shape(v, n)));
                Heatmap::new(name, m, v, n)
                    .labels(&run.words, &cols)
                    .scale(Scale::Diverging { max_abs })
                    .unit("weight")
                    .max_cell(22.0)
                    .show(ui);
            }
        });
        ui.label(
            RichText::new(
                "Both heatmaps keep one colour scale across all epochs, so a colour means the \
                 same weight at every epoch.",
            )
            .weak(),
        );
        predictions(
            ui,
            &mut self.centre,
            run,
            snap.epoch,
            &snap.w_center,
            &snap.w_outside,
        );
    }
}

/// P(context | centre) for the chosen word: the full softmax over every word.
fn predictions(
    ui: &mut egui::Ui,
    centre: &mut String,
    run: &ToyRun,
    epoch: usize,
    w_center: &[f32],
    w_outside: &[f32],
) {
    let Some(c) = run.words.iter().position(|w| w == centre) else {
        *centre = run.words.first().cloned().unwrap_or_default();
        return;
    };
    egui::ComboBox::from_label("centre word")
        .selected_text(centre.clone())
        .show_ui(ui, |ui| {
            for w in &run.words {
                ui.selectable_value(centre, w.clone(), w);
            }
        });
    let p = softmax::probabilities(w_center, w_outside, run.dim, c as u32);
    let mut ranked: Vec<(usize, f32)> = p.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let listed: Vec<String> = ranked
        .iter()
        .take(TOP)
        .map(|&(i, q)| format!("{} {:.0} %", run.words[i], q * 100.0))
        .collect();
    ui.label(format!(
        "After epoch {epoch}, the softmax over all {} words puts around \"{}\": {}.",
        run.words.len(),
        centre,
        listed.join(", ")
    ));
}

/// Mean loss per epoch, with the chosen epoch marked.
fn loss_chart(ui: &mut egui::Ui, chart: &mut ChartView, run: &ToyRun, epoch: usize) {
    let points: Vec<(f64, f64)> = run
        .snapshots
        .iter()
        .map(|s| (s.epoch as f64, s.loss as f64))
        .collect();
    let now: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| p.0 == epoch as f64)
        .collect();
    let spec = ChartSpec {
        title: "Loss of the full-softmax skip-gram".to_owned(),
        x_label: "epoch".to_owned(),
        y_label: "mean −ln P(context | centre)".to_owned(),
        log_y: false,
        series: vec![
            Series {
                name: "loss".to_owned(),
                points,
                kind: SeriesKind::Line,
                color: PALETTE[0],
            },
            Series {
                name: "shown epoch".to_owned(),
                points: now,
                kind: SeriesKind::Scatter,
                color: PALETTE[1],
            },
        ],
    };
    let w = ui.available_width().clamp(300.0, 640.0);
    chart.show(ui, &spec, egui::vec2(w, 180.0)).on_hover_text(
        "Epoch 0 is the random start: about ln V, a uniform guess. The floor is above 0: \
         the same centre word has several true context words.",
    );
}
