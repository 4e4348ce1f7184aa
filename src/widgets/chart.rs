//! Line and scatter charts drawn with plotters: into an egui texture for the app, and to
//! PNG or SVG files for slides and papers — the same figure either way.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use std::hash::{Hash, Hasher};
use std::path::Path;

use super::chart_font;

/// A `(low, high)` range on one axis.
type Span = (f64, f64);

/// How one series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeriesKind {
    Line,
    Scatter,
}

/// One named set of `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub kind: SeriesKind,
    pub color: [u8; 3],
}

/// Everything needed to draw a chart; axis labels are required because every axis in
/// the app says what it measures.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Logarithmic y axis (gradient norms span many orders of magnitude).
    pub log_y: bool,
    pub series: Vec<Series>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart has no finite points to plot")]
    Empty,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("could not write {path}: {message}")]
    Write { path: String, message: String },
}

/// Pixels kept right of the plot for the legend.
const LEGEND_WIDTH: u32 = 170;

/// Short tick labels: `0.5`, `12`, `1e-7`, `3e5`.
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".to_owned()
    } else if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.0e}");
        s.replace("e-0", "e-").replace("e0", "e")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Distinct colours for series, readable on light and dark backgrounds.
pub const PALETTE: [[u8; 3]; 6] = [
    [31, 119, 180],
    [214, 39, 40],
    [44, 160, 44],
    [148, 103, 189],
    [255, 127, 14],
    [23, 190, 207],
];

/// Whether most points of `a` sit on `b` (same x, y within 1 % of the axis span).
fn mostly_under(a: &Series, b: &Series, span: f64) -> bool {
    if a.points.is_empty() || a.kind != SeriesKind::Line || b.kind != SeriesKind::Line {
        return false;
    }
    let on = a
        .points
        .iter()
        .filter(|(x, y)| {
            b.points
                .iter()
                .any(|(bx, by)| (bx - x).abs() < 1e-9 && (by - y).abs() <= 0.01 * span)
        })
        .count();
    on * 2 > a.points.len()
}

/// The bitmap backend charts draw on: plotters' own on the desktop.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn raster(buf: &mut [u8], size: (u32, u32)) -> BitMapBackend<'_> {
    BitMapBackend::with_buffer(buf, size)
}

/// In the browser plotters cannot draw text into a bitmap; [`GlyphText`] draws it.
///
/// [`GlyphText`]: super::chart_text::GlyphText
#[cfg(target_arch = "wasm32")]
pub(crate) fn raster(
    buf: &mut [u8],
    size: (u32, u32),
) -> super::chart_text::GlyphText<BitMapBackend<'_>> {
    super::chart_text::GlyphText::new(BitMapBackend::with_buffer(buf, size))
}

