//! Step 1: the timeline and family tree of machine translation and language models, from
//! `assets/timeline.json` ([`crate::model::history::timeline`]). Events sit in one lane per branch
//! at their date; the strip zooms (scroll wheel, pinch, buttons) and pans (drag). Hovering
//! an event gives its one-line summary; clicking one opens the lesson that covers it.

use egui::{Align2, Color32, FontId, Rect, RichText, Sense, Stroke, pos2, vec2};

use crate::lessons::{Command, LessonContext, LessonId};
use crate::model::history::timeline::{Event, Timeline};
use crate::widgets::chart::PALETTE;

const LANE_HEIGHT: f32 = 64.0;
const AXIS_HEIGHT: f32 = 22.0;
const DOT: f32 = 6.0;
/// Narrowest window, in years, the zoom allows.
const MIN_SPAN: f64 = 2.0;
/// Before this year the axis is compressed by [`SQUEEZE`], so sixty years of early history
/// and the crowded years since fit one strip; the axis says so.
const BREAK: f64 = 2012.0;
const SQUEEZE: f64 = 3.0;

/// Real year → position on the (partly compressed) axis.
fn warp(t: f64) -> f64 {
    if t >= BREAK {
        t
    } else {
        BREAK - (BREAK - t) / SQUEEZE
    }
}

/// The loaded timeline, the visible years and the event picked last.
pub struct TimelineView {
    pub timeline: Result<Timeline, String>,
    /// Visible `(first, last)` year, fractional.
    pub span: (f64, f64),
    pub selected: Option<usize>,
}

impl Default for TimelineView {
    fn default() -> Self {
        let timeline = Timeline::builtin().map_err(|e| e.to_string());
        let span = timeline.as_ref().map(full_span).unwrap_or((1950.0, 2025.0));
        Self {
            timeline,
            span,
            selected: None,
        }
    }
}

/// Every event in view, with a little margin.
fn full_span(tl: &Timeline) -> (f64, f64) {
    let lo = tl
        .events
        .iter()
        .map(|e| warp(e.year as f64))
        .fold(f64::INFINITY, f64::min);
    let hi = tl
        .events
        .iter()
        .map(|e| warp(e.year_end.unwrap_or(e.year) as f64 + 1.0))
        .fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi > lo {
        (lo - 0.5, hi + 1.0)
    } else {
        (1950.0, 2025.0)
    }
}

/// "June 2018", "2014", "1954–1966".
pub fn date(e: &Event) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match (e.month, e.year_end) {
        (_, Some(end)) => format!("{}–{end}", e.year),
        (Some(m), None) => {
            let name = MONTHS
                .get(usize::from(m).saturating_sub(1))
                .copied()
                .unwrap_or("");
            format!("{name} {}", e.year)
        }
        (None, None) => e.year.to_string(),
    }
}

/// Where a click on an event goes: another lesson, at the step showing `view` if the event
/// names one that the lesson has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub lesson: LessonId,
    pub view: Option<&'static str>,
}

impl Link {
    pub fn command(self) -> Command {
        match self.view {
            Some(v) => Command::GoToLessonView(self.lesson, v),
            None => Command::GoToLesson(self.lesson),
        }
    }
}

/// The app lesson (and step) an event links to, if it is not this lesson.
pub fn link(e: &Event) -> Option<Link> {
    let lesson = Some(e.lesson).filter(|l| *l != LessonId::History)?;
    let view = e.view.as_deref().and_then(|v| {
        crate::lessons::view_names(lesson)
            .iter()
            .copied()
            .find(|n| *n == v)
    });
    Some(Link { lesson, view })
}

/// "110 M", "1.5 B", "175 B": a parameter count in millions or billions.
pub fn format_parameters(p: f64) -> String {
    let (v, unit) = if p >= 1e9 {
        (p / 1e9, "B")
    } else {
        (p / 1e6, "M")
    };
    if v < 10.0 && (v - v.round()).abs() > 0.05 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.0} {unit}")
    }
}

/// "110 M – 340 M parameters", or `None` when the sizes were never published.
pub fn sizes(e: &Event) -> Option<String> {
    match e.parameters.as_slice() {
        [] => None,
        [one] => Some(format!("{} parameters", format_parameters(*one))),
        [first, .., last] => Some(format!(
            "{} – {} parameters",
            format_parameters(*first),
            format_parameters(*last)
        )),
    }
}

