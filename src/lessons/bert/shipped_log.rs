//! The built-in model's own pre-training run, plotted from the `log.csv` and
//! `eval.csv` shipped beside it: the loss, the masked-word accuracy (on the training
//! batches and on the held-out addresses) and the next-sentence accuracy.

use std::sync::OnceLock;

use crate::model::bert::builtin_model;
use crate::model::bert::train::log::{EvalRow, LogError, LogRow, parse_eval, parse_log};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// A run's update rows and evaluation rows, or why they could not be read.
pub type RunLog = Result<(Vec<LogRow>, Vec<EvalRow>), LogError>;

/// The shipped run's rows, parsed once.
pub fn shipped() -> &'static RunLog {
    static LOGS: OnceLock<RunLog> = OnceLock::new();
    LOGS.get_or_init(|| {
        Ok((
            parse_log(builtin_model::LOG_CSV)?,
            parse_eval(builtin_model::EVAL_CSV)?,
        ))
    })
}

fn line(name: &str, points: Vec<(f64, f64)>, color: [u8; 3], kind: SeriesKind) -> Series {
    Series {
        name: name.to_owned(),
        points,
        kind,
        color,
    }
}

/// The three charts of a run: loss, masked-word accuracy, next-sentence accuracy.
/// The x axis is millions of training tokens.
pub fn specs(log: &[LogRow], eval: &[EvalRow]) -> [ChartSpec; 3] {
    let x = |t: u64| t as f64 / 1e6;
    let eval_x = |e: &EvalRow| {
        // eval.csv rows are keyed by update; find the tokens at that update.
        let i = log.partition_point(|r| r.step < e.step);
        log.get(i.min(log.len().saturating_sub(1)))
            .map_or(0.0, |r| x(r.tokens))
    };
    let tokens = "training tokens (millions)".to_owned();
    // The held-out NSP score means nothing before the task starts (an untrained head).
    let nsp_from = log
        .iter()
        .find(|r| r.nsp_loss > 0.0)
        .map_or(u64::MAX, |r| r.step);
    let loss = ChartSpec {
        title: "Loss".to_owned(),
        x_label: tokens.clone(),
        y_label: "loss per update (nats)".to_owned(),
        log_y: false,
        series: vec![line(
            "MLM + NSP loss",
            log.iter().map(|r| (x(r.tokens), r.loss)).collect(),
            PALETTE[0],
            SeriesKind::Line,
        )],
    };
    let mlm = ChartSpec {
        title: "Masked words guessed right".to_owned(),
        x_label: tokens.clone(),
        y_label: "% of masked positions".to_owned(),
        log_y: false,
        series: vec![
            line(
                "top-1, training",
                log.iter()
                    .map(|r| (x(r.tokens), 100.0 * r.mlm_top1))
                    .collect(),
                PALETTE[2],
                SeriesKind::Line,
            ),
            line(
                "top-1, held-out",
                eval.iter()
                    .map(|e| (eval_x(e), 100.0 * e.mlm_top1))
                    .collect(),
                PALETTE[1],
                SeriesKind::Line,
            ),
            line(
                "top-5, held-out",
                eval.iter()
                    .map(|e| (eval_x(e), 100.0 * e.mlm_top5))
                    .collect(),
                PALETTE[4],
                SeriesKind::Line,
            ),
        ],
    };
    let nsp = ChartSpec {
        title: "Next sentence guessed right".to_owned(),
        x_label: tokens,
        y_label: "% of pairs".to_owned(),
        log_y: false,
        series: vec![
            line(
                "training batches",
                log.iter()
                    .filter(|r| r.nsp_loss > 0.0)
                    .map(|r| (x(r.tokens), 100.0 * r.nsp_acc))
                    .collect(),
                PALETTE[2],
                SeriesKind::Line,
            ),
            line(
                "held-out addresses",
                eval.iter()
                    .filter(|e| e.step >= nsp_from)
                    .map(|e| (eval_x(e), 100.0 * e.nsp_acc))
                    .collect(),
                PALETTE[1],
                SeriesKind::Line,
            ),
            line(
                "chance",
                vec![(0.0, 50.0), (log.last().map_or(1.0, |r| x(r.tokens)), 50.0)],
                [128, 128, 128],
                SeriesKind::Line,
            ),
        ],
    };
    [loss, mlm, nsp]
}

/// The shipped run's charts with a line of its final figures.
pub fn show(ui: &mut egui::Ui, charts: &mut [ChartView; 3]) {
    let (log, eval) = match shipped() {
        Ok(l) => l,
        Err(e) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("The built-in model's training log could not be read: {e}"),
            );
            return;
        }
    };
    if let (Some(last), Some(e)) = (log.last(), eval.last()) {
        ui.label(format!(
            "The built-in model's own run: {} updates, {:.1} million tokens, {:.0} minutes on 2 CPU threads. On the held-out addresses at the end: {:.1} % of masked words right first time, {:.1} % in the top 5, {:.1} % of next-sentence pairs right.",
            super::group_digits(last.step),
            last.tokens as f64 / 1e6,
            last.elapsed_s / 60.0,
            100.0 * e.mlm_top1,
            100.0 * e.mlm_top5,
            100.0 * e.nsp_acc,
        ));
    }
    let width = ui.available_width().max(320.0);
    for (view, spec) in charts.iter_mut().zip(specs(log, eval)) {
        view.show(ui, &spec, egui::vec2(width, 170.0));
    }
}
