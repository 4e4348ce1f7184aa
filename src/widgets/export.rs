//! Export from a right-click menu: any heatmap as PNG, SVG (drawn with plotters, the same
//! colours as on screen) or CSV, any chart as PNG, SVG or CSV. Files go to the export
//! folder (`LLM_LENS_EXPORT_DIR`, else `~/LLM Lens exports`), and the pane shows where;
//! in the browser they are downloaded instead ([`crate::files::save`]).

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::chart::ChartSpec;
use super::colormap::Scale;

/// Where the last export went (or why it failed), shown by [`notice`].
const NOTICE_ID: &str = "llm-lens-export-notice";

/// Where [`set_export_dir`] keeps its folder.
const DIR_ID: &str = "llm-lens-export-dir";

/// A matrix as drawn by a heatmap, borrowed for export.
pub struct MatrixExport<'a> {
    pub title: &'a str,
    /// `(rows × cols)`, row-major.
    pub values: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_labels: &'a [String],
    pub col_labels: &'a [String],
    pub scale: Scale,
}

/// The folder exports are written to (created on first use).
pub fn export_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LLM_LENS_EXPORT_DIR") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join("LLM Lens exports"),
        None => PathBuf::from("LLM Lens exports"),
    }
}

/// A file name from a title: `"Layer 2, head 3: weights"` → `"layer-2-head-3-weights"`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "export".to_owned()
    } else {
        out
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl MatrixExport<'_> {
    fn value(&self, r: usize, c: usize) -> f32 {
        self.values
            .get(r * self.cols + c)
            .copied()
            .unwrap_or(f32::NAN)
    }

    fn row_label(&self, r: usize) -> String {
        self.row_labels
            .get(r)
            .cloned()
            .unwrap_or_else(|| r.to_string())
    }

    fn col_label(&self, c: usize) -> String {
        self.col_labels
            .get(c)
            .cloned()
            .unwrap_or_else(|| c.to_string())
    }

    /// The matrix as CSV: a header of column labels, then one labelled row per row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\"\"");
        for c in 0..self.cols {
            out.push(',');
            out.push_str(&csv_field(&self.col_label(c)));
        }
        out.push('\n');
        for r in 0..self.rows {
            out.push_str(&csv_field(&self.row_label(r)));
            for c in 0..self.cols {
                out.push_str(&format!(",{}", self.value(r, c)));
            }
            out.push('\n');
        }
        out
    }

    /// Draws the heatmap with labels on any plotters backend.
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), String> {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(e)?;
        let (w, h) = root.dim_in_pixel();
        super::chart_font::ensure_registered();
        let font = "sans-serif";
        let margin_left = 110i32;
        let margin_top = 40i32;
        let margin_bottom = 90i32;
        root.draw(&Text::new(
            self.title.to_owned(),
            (10, 10),
            (font, 18).into_font(),
        ))
        .map_err(e)?;
        let plot_w = (w as i32 - margin_left - 20).max(10);
        let plot_h = (h as i32 - margin_top - margin_bottom).max(10);
        let cw = plot_w as f64 / self.cols.max(1) as f64;
        let ch = plot_h as f64 / self.rows.max(1) as f64;
        for r in 0..self.rows {
            for c in 0..self.cols {
                let col = self.scale.color(self.value(r, c));
                let x0 = margin_left + (c as f64 * cw) as i32;
                let y0 = margin_top + (r as f64 * ch) as i32;
                let x1 = margin_left + ((c + 1) as f64 * cw) as i32;
                let y1 = margin_top + ((r + 1) as f64 * ch) as i32;
                root.draw(&Rectangle::new(
                    [(x0, y0), (x1, y1)],
                    RGBColor(col.r(), col.g(), col.b()).filled(),
                ))
                .map_err(e)?;
            }
        }
        let label_font = (font, 12).into_font();
        let show_every = |n: usize, px: f64| ((14.0 / px).ceil() as usize).max(1).min(n.max(1));
        let step_r = show_every(self.rows, ch);
        for r in (0..self.rows).step_by(step_r) {
            let y = margin_top + ((r as f64 + 0.5) * ch) as i32 - 6;
            root.draw(&Text::new(self.row_label(r), (5, y), label_font.clone()))
                .map_err(e)?;
        }
        let step_c = show_every(self.cols, cw);
        for c in (0..self.cols).step_by(step_c) {
            let x = margin_left + ((c as f64 + 0.5) * cw) as i32;
            let y = margin_top + plot_h + 6;
            root.draw(&Text::new(
                self.col_label(c),
                (x, y),
                label_font.clone().transform(FontTransform::Rotate90),
            ))
            .map_err(e)?;
        }
        let (lo, hi) = self.scale.range();
        root.draw(&Text::new(
            format!("colour scale: {lo:.3} … {hi:.3}"),
            (10, h as i32 - 20),
            label_font,
        ))
        .map_err(e)?;
        Ok(())
    }

    /// The heatmap as RGB pixels of [`MatrixExport::pixel_size`].
    pub fn render_rgb(&self) -> Result<Vec<u8>, String> {
        let (w, h) = self.pixel_size();
        let mut buf = vec![255u8; (w * h * 3) as usize];
        {
            let root = super::chart::raster(&mut buf, (w, h)).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(buf)
    }

    pub fn render_svg(&self) -> Result<String, String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.pixel_size()).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(svg)
    }

    /// Image size: cells up to 40 px, about 900 px of cells across at most.
    pub fn pixel_size(&self) -> (u32, u32) {
        let cell = (900.0 / self.cols.max(1) as f64).clamp(4.0, 40.0);
        let w = (self.cols as f64 * cell) as u32 + 130;
        let h = (self.rows as f64 * cell.min(40.0)) as u32 + 130;
        (w.clamp(300, 4000), h.clamp(200, 4000))
    }
}

