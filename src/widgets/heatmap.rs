//! A labelled heatmap of a `(rows × cols)` matrix: attention weights, hidden states,
//! one-hot vectors. Hovering a cell says its row, column and exact value.

mod text;

use super::colormap::{Scale, text_on};
use super::token_window;
use egui::{Color32, FontId, Mesh, Pos2, Rect, Sense, Stroke, pos2, vec2};

/// Builder for one heatmap; see [`Heatmap::show`].
pub struct Heatmap<'a> {
    title: &'a str,
    /// `(rows × cols)`, row-major.
    values: &'a [f32],
    rows: usize,
    cols: usize,
    row_labels: &'a [String],
    col_labels: &'a [String],
    scale: Scale,
    max_cell: f32,
    unit: &'a str,
    show_values: bool,
    legend: bool,
    clickable: bool,
    draw_labels: bool,
    /// Rows are token positions: a click pins one, and the pinned row is outlined in
    /// every heatmap that pins (the playground's matrices, the live model panel).
    pin_rows: bool,
    /// Long token matrices show a window of tokens chosen with this id's controls.
    window: Option<egui::Id>,
    /// Where this (windowed) matrix starts in the whole one: `(row, col)`.
    offset: (usize, usize),
    /// The right-click menu also saves it as PNG, SVG or CSV.
    exportable: bool,
}

/// What happened to the heatmap this frame.
pub struct HeatmapResponse {
    pub response: egui::Response,
    /// `(row, col)` under the pointer.
    pub hovered: Option<(usize, usize)>,
}