impl TimelineView {
    pub fn show(&mut self, ui: &mut egui::Ui, cx: &LessonContext<'_>) {
        let tl = match &self.timeline {
            Ok(tl) => tl,
            Err(e) => {
                ui.colored_label(ui.visuals().warn_fg_color, e.as_str());
                return;
            }
        };
        let full = full_span(tl);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Whole history").clicked() {
                self.span = full;
            }
            if ui.button("2012 → today").clicked() {
                self.span = (BREAK, full.1);
            }
            if ui.button("＋").on_hover_text("zoom in").clicked() {
                let mid = (self.span.0 + self.span.1) / 2.0;
                zoom(&mut self.span, 0.7, mid, full);
            }
            if ui.button("－").on_hover_text("zoom out").clicked() {
                let mid = (self.span.0 + self.span.1) / 2.0;
                zoom(&mut self.span, 1.0 / 0.7, mid, full);
            }
            ui.label(RichText::new("scroll to zoom, drag to pan").weak());
        });

        let lanes = tl.branches.len().max(1);
        let width = ui.available_width().max(200.0);
        let (rect, bg) = ui.allocate_exact_size(
            vec2(width, lanes as f32 * LANE_HEIGHT + AXIS_HEIGHT),
            Sense::click_and_drag(),
        );
        let plot = Rect::from_min_max(rect.min, pos2(rect.max.x, rect.max.y - AXIS_HEIGHT));
        pan_and_zoom(&mut self.span, ui, &bg, plot, full);
        let (t0, t1) = self.span;
        let x_of = |t: f64| plot.min.x + ((warp(t) - t0) / (t1 - t0)) as f32 * plot.width();
        let lane_of = |e: &Event| {
            tl.branches
                .iter()
                .position(|b| b.id == e.branch)
                .unwrap_or(0)
        };
        let y_of = |lane: usize| plot.min.y + (lane as f32 + 0.5) * LANE_HEIGHT;
        let pos = |e: &Event| pos2(x_of(e.time()), y_of(lane_of(e)));

        let painter = ui.painter_at(rect);
        let text = ui.visuals().text_color();
        let weak = ui.visuals().weak_text_color();
        // Lanes, with their names at the left edge.
        for (i, b) in tl.branches.iter().enumerate() {
            let lane = Rect::from_min_size(
                pos2(plot.min.x, plot.min.y + i as f32 * LANE_HEIGHT),
                vec2(plot.width(), LANE_HEIGHT),
            );
            if i % 2 == 0 {
                painter.rect_filled(lane, 0.0, ui.visuals().faint_bg_color);
            }
            painter.text(
                lane.left_top() + vec2(4.0, 2.0),
                Align2::LEFT_TOP,
                &b.label,
                FontId::proportional(11.0),
                weak,
            );
        }
        axis(&painter, plot, rect, self.span, weak);
        // Family-tree edges under the dots.
        for (p, c) in tl.edges() {
            if let (Some(a), Some(b)) = (tl.events.get(p), tl.events.get(c)) {
                painter.line_segment([pos(a), pos(b)], Stroke::new(1.0, weak.gamma_multiply(0.6)));
            }
        }
        // Events: eras as bars, moments as dots; labels where they fit.
        // Right end of the last label drawn above / below the dots, per lane; the lane's
        // name occupies the start of the upper row.
        let mut label_ends: Vec<[f32; 2]> = tl
            .branches
            .iter()
            .map(|b| {
                let w = painter
                    .layout_no_wrap(b.label.clone(), FontId::proportional(11.0), weak)
                    .size()
                    .x;
                [plot.min.x + w + 4.0, f32::NEG_INFINITY]
            })
            .collect();
        label_ends.resize(lanes, [f32::NEG_INFINITY; 2]);
        for (i, e) in tl.events.iter().enumerate() {
            let lane = lane_of(e);
            let p = pos(e);
            let [r, g, b] = PALETTE[lane % PALETTE.len()];
            let colour = Color32::from_rgb(r, g, b);
            let mut hit = Rect::from_center_size(p, vec2(2.0 * DOT + 6.0, 2.0 * DOT + 6.0));
            if let Some(end) = e.year_end {
                let bar = Rect::from_min_max(
                    pos2(x_of(e.year as f64), p.y - DOT * 0.7),
                    pos2(x_of(end as f64 + 1.0), p.y + DOT * 0.7),
                );
                painter.rect_filled(bar, 3.0, colour.gamma_multiply(0.7));
                hit = hit.union(bar);
            }
            let selected = self.selected == Some(i);
            painter.circle(
                p,
                DOT,
                colour,
                Stroke::new(if selected { 3.0 } else { 1.0 }, text),
            );
            // Alternate labels above and below the dot; skip one that would overlap.
            let row = i % 2;
            let galley = painter.layout_no_wrap(e.title.clone(), FontId::proportional(12.0), text);
            let ly = if row == 0 {
                p.y - DOT - 16.0
            } else {
                p.y + DOT + 2.0
            };
            let lx = (p.x - galley.size().x / 2.0).max(plot.min.x + 2.0);
            if lx > label_ends[lane][row] + 4.0 && rect.contains(pos2(p.x, p.y)) {
                label_ends[lane][row] = lx + galley.size().x;
                painter.galley(pos2(lx, ly), galley, text);
            }
            if !plot.contains(p) {
                continue;
            }
            let r = ui.interact(
                hit,
                ui.scope_id().with(("timeline-event", i)),
                Sense::click(),
            );
            let title = format!("{} ({})", e.title, date(e));
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, title.clone()));
            let action = match link(e) {
                Some(Link {
                    lesson,
                    view: Some(v),
                }) => format!(
                    "Click to open the lesson “{}” at its step “{v}”.",
                    lesson.title()
                ),
                Some(l) => format!("Click to open the lesson “{}”.", l.lesson.title()),
                None => "Covered in this lesson.".to_owned(),
            };
            let size = sizes(e).map(|s| format!("\n{s}")).unwrap_or_default();
            let r = r.on_hover_text(format!("{title}: {}{size}\n{action}", e.summary));
            if r.clicked() {
                self.selected = Some(i);
                if let Some(l) = link(e) {
                    cx.send(l.command());
                }
            }
        }
        // The picked event in words, so nothing depends on hover alone.
        match self.selected.and_then(|i| tl.events.get(i)) {
            Some(e) => {
                let branch = tl.branch(e.branch).map(|b| b.label.as_str()).unwrap_or("");
                ui.label(RichText::new(format!("{} · {} · {branch}", e.title, date(e))).strong());
                ui.label(&e.summary);
                if let Some(s) = sizes(e) {
                    ui.label(s);
                }
            }
            None => {
                ui.label(
                    RichText::new(
                        "Click an event for its story; events from later lessons open that lesson. \
                         GPT-style and encoder–decoder models open the self-attention steps on \
                         masks and the decoder loop: the playground runs this app's own small \
                         encoder-only BERT, not any model on the strip.",
                    )
                    .weak(),
                );
            }
        }
    }
}