/// A chart's series as CSV: `series,x,y` rows.
pub fn chart_csv(spec: &ChartSpec) -> String {
    let mut out = format!(
        "series,{},{}\n",
        csv_field(&spec.x_label),
        csv_field(&spec.y_label)
    );
    for s in &spec.series {
        for (x, y) in &s.points {
            out.push_str(&format!("{},{x},{y}\n", csv_field(&s.name)));
        }
    }
    out
}

/// `rgb` pixels as a PNG file's bytes.
fn png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(rgb, w, h, image::ExtendedColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// `m` as the bytes of a `ext` file (png, svg, else csv).
pub fn matrix_bytes(m: &MatrixExport<'_>, ext: &str) -> Result<Vec<u8>, String> {
    match ext {
        "png" => png(&m.render_rgb()?, m.pixel_size()),
        "svg" => Ok(m.render_svg()?.into_bytes()),
        _ => Ok(m.to_csv().into_bytes()),
    }
}

/// A chart as the bytes of a `ext` file (png, svg, else csv).
pub fn chart_bytes(spec: &ChartSpec, ext: &str) -> Result<Vec<u8>, String> {
    let (w, h) = (1200, 700);
    match ext {
        "png" => png(
            &spec.render_rgb(w, h, false).map_err(|e| e.to_string())?,
            (w, h),
        ),
        "svg" => Ok(spec
            .render_svg(w, h)
            .map_err(|e| e.to_string())?
            .into_bytes()),
        _ => Ok(chart_csv(spec).into_bytes()),
    }
}

fn file_name(title: &str, ext: &str) -> String {
    format!("{}.{ext}", slug(title))
}

fn remember(ctx: &egui::Context, result: Result<String, String>) {
    let text = match result {
        Ok(done) => done,
        Err(e) => format!("Export failed: {e}"),
    };
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique(NOTICE_ID), text));
}

/// Writes `m` as `ext` (png, svg or csv) into the export folder.
pub fn save_matrix(m: &MatrixExport<'_>, ext: &str) -> Result<PathBuf, String> {
    save_matrix_in(&export_dir(), m, ext)
}