impl<'a> Heatmap<'a> {
    /// `values` must hold `rows × cols` numbers; missing ones are drawn as grey.
    pub fn new(title: &'a str, values: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            title,
            values,
            rows,
            cols,
            row_labels: &[],
            col_labels: &[],
            scale: Scale::Probability,
            max_cell: 28.0,
            unit: "",
            show_values: false,
            legend: true,
            clickable: false,
            draw_labels: true,
            pin_rows: false,
            window: None,
            offset: (0, 0),
            exportable: false,
        }
    }

    pub fn labels(mut self, rows: &'a [String], cols: &'a [String]) -> Self {
        self.row_labels = rows;
        self.col_labels = cols;
        self
    }

    pub fn scale(mut self, scale: Scale) -> Self {
        self.scale = scale;
        self
    }

    /// The largest a cell may grow; it shrinks to fit the available width.
    pub fn max_cell(mut self, size: f32) -> Self {
        self.max_cell = size;
        self
    }

    /// What one value means, shown in the legend and tooltip ("attention weight").
    pub fn unit(mut self, unit: &'a str) -> Self {
        self.unit = unit;
        self
    }

    /// Print each value inside its cell when cells are large enough.
    pub fn show_values(mut self, show: bool) -> Self {
        self.show_values = show;
        self
    }

    /// Draw the axis labels (they stay in the tooltip and for screen readers either way).
    pub fn draw_labels(mut self, draw: bool) -> Self {
        self.draw_labels = draw;
        self
    }

    /// Sense clicks too (the response's `clicked()` then works), e.g. to enlarge.
    pub fn clickable(mut self, clickable: bool) -> Self {
        self.clickable = clickable;
        self
    }

    /// Adds "Save as PNG / SVG / CSV" to the right-click menu.
    pub fn exportable(mut self, exportable: bool) -> Self {
        self.exportable = exportable;
        self
    }

    /// Rows are tokens that a click pins (see [`pinned_row`]).
    pub fn pin_rows(mut self, pin: bool) -> Self {
        self.pin_rows = pin;
        self
    }

    /// Rows are tokens (and columns too when they carry the same labels): past what fits
    /// with readable labels, show a window of tokens the learner slides, its state kept
    /// under `id` (one id for a family of views keeps one window across them).
    pub fn token_window(mut self, id: egui::Id) -> Self {
        self.window = Some(id);
        self
    }

    pub fn legend(mut self, legend: bool) -> Self {
        self.legend = legend;
        self
    }

    fn value(&self, r: usize, c: usize) -> f32 {
        self.values
            .get(r * self.cols + c)
            .copied()
            .unwrap_or(f32::NAN)
    }

    pub fn show(self, ui: &mut egui::Ui) -> HeatmapResponse {
        if let Some(id) = self.window {
            let left = label_column_width(ui, self.row_labels) + 10.0;
            let cols_are_tokens = self.cols == self.rows && self.col_labels == self.row_labels;
            let width = ui.available_width() - left;
            let pinned = pinned_row(ui.ctx()).filter(|_| self.pin_rows);
            let shown =
                token_window::show(ui, id, self.rows, self.cols, cols_are_tokens, width, pinned);
            if let Some(w) = shown {
                return self.show_window(ui, &w);
            }
        }
        self.show_all(ui)
    }

    /// Draws the part `w` of the matrix, reporting cells in the whole matrix's numbering.
    fn show_window(self, ui: &mut egui::Ui, w: &token_window::Window) -> HeatmapResponse {
        // (w.rows × w.cols)
        let values = token_window::slice(self.values, self.cols, w);
        let part = |labels: &[String], range: &std::ops::Range<usize>| {
            labels.get(range.clone()).unwrap_or_default().to_vec()
        };
        let row_labels = part(self.row_labels, &w.rows);
        let col_labels = part(self.col_labels, &w.cols);
        let inner = Heatmap {
            values: &values,
            rows: w.rows.len(),
            cols: w.cols.len(),
            row_labels: &row_labels,
            col_labels: &col_labels,
            window: None,
            offset: (w.rows.start, w.cols.start),
            ..self
        };
        let mut r = inner.show_all(ui);
        r.hovered = r
            .hovered
            .map(|(row, col)| (row + w.rows.start, col + w.cols.start));
        r
    }

    fn show_all(self, ui: &mut egui::Ui) -> HeatmapResponse {
        let font = FontId::proportional(12.0);
        let dark = ui.visuals().dark_mode;
        let text_color = ui.visuals().text_color();
        let label_width = |labels: &[String]| label_column_width(ui, labels);
        let left = if self.row_labels.is_empty() || !self.draw_labels {
            0.0
        } else {
            label_width(self.row_labels) + 6.0
        };
        let top = if self.col_labels.is_empty() || !self.draw_labels {
            0.0
        } else {
            label_width(self.col_labels) + 6.0
        };
        let cols = self.cols.max(1) as f32;
        let mut cell = ((ui.available_width() - left - 4.0) / cols).clamp(2.0, self.max_cell);
        // On the classroom stage a heatmap fits the screen's height too (its labels and
        // legend included), so the whole matrix is seen without scrolling.
        // The room is what is still visible below this point (legend left out), but
        // never under a quarter of the screen.
        let room = fit_height(ui.ctx()).then(|| {
            let visible = ui.clip_rect().bottom() - ui.cursor().top() - top - 36.0;
            visible.max(ui.ctx().content_rect().height() / 4.0)
        });
        if let Some(room) = room {
            cell = cell.min((room / self.rows.max(1) as f32).max(6.0));
        }
        // On cells smaller than the text, every `label_step`-th label is drawn so that
        // none overlap (a row is still named when it is a token); the tooltip names all.
        let labels_on = self.draw_labels;
        let label_step = (13.0 / cell).ceil().max(1.0) as usize;
        // Rows that are named (tokens) stay tall enough for their name when there are
        // not too many of them: the cells are then wider than tall rather than unnamed.
        let tall_rows_fit = room.is_none_or(|r| self.rows as f32 * 13.0 <= r);
        let cell_h = if left > 0.0 && self.rows <= 48 && tall_rows_fit {
            cell.max(13.0)
        } else {
            cell
        };
        let row_step = (13.0 / cell_h).ceil().max(1.0) as usize;
        let size = vec2(left + cell * cols, top + cell_h * self.rows as f32);
        // Every heatmap senses clicks, for the right-click menu that copies its numbers;
        // only clickable ones report a clicked cell.
        let sense = Sense::click();
        let (rect, response) = ui.allocate_exact_size(size, sense);
        let grid = Rect::from_min_size(
            rect.min + vec2(left, top),
            vec2(cell * cols, cell_h * self.rows as f32),
        );

        // Numbers go inside the cells only when the cells are large enough to hold them.
        let printed = self.show_values && cell >= 30.0;
        let hovered = response.hover_pos().and_then(|p| {
            if !grid.contains(p) {
                return None;
            }
            let c = ((p.x - grid.min.x) / cell) as usize;
            let r = ((p.y - grid.min.y) / cell_h) as usize;
            (r < self.rows && c < self.cols).then_some((r, c))
        });

        if ui.is_rect_visible(rect) {
            let painter = ui.painter_at(rect.expand(2.0));
            let mut mesh = Mesh::default();
            for r in 0..self.rows {
                for c in 0..self.cols {
                    let min = grid.min + vec2(c as f32 * cell, r as f32 * cell_h);
                    mesh.add_colored_rect(
                        Rect::from_min_size(min, vec2(cell, cell_h)),
                        self.scale.color_on(self.value(r, c), dark),
                    );
                }
            }
            painter.add(mesh);
            let pinned = pinned_row(ui.ctx())
                .and_then(|r| r.checked_sub(self.offset.0))
                .filter(|&r| self.pin_rows && r < self.rows);
            if let Some(r) = pinned {
                let row = Rect::from_min_size(
                    grid.min + vec2(0.0, r as f32 * cell_h),
                    vec2(grid.width(), cell_h),
                );
                painter.rect_stroke(
                    row,
                    0.0,
                    Stroke::new(2.0, ui.visuals().selection.stroke.color),
                    egui::StrokeKind::Outside,
                );
            }
            if printed {
                for r in 0..self.rows {
                    for c in 0..self.cols {
                        let v = self.value(r, c);
                        let center =
                            grid.min + vec2((c as f32 + 0.5) * cell, (r as f32 + 0.5) * cell_h);
                        painter.text(
                            center,
                            egui::Align2::CENTER_CENTER,
                            format!("{v:.2}"),
                            FontId::monospace(9.0),
                            text_on(self.scale.color_on(v, dark)),
                        );
                    }
                }
            }
            let row_labels = if labels_on { self.row_labels } else { &[] };
            let col_labels = if labels_on { self.col_labels } else { &[] };
            for (r, label) in row_labels.iter().enumerate().take(self.rows) {
                if r % row_step != 0 && hovered.is_none_or(|h| h.0 != r) {
                    continue;
                }
                let y = grid.min.y + (r as f32 + 0.5) * cell_h;
                let color = if hovered.is_some_and(|h| h.0 == r) {
                    ui.visuals().strong_text_color()
                } else {
                    text_color
                };
                painter.text(
                    pos2(grid.min.x - 4.0, y),
                    egui::Align2::RIGHT_CENTER,
                    label,
                    font.clone(),
                    color,
                );
            }
            for (c, label) in col_labels.iter().enumerate().take(self.cols) {
                if c % label_step != 0 && hovered.is_none_or(|h| h.1 != c) {
                    continue;
                }
                let x = grid.min.x + (c as f32 + 0.5) * cell;
                let color = if hovered.is_some_and(|h| h.1 == c) {
                    ui.visuals().strong_text_color()
                } else {
                    text_color
                };
                let galley = painter.layout_no_wrap(label.clone(), font.clone(), color);
                let h = galley.size().y;
                // Rotated a quarter turn so long tokens fit above narrow columns.
                let pos = Pos2::new(x - h / 2.0, grid.min.y - 4.0);
                painter.add(
                    egui::epaint::TextShape::new(pos, galley, color)
                        .with_angle(-std::f32::consts::FRAC_PI_2),
                );
            }
            if let Some((r, c)) = hovered {
                let min = grid.min + vec2(c as f32 * cell, r as f32 * cell_h);
                painter.rect_stroke(
                    Rect::from_min_size(min, vec2(cell, cell_h)),
                    0.0,
                    Stroke::new(2.0, ui.visuals().strong_text_color()),
                    egui::StrokeKind::Outside,
                );
            }
        }

        // Built only when a screen reader (or a test) asks: with the numbers it can be
        // hundreds of formatted values, too many to make every frame for nobody.
        response.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Image,
                true,
                self.accessible_description(printed),
            )
        });
        if self.clickable && hovered.is_some() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
        }
        response.context_menu(|ui| {
            if ui.button("Copy the numbers (tab-separated)").clicked() {
                ui.ctx().copy_text(self.tab_separated());
                ui.close();
            }
            if self.exportable {
                super::export::matrix_items(
                    ui,
                    &super::export::MatrixExport {
                        title: self.title,
                        values: self.values,
                        rows: self.rows,
                        cols: self.cols,
                        row_labels: self.row_labels,
                        col_labels: self.col_labels,
                        scale: self.scale,
                    },
                );
            }
        });
        let response = if let Some((r, c)) = hovered {
            let text = self.cell_description(r, c);
            response.on_hover_text_at_pointer(text)
        } else {
            response
        };
        if self.pin_rows
            && response.clicked()
            && let Some((r, _)) = hovered
        {
            // A second click on the pinned row lets it go.
            let r = r + self.offset.0;
            let now = pinned_row(ui.ctx());
            set_pinned_row(ui.ctx(), (now != Some(r)).then_some(r));
        }
        if self.legend {
            color_legend(ui, self.scale, self.unit);
        }
        HeatmapResponse { response, hovered }
    }
}

