//! Labels on a 2-D map that do not cover each other: each label goes to the first spot
//! around its point (right, left, above, below, then further up or down) that overlaps
//! no label placed before it, with a thin line back to its point when it had to move
//! away.

use egui::{Color32, FontId, Painter, Pos2, Rect, Stroke, Vec2, pos2, vec2};

/// The labels placed so far on one map.
pub struct LabelPlacer {
    placed: Vec<Rect>,
    bounds: Rect,
}

/// Where a label of `size` goes near `at`: the first free spot inside `bounds`, and
/// whether it had to move away from its point (then a leader line is drawn).
pub fn choose(placed: &[Rect], bounds: Rect, at: Pos2, size: Vec2, gap: f32) -> (Rect, bool) {
    let near = [
        vec2(gap, -gap - size.y),
        vec2(-gap - size.x, -gap - size.y),
        vec2(gap, gap),
        vec2(-gap - size.x, gap),
        vec2(-size.x / 2.0, -2.0 * gap - size.y),
        vec2(-size.x / 2.0, 2.0 * gap),
    ];
    let far = (1..=8).flat_map(|k| {
        let dy = k as f32 * (size.y + 2.0);
        [
            vec2(gap, -gap - size.y - dy),
            vec2(gap, gap + dy),
            vec2(-gap - size.x, -gap - size.y - dy),
            vec2(-gap - size.x, gap + dy),
        ]
    });
    let free =
        |r: &Rect| bounds.contains_rect(*r) && placed.iter().all(|p| !p.expand(1.0).intersects(*r));
    for (i, offset) in near.into_iter().chain(far).enumerate() {
        let r = Rect::from_min_size(at + offset, size);
        if free(&r) {
            return (r, i >= near.len());
        }
    }
    // Nowhere free: the first spot, kept inside the map.
    let r = Rect::from_min_size(at + near[0], size);
    let shift = vec2(
        (bounds.right() - r.right()).min(0.0) + (bounds.left() - r.left()).max(0.0),
        (bounds.bottom() - r.bottom()).min(0.0) + (bounds.top() - r.top()).max(0.0),
    );
    (r.translate(shift), false)
}

impl LabelPlacer {
    pub fn new(bounds: Rect) -> Self {
        Self {
            placed: Vec::new(),
            bounds,
        }
    }

    /// Draws `text` near the point `at`, clear of the labels placed before.
    pub fn place(
        &mut self,
        painter: &Painter,
        at: Pos2,
        gap: f32,
        text: &str,
        font: FontId,
        color: Color32,
    ) -> Rect {
        let galley = painter.layout_no_wrap(text.to_owned(), font, color);
        let (rect, moved) = choose(&self.placed, self.bounds, at, galley.size(), gap);
        if moved {
            let end = pos2(
                rect.center()
                    .x
                    .clamp(at.x.min(rect.left()), at.x.max(rect.right())),
                rect.center().y,
            );
            painter.line_segment([at, end], Stroke::new(0.5, color.gamma_multiply(0.6)));
        }
        painter.galley(rect.min, galley, color);
        self.placed.push(rect);
        rect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_points_on_top_of_each_other_do_not_overlap() {
        let bounds = Rect::from_min_size(pos2(0.0, 0.0), vec2(400.0, 300.0));
        let mut placed: Vec<Rect> = Vec::new();
        for i in 0..12 {
            // Twelve points within 3 pixels of each other.
            let at = pos2(200.0 + (i % 3) as f32, 150.0 + (i / 3) as f32);
            let (r, _) = choose(&placed, bounds, at, vec2(40.0, 13.0), 5.0);
            assert!(bounds.contains_rect(r));
            for p in &placed {
                assert!(!p.intersects(r), "label {i} covers another");
            }
            placed.push(r);
        }
        // A lone point keeps its label beside it.
        let (r, moved) = choose(&[], bounds, pos2(50.0, 50.0), vec2(40.0, 13.0), 5.0);
        assert!(!moved && r.left() > 50.0 && r.bottom() < 50.0);
    }
}