/// Scales the visible window by `factor` around year `at`, kept inside `full`.
fn zoom(view: &mut (f64, f64), factor: f64, at: f64, full: (f64, f64)) {
    let (t0, t1) = *view;
    let span = ((t1 - t0) * factor).clamp(MIN_SPAN, full.1 - full.0);
    let frac = if t1 > t0 { (at - t0) / (t1 - t0) } else { 0.5 };
    let start = at - frac * span;
    *view = (start, start + span);
    clamp(view, full);
}

fn clamp(view: &mut (f64, f64), full: (f64, f64)) {
    let span = view.1 - view.0;
    let start = view.0.clamp(full.0, (full.1 - span).max(full.0));
    *view = (start, start + span);
}

/// Drag pans; the wheel or a pinch zooms around the pointer.
fn pan_and_zoom(
    view: &mut (f64, f64),
    ui: &egui::Ui,
    bg: &egui::Response,
    plot: Rect,
    full: (f64, f64),
) {
    let (t0, t1) = *view;
    let years_per_px = (t1 - t0) / plot.width().max(1.0) as f64;
    if bg.dragged() {
        let dx = bg.drag_delta().x as f64;
        *view = (t0 - dx * years_per_px, t1 - dx * years_per_px);
        clamp(view, full);
    }
    if bg.hovered() {
        let (scroll, pinch, pointer) = ui.input(|i| {
            (
                i.smooth_scroll_delta.y,
                i.zoom_delta(),
                i.pointer.hover_pos(),
            )
        });
        let factor = (-(scroll as f64) * 0.003).exp() / pinch as f64;
        if (factor - 1.0).abs() > 1e-6 {
            let at = pointer.map_or((t0 + t1) / 2.0, |p| {
                t0 + (p.x - plot.min.x) as f64 * years_per_px
            });
            zoom(view, factor, at, full);
            // The wheel zoomed the strip; do not also scroll the page.
            ui.ctx().input_mut(|i| i.smooth_scroll_delta.y = 0.0);
        }
    }
}

/// Year ticks along the bottom, at least ~40 px apart, decades only in the compressed part,
/// and a marker where the compression starts.
fn axis(painter: &egui::Painter, plot: Rect, rect: Rect, span: (f64, f64), colour: Color32) {
    let (t0, t1) = span;
    let px_per_unit = plot.width() as f64 / (t1 - t0).max(1e-9);
    let x_of = |year: f64| plot.min.x + ((warp(year) - t0) * px_per_unit) as f32;
    let font = FontId::proportional(11.0);
    let mut last_x = f32::NEG_INFINITY;
    for year in 1940..=2030 {
        let y = year as f64;
        let round = if y < BREAK { year % 10 == 0 } else { true };
        let x = x_of(y);
        if !round || x < plot.min.x || x > plot.max.x || x - last_x < 40.0 {
            continue;
        }
        last_x = x;
        painter.line_segment(
            [pos2(x, plot.max.y), pos2(x, plot.max.y + 4.0)],
            Stroke::new(1.0, colour),
        );
        painter.text(
            pos2(x, plot.max.y + 5.0),
            Align2::CENTER_TOP,
            year.to_string(),
            font.clone(),
            colour,
        );
    }
    let bx = x_of(BREAK);
    if bx > plot.min.x && bx < plot.max.x {
        painter.line_segment(
            [pos2(bx, plot.min.y), pos2(bx, plot.max.y)],
            Stroke::new(1.0, colour.gamma_multiply(0.4)),
        );
        painter.text(
            pos2(bx - 4.0, plot.max.y - 2.0),
            Align2::RIGHT_BOTTOM,
            format!("before {BREAK:.0}: 1 year = 1/{SQUEEZE:.0} width"),
            FontId::proportional(10.0),
            colour,
        );
    }
    painter.text(
        rect.right_bottom(),
        Align2::RIGHT_BOTTOM,
        "year",
        font,
        colour,
    );
}