/// As [`save_matrix`], into `dir`.
pub fn save_matrix_in(dir: &Path, m: &MatrixExport<'_>, ext: &str) -> Result<PathBuf, String> {
    crate::files::save::write_in(dir, &file_name(m.title, ext), &matrix_bytes(m, ext)?)
}

/// Writes a chart as `ext` (png, svg or csv) into the export folder.
pub fn save_chart(spec: &ChartSpec, ext: &str) -> Result<PathBuf, String> {
    save_chart_in(&export_dir(), spec, ext)
}

/// As [`save_chart`], into `dir`.
pub fn save_chart_in(dir: &Path, spec: &ChartSpec, ext: &str) -> Result<PathBuf, String> {
    crate::files::save::write_in(dir, &file_name(&spec.title, ext), &chart_bytes(spec, ext)?)
}

/// A matrix export handed to the learner: saved on the desktop, downloaded on the web.
fn deliver_matrix(ctx: &egui::Context, m: &MatrixExport<'_>, ext: &str) -> Result<String, String> {
    let bytes = matrix_bytes(m, ext)?;
    crate::files::save::deliver(&dir_for(ctx), &file_name(m.title, ext), &bytes)
}

/// As [`deliver_matrix`], for a chart.
fn deliver_chart(ctx: &egui::Context, spec: &ChartSpec, ext: &str) -> Result<String, String> {
    let bytes = chart_bytes(spec, ext)?;
    crate::files::save::deliver(&dir_for(ctx), &file_name(&spec.title, ext), &bytes)
}

/// Where this window's exports go: [`export_dir`], unless [`set_export_dir`] chose.
fn dir_for(ctx: &egui::Context) -> PathBuf {
    ctx.data(|d| d.get_temp::<PathBuf>(egui::Id::unique(DIR_ID)))
        .unwrap_or_else(export_dir)
}

/// Sends this window's exports to `dir` (tests; the environment variable is global).
pub fn set_export_dir(ctx: &egui::Context, dir: PathBuf) {
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique(DIR_ID), dir));
}

/// The export entries of a heatmap's right-click menu (the heatmap draws the menu:
/// a second menu on the same response would take no clicks).
pub fn matrix_items(ui: &mut egui::Ui, m: &MatrixExport<'_>) {
    for (label, ext) in [
        ("Save as PNG", "png"),
        ("Save as SVG", "svg"),
        ("Save values as CSV", "csv"),
    ] {
        if ui.button(label).clicked() {
            remember(ui.ctx(), deliver_matrix(ui.ctx(), m, ext));
            ui.close();
        }
    }
}

/// Right-click menu on a chart's response.
pub fn chart_menu(response: &egui::Response, spec: &ChartSpec) {
    response.context_menu(|ui| {
        for (label, ext) in [
            ("Save as PNG", "png"),
            ("Save as SVG", "svg"),
            ("Save data as CSV", "csv"),
        ] {
            if ui.button(label).clicked() {
                remember(ui.ctx(), deliver_chart(ui.ctx(), spec, ext));
                ui.close();
            }
        }
    });
}

/// Shows where the last export went, if anywhere.
pub fn notice(ui: &mut egui::Ui) {
    let text = ui
        .ctx()
        .data(|d| d.get_temp::<String>(egui::Id::unique(NOTICE_ID)));
    if let Some(text) = text {
        ui.label(egui::RichText::new(text).weak());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_csv_quoting() {
        assert_eq!(slug("Layer 2, head 3: weights"), "layer-2-head-3-weights");
        assert_eq!(slug("!!"), "export");
        let labels = vec!["a,b".to_owned(), "c".to_owned()];
        let m = MatrixExport {
            title: "t",
            values: &[1.0, 2.0, 3.0, 4.0],
            rows: 2,
            cols: 2,
            row_labels: &labels,
            col_labels: &labels,
            scale: Scale::Probability,
        };
        assert_eq!(m.to_csv(), "\"\",\"a,b\",c\n\"a,b\",1,2\nc,3,4\n");
    }
}