/// Width a heatmap gives its row labels (the widest, at most 140 points), so views that
/// lay matrices out side by side can size them as the widget will.
pub fn label_column_width(ui: &egui::Ui, labels: &[String]) -> f32 {
    let font = FontId::proportional(12.0);
    labels
        .iter()
        .map(|l| {
            ui.painter()
                .layout_no_wrap(l.clone(), font.clone(), Color32::WHITE)
                .size()
                .x
        })
        .fold(0.0f32, f32::max)
        .min(140.0)
}

/// A gradient bar with its end values and unit, so every colour can be read as a number.
/// The token row the learner pinned by clicking a heatmap that pins rows, if any.
pub fn pinned_row(ctx: &egui::Context) -> Option<usize> {
    ctx.data(|d| d.get_temp::<Option<usize>>(egui::Id::unique(PINNED_ROW)))
        .flatten()
}

/// Pins token row `row` (or none) in every heatmap that pins rows.
pub fn set_pinned_row(ctx: &egui::Context, row: Option<usize>) {
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique(PINNED_ROW), row));
}

const PINNED_ROW: &str = "llm-lens pinned token row";

/// Whether heatmaps fit the screen's height (the shell sets it on the classroom stage).
pub fn fit_height(ctx: &egui::Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(egui::Id::unique(FIT_HEIGHT)))
        .unwrap_or(false)
}

