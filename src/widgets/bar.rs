//! A horizontal bar for one share (a probability, a fraction of a total): the
//! lessons' small bar charts, drawn the same way everywhere.

/// Draws `fraction` (clamped to 0–1) of a `width × height` track in `color` over
/// `track` (the faint background when `None`), with `tooltip` on hover.
pub fn value_bar(
    ui: &mut egui::Ui,
    fraction: f32,
    size: egui::Vec2,
    color: egui::Color32,
    track: Option<egui::Color32>,
    tooltip: impl Into<egui::WidgetText>,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 0.0, track.unwrap_or(ui.visuals().faint_bg_color));
    let filled = egui::vec2(rect.width() * fraction.clamp(0.0, 1.0), rect.height());
    painter.rect_filled(egui::Rect::from_min_size(rect.min, filled), 0.0, color);
    response.on_hover_text(tooltip)
}