impl ChartSpec {
    /// The data ranges, padded a little, over finite points (positive y on a log axis).
    fn bounds(&self) -> Result<(Span, Span), ChartError> {
        let pts = self
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0));
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for (x, y) in pts {
            x0 = x0.min(*x);
            x1 = x1.max(*x);
            y0 = y0.min(*y);
            y1 = y1.max(*y);
        }
        if !x0.is_finite() {
            return Err(ChartError::Empty);
        }
        if x1 <= x0 {
            x0 -= 0.5;
            x1 += 0.5;
        }
        if self.log_y {
            (y0, y1) = if y1 <= y0 {
                (y0 / 2.0, y1 * 2.0)
            } else {
                (y0 / 1.5, y1 * 1.5)
            };
        } else {
            let pad = if y1 > y0 { (y1 - y0) * 0.05 } else { 0.5 };
            (y0, y1) = (y0 - pad, y1 + pad);
        }
        Ok(((x0, x1), (y0, y1)))
    }

    /// A hash of everything drawn, so a texture is re-rendered only when the chart changes.
    pub fn fingerprint(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&self.title, &self.x_label, &self.y_label, self.log_y).hash(&mut h);
        for s in &self.series {
            (&s.name, s.kind, s.color).hash(&mut h);
            for (x, y) in &s.points {
                (x.to_bits(), y.to_bits()).hash(&mut h);
            }
        }
        h.finish()
    }

    /// Draws onto any plotters backend.
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        dark: bool,
    ) -> Result<(), ChartError> {
        chart_font::ensure_registered();
        let err = |e: &dyn std::fmt::Display| ChartError::Draw(e.to_string());
        let (bg, fg) = if dark {
            (RGBColor(27, 27, 27), RGBColor(220, 220, 220))
        } else {
            (WHITE, RGBColor(30, 30, 30))
        };
        root.fill(&bg).map_err(|e| err(&e))?;
        let ((x0, x1), (y0, y1)) = self.bounds()?;
        let mut builder = ChartBuilder::on(root);
        builder
            .caption(
                &self.title,
                (chart_font::family_for(&self.title), 18)
                    .into_font()
                    .color(&fg),
            )
            .margin(12)
            // Room on the right for the last tick label and the legend.
            .margin_right(if self.series.iter().any(|s| !s.name.is_empty()) {
                LEGEND_WIDTH
            } else {
                24
            })
            .x_label_area_size(40)
            .y_label_area_size(64);
        if self.log_y {
            let mut chart = builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(|e| err(&e))?;
            self.draw_into(&mut chart, fg)
        } else {
            let mut chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| err(&e))?;
            self.draw_into(&mut chart, fg)
        }?;
        self.draw_legend(root, fg)?;
        root.present().map_err(|e| err(&e))
    }

    /// One swatch and name per named series, in the margin right of the plot. Drawn on
    /// the whole area: the plot's own legend would be clipped to the plotting area,
    /// leaving names without their colours.
    fn draw_legend<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fg: RGBColor,
    ) -> Result<(), ChartError> {
        let err = |e: &dyn std::fmt::Display| ChartError::Draw(e.to_string());
        let (w, _) = root.dim_in_pixel();
        let x = w as i32 - LEGEND_WIDTH as i32 + 10;
        let named = self.series.iter().filter(|s| !s.name.is_empty());
        for (i, s) in named.enumerate() {
            let y = 44 + 20 * i as i32;
            let color = RGBColor(s.color[0], s.color[1], s.color[2]);
            root.draw(&Rectangle::new(
                [(x, y - 5), (x + 16, y + 5)],
                color.filled(),
            ))
            .map_err(|e| err(&e))?;
            // Names longer than the margin are cut rather than drawn over the edge.
            let name: String = if s.name.chars().count() > 22 {
                s.name.chars().take(21).chain(['…']).collect()
            } else {
                s.name.clone()
            };
            let font = (chart_font::family_for(&name), 13).into_font().color(&fg);
            root.draw(&Text::new(name, (x + 22, y - 7), font))
                .map_err(|e| err(&e))?;
        }
        Ok(())
    }

    fn draw_into<'a, DB: DrawingBackend + 'a, Y>(
        &self,
        chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
        fg: RGBColor,
    ) -> Result<(), ChartError>
    where
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let err = |e: &dyn std::fmt::Display| ChartError::Draw(e.to_string());
        let y_desc = if self.log_y && !self.y_label.contains("log scale") {
            format!("{} (log scale)", self.y_label)
        } else {
            self.y_label.clone()
        };
        // Both axis titles share one style, so one face for the two.
        let desc_family = chart_font::family_for(&format!("{}{y_desc}", self.x_label));
        // As many tick labels as fit without overlapping (12 px text): plotters'
        // default of ten crowds a short chart's axis into an unreadable stack.
        let (w, h) = chart.plotting_area().dim_in_pixel();
        chart
            .configure_mesh()
            .x_labels((w / 60).clamp(2, 10) as usize)
            .y_labels((h / 24).clamp(2, 10) as usize)
            .x_label_formatter(&|v| tick_label(*v))
            .y_label_formatter(&|v| tick_label(*v))
            .x_desc(&self.x_label)
            .y_desc(y_desc)
            .axis_desc_style((desc_family, 14).into_font().color(&fg))
            .label_style((chart_font::UI, 12).into_font().color(&fg))
            .axis_style(fg)
            .light_line_style(fg.mix(0.08))
            .bold_line_style(fg.mix(0.2))
            .draw()
            .map_err(|e| err(&e))?;
        let span = self
            .bounds()
            .map_or(1.0, |(_, (y0, y1))| (y1 - y0).abs().max(1e-12));
        for (i, s) in self.series.iter().enumerate() {
            let color = RGBColor(s.color[0], s.color[1], s.color[2]);
            // A line that lies on a later one for most of its length is drawn wider, so
            // it still shows at the edges (the LSTM under attention at 100 %).
            let hidden = self.series[i + 1..]
                .iter()
                .any(|later| mostly_under(s, later, span));
            let width = if hidden { 6 } else { 2 };
            let pts = s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0));
            match s.kind {
                SeriesKind::Line => {
                    chart.draw_series(LineSeries::new(pts, color.stroke_width(width)))
                }
                SeriesKind::Scatter => {
                    chart.draw_series(pts.map(|p| Circle::new(p, 3, color.filled())))
                }
            }
            .map_err(|e| err(&e))?;
        }
        Ok(())
    }

    /// The chart as an RGB buffer of `width × height` pixels.
    pub fn render_rgb(&self, width: u32, height: u32, dark: bool) -> Result<Vec<u8>, ChartError> {
        let mut buf = vec![0u8; width as usize * height as usize * 3];
        {
            let root = raster(&mut buf, (width, height)).into_drawing_area();
            self.draw(&root, dark)?;
        }
        Ok(buf)
    }

    /// The chart as an SVG document.
    pub fn render_svg(&self, width: u32, height: u32) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            self.draw(&root, false)?;
        }
        Ok(svg)
    }

    pub fn save_png(&self, path: &Path, width: u32, height: u32) -> Result<(), ChartError> {
        let buf = self.render_rgb(width, height, false)?;
        image::save_buffer(path, &buf, width, height, image::ExtendedColorType::Rgb8).map_err(|e| {
            ChartError::Write {
                path: path.display().to_string(),
                message: e.to_string(),
            }
        })
    }

    pub fn save_svg(&self, path: &Path, width: u32, height: u32) -> Result<(), ChartError> {
        let svg = self.render_svg(width, height)?;
        std::fs::write(path, svg).map_err(|e| ChartError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// A chart shown in egui, re-rendered only when its data, size or theme change.
#[derive(Default)]
pub struct ChartView {
    texture: Option<egui::TextureHandle>,
    key: Option<(u64, [u32; 2], bool)>,
    error: Option<String>,
}

impl ChartView {
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        spec: &ChartSpec,
        size: egui::Vec2,
    ) -> egui::Response {
        let ppp = ui.ctx().pixels_per_point();
        let px = [
            (size.x * ppp).max(64.0) as u32,
            (size.y * ppp).max(48.0) as u32,
        ];
        let dark = ui.visuals().dark_mode;
        let key = (spec.fingerprint(), px, dark);
        if self.key != Some(key) {
            self.key = Some(key);
            match spec.render_rgb(px[0], px[1], dark) {
                Ok(rgb) => {
                    let image = egui::ColorImage::from_rgb([px[0] as usize, px[1] as usize], &rgb);
                    match &mut self.texture {
                        Some(t) => t.set(image, egui::TextureOptions::LINEAR),
                        None => {
                            self.texture = Some(ui.ctx().load_texture(
                                format!("chart {}", spec.title),
                                image,
                                egui::TextureOptions::LINEAR,
                            ))
                        }
                    }
                    self.error = None;
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        if let Some(e) = &self.error {
            return ui.colored_label(ui.visuals().warn_fg_color, e);
        }
        match &self.texture {
            Some(t) => {
                let title = spec.title.clone();
                let r = ui.add(egui::Image::new((t.id(), size)));
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Image, true, format!("chart: {title}"))
                });
                r
            }
            None => ui.label(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Series, SeriesKind, mostly_under, tick_label};

    fn line(points: &[(f64, f64)]) -> Series {
        Series {
            name: String::new(),
            points: points.to_vec(),
            kind: SeriesKind::Line,
            color: [0, 0, 0],
        }
    }

    #[test]
    fn a_line_lying_on_a_later_one_is_found() {
        let top = line(&[(0.0, 100.0), (1.0, 100.0), (2.0, 100.0)]);
        let same = line(&[(0.0, 100.0), (1.0, 99.8), (2.0, 100.0)]);
        let apart = line(&[(0.0, 50.0), (1.0, 49.0), (2.0, 100.0)]);
        assert!(mostly_under(&same, &top, 100.0));
        assert!(!mostly_under(&apart, &top, 100.0));
        assert!(!mostly_under(&line(&[]), &top, 100.0));
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(1e-7), "1e-7");
        assert_eq!(tick_label(100.0), "100");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(3.0e5), "3e5");
        assert_eq!(tick_label(0.0), "0");
    }
}
