//! A matrix drawn as a texture, one texel per value: for thumbnails of large matrices
//! (the playground's layers × heads grid), where a heatmap's quad per cell would cost
//! hundreds of thousands of quads every frame. The texture is rebuilt only when the
//! caller's key changes; hovering still names the cell.

use egui::{Sense, TextureHandle, TextureOptions, Vec2};

use super::colormap::Scale;

#[derive(Default)]
pub struct MatrixImage {
    texture: Option<TextureHandle>,
    key: Option<u64>,
}

impl MatrixImage {
    /// Draws `(rows × cols)` `values` at `size`; `key` identifies the data (rebuild when it
    /// changes); `describe(r, c)` is the hover text of a cell.
    #[allow(clippy::too_many_arguments)]
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        key: u64,
        title: &str,
        values: &[f32],
        rows: usize,
        cols: usize,
        scale: Scale,
        size: Vec2,
        describe: impl Fn(usize, usize) -> String,
    ) -> egui::Response {
        if self.key != Some(key) || self.texture.is_none() {
            let (w, h) = (cols.max(1), rows.max(1));
            let mut pixels = Vec::with_capacity(w * h);
            for r in 0..h {
                for c in 0..w {
                    let v = values.get(r * cols + c).copied().unwrap_or(f32::NAN);
                    pixels.push(scale.color(v));
                }
            }
            let image = egui::ColorImage::new([w, h], pixels);
            match &mut self.texture {
                Some(t) => t.set(image, TextureOptions::NEAREST),
                None => {
                    self.texture =
                        Some(ui.ctx().load_texture(title, image, TextureOptions::NEAREST))
                }
            }
            self.key = Some(key);
        }
        let (rect, response) = ui.allocate_exact_size(size, Sense::click());
        if let Some(t) = &self.texture {
            ui.painter().image(
                t.id(),
                rect,
                egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                egui::Color32::WHITE,
            );
        }
        let description = format!("{title}: heatmap, {rows} × {cols}");
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Image, true, description.clone())
        });
        let cell = response.hover_pos().and_then(|p| {
            let r = ((p.y - rect.top()) / rect.height() * rows as f32).floor();
            let c = ((p.x - rect.left()) / rect.width() * cols as f32).floor();
            (r >= 0.0 && c >= 0.0 && (r as usize) < rows && (c as usize) < cols)
                .then_some((r as usize, c as usize))
        });
        match cell {
            Some((r, c)) => response.on_hover_text_at_pointer(describe(r, c)),
            None => response,
        }
    }
}
