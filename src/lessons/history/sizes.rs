//! The last step: what "large" means. The published parameter counts of the timeline's
//! events on a log scale by date, one colour per branch, and the branches counted from the
//! same events, so the decoder-only branch's growth is read off the data, not asserted.

use egui::RichText;

use super::timeline::{TimelineView, format_parameters};
use crate::model::bert::builtin_model;
use crate::model::history::timeline::{Branch, Timeline};
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};

/// The three Transformer branches, in the timeline's lane colours.
const BRANCHES: [Branch; 3] = [
    Branch::EncoderOnly,
    Branch::DecoderOnly,
    Branch::EncoderDecoder,
];

/// Year ranges the table counts events in: `(first, last)`, inclusive.
const PERIODS: [(u16, u16); 3] = [(2017, 2019), (2020, 2021), (2022, 2030)];

/// Per branch: the events in each period and the largest published size.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchCount {
    pub branch: Branch,
    pub per_period: [usize; PERIODS.len()],
    pub largest: Option<(String, f64)>,
}

/// Counts the timeline's own events by branch and period.
pub fn count_branches(tl: &Timeline) -> Vec<BranchCount> {
    BRANCHES
        .iter()
        .map(|&branch| {
            let events: Vec<_> = tl.events.iter().filter(|e| e.branch == branch).collect();
            let mut per_period = [0; PERIODS.len()];
            for (n, (a, b)) in per_period.iter_mut().zip(PERIODS) {
                *n = events.iter().filter(|e| (a..=b).contains(&e.year)).count();
            }
            let largest = events
                .iter()
                .filter_map(|e| e.parameters.last().map(|p| (e.title.clone(), *p)))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            BranchCount {
                branch,
                per_period,
                largest,
            }
        })
        .collect()
}

fn period_label((a, b): (u16, u16)) -> String {
    if b >= 2030 {
        format!("{a}–")
    } else {
        format!("{a}–{b}")
    }
}

/// Draws the chart and the table.
pub fn show(ui: &mut egui::Ui, timeline: &TimelineView, chart: &mut ChartView) {
    let tl = match &timeline.timeline {
        Ok(tl) => tl,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e.as_str());
            return;
        }
    };
    let lane = |b: Branch| tl.branches.iter().position(|x| x.id == b).unwrap_or(0);
    let label = |b: Branch| tl.branch(b).map(|x| x.label.clone()).unwrap_or_default();
    let series: Vec<Series> = [Branch::BeforeTransformers, Branch::Transformer]
        .into_iter()
        .chain(BRANCHES)
        .map(|b| Series {
            name: label(b),
            points: tl
                .largest_sizes()
                .filter(|(e, _)| e.branch == b)
                .map(|(e, p)| (e.time(), p))
                .collect(),
            kind: SeriesKind::Scatter,
            color: PALETTE[lane(b) % PALETTE.len()],
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    let builtin = builtin_model::config().map(|c| c.parameter_count() as f64);
    let spec = ChartSpec {
        title: "Published model sizes".to_owned(),
        x_label: "year of release".to_owned(),
        y_label: "parameters (log scale)".to_owned(),
        log_y: true,
        series,
    };
    let w = ui.available_width().clamp(300.0, 680.0);
    chart.show(ui, &spec, egui::vec2(w, 260.0)).on_hover_text(
        "One dot per event that published its size (the largest of its released sizes); \
         ChatGPT and GPT-4 never published theirs.",
    );
    ui.label(
        RichText::new(
            "Each dot: the largest released size of one model on the timeline, by its \
             release date; ChatGPT and GPT-4 never published theirs.",
        )
        .weak(),
    );
    if let Some(p) = builtin {
        ui.label(format!(
            "For scale: the small BERT this app trained and runs has {} parameters.",
            format_parameters(p)
        ));
    }

    ui.add_space(8.0);
    ui.strong("Events on the timeline per branch and period, and the largest published size");
    let counts = count_branches(tl);
    egui::Grid::new("branch-counts")
        .striped(true)
        .num_columns(PERIODS.len() + 2)
        .show(ui, |ui| {
            ui.strong("branch");
            for p in PERIODS {
                ui.strong(period_label(p));
            }
            ui.strong("largest");
            ui.end_row();
            for c in &counts {
                ui.label(label(c.branch));
                for n in c.per_period {
                    ui.label(n.to_string());
                }
                ui.label(match &c.largest {
                    Some((title, p)) => format!("{title}, {}", format_parameters(*p)),
                    None => "—".to_owned(),
                });
                ui.end_row();
            }
        });
    let last = PERIODS.len() - 1;
    let of = |b: Branch| counts.iter().find(|c| c.branch == b);
    if let (Some(dec), Some(enc), Some(ed)) = (
        of(Branch::DecoderOnly),
        of(Branch::EncoderOnly),
        of(Branch::EncoderDecoder),
    ) {
        ui.label(format!(
            "From {} on the strip holds {} decoder-only events against {} encoder-only and {} \
             encoder–decoder ones.",
            PERIODS[last].0, dec.per_period[last], enc.per_period[last], ed.per_period[last]
        ));
    }
    ui.label(
        RichText::new(
            "The timeline is a selection of milestones, not a census of every model: the \
             counts show where this course's history puts its weight.",
        )
        .weak(),
    );
}