/// Asks every heatmap drawn from now on to fit (or not) the screen's height.
pub fn set_fit_height(ctx: &egui::Context, fit: bool) {
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique(FIT_HEIGHT), fit));
}

const FIT_HEIGHT: &str = "llm-lens heatmaps fit the height";

pub fn color_legend(ui: &mut egui::Ui, scale: Scale, unit: &str) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        let (lo, hi) = scale.range();
        ui.label(egui::RichText::new(fmt_num(lo)).small());
        let (rect, _) = ui.allocate_exact_size(vec2(160.0, 12.0), Sense::hover());
        let mut mesh = Mesh::default();
        let steps = 32;
        for i in 0..steps {
            let t0 = i as f32 / steps as f32;
            let x0 = rect.min.x + rect.width() * t0;
            let w = rect.width() / steps as f32;
            mesh.add_colored_rect(
                Rect::from_min_size(pos2(x0, rect.min.y), vec2(w + 0.5, rect.height())),
                scale.color_on(lo + (hi - lo) * (t0 + 0.5 / steps as f32), dark),
            );
        }
        ui.painter().add(mesh);
        ui.painter().rect_stroke(
            rect,
            0.0,
            Stroke::new(1.0, Color32::from_gray(120)),
            egui::StrokeKind::Outside,
        );
        ui.label(egui::RichText::new(fmt_num(hi)).small());
        if matches!(scale, Scale::Diverging { .. }) {
            ui.label(egui::RichText::new("(white = 0)").small().weak());
        }
        if !unit.is_empty() {
            ui.label(egui::RichText::new(unit).small());
        }
    });
}

fn fmt_num(v: f32) -> String {
    if v == 0.0 || (0.01..1000.0).contains(&v.abs()) {
        format!("{v:.2}")
    } else {
        format!("{v:.1e}")
    }
}
