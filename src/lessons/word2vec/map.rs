//! Step 5's map: the most frequent words of the latest training snapshot in 2-D (PCA),
//! the learner's sentence labelled. A word found or clicked is pinned: lines run from it
//! to its nearest words by cosine over all the vector's numbers, and the same
//! neighbours are listed under the map, each linked to its line (point at one in either
//! place and both light up). Long lines show what the flat picture loses.

use std::sync::Arc;

use egui::{Align2, Color32, FontId, RichText, Sense, Stroke, pos2, vec2};

use super::pairs::legend_swatch;
use super::sentence_words;
use crate::lessons::LessonContext;
use crate::lessons::cache_key::ArcKey;
use crate::model::word2vec::Snapshot;
use crate::widgets::chart::PALETTE;

/// Neighbours drawn from a pinned word.
pub const NEIGHBOURS: usize = 6;

/// Draws the map; `search` is the pinned word (typed, or set by a click on a dot).
pub fn show(
    ui: &mut egui::Ui,
    cx: &LessonContext<'_>,
    snap: Option<&Arc<Snapshot>>,
    old: bool,
    search: &mut String,
) {
    ui.horizontal_wrapped(|ui| {
        if let Some(snap) = snap {
            ui.label(
                RichText::new(format!(
                    "The {} most frequent words in 2-D (PCA){}",
                    snap.words.len().min(snap.pca.points.len()),
                    if old {
                        ", previous run".to_owned()
                    } else {
                        format!(", at {:.0} % of training", snap.fraction * 100.0)
                    }
                ))
                .strong(),
            );
        }
        ui.label("Find a word:");
        ui.add(
            egui::TextEdit::singleline(search)
                .hint_text("e.g. oil")
                .desired_width(100.0),
        )
        .on_hover_text("Pins this word on the map and draws lines to its nearest words. Clicking a dot does the same.");
    });
    let Some(snap) = snap else {
        ui.label("The map of the word space appears here once training has run for a moment.");
        return;
    };
    let n = snap.words.len().min(snap.pca.points.len());
    let sentence: Vec<String> = sentence_words(cx.sentence);
    let query = search.trim().to_lowercase();
    let dark = ui.visuals().dark_mode;
    let scale = if cx.presentation { 1.6 } else { 1.0 };
    // The neighbour pointed at in the list last frame (the list is drawn after the map).
    let list_hover_id = egui::Id::unique("w2v-map-list-hover");
    let list_hover: Option<usize> = ui.data(|d| d.get_temp(list_hover_id)).flatten();

    let w = ui.available_width().clamp(300.0, 700.0);
    let (resp, painter) = ui.allocate_painter(vec2(w, w * 0.6), Sense::click());
    let frame = resp.rect;
    // Room for the axis captions at the top and bottom and for labels at the sides.
    let plot = egui::Rect::from_min_max(frame.min + vec2(14.0, 24.0), frame.max - vec2(14.0, 22.0));
    painter.rect_stroke(
        frame,
        2.0,
        ui.visuals().widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );

    let pts = &snap.pca.points[..n];
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in pts.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    if x1 <= x0 || y1 <= y0 {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    let to_screen = |p: [f32; 2]| {
        pos2(
            plot.left() + (p[0] - x0) / (x1 - x0) * plot.width(),
            plot.bottom() - (p[1] - y0) / (y1 - y0) * plot.height(),
        )
    };
    let axis_color = ui.visuals().weak_text_color();
    let small = FontId::proportional(12.0 * scale);
    painter.text(
        pos2(frame.center().x, frame.bottom() - 3.0),
        Align2::CENTER_BOTTOM,
        format!(
            "PC1 → ({:.0} % of the variance)",
            snap.pca.explained[0] * 100.0
        ),
        small.clone(),
        axis_color,
    );
    painter.text(
        frame.left_top() + vec2(4.0, 3.0),
        Align2::LEFT_TOP,
        format!(
            "↑ PC2 ({:.0} % of the variance)",
            snap.pca.explained[1] * 100.0
        ),
        small.clone(),
        axis_color,
    );

    let base = if dark {
        Color32::from_rgba_unmultiplied(140, 170, 210, 110)
    } else {
        Color32::from_rgba_unmultiplied(31, 119, 180, 90)
    };
    let rgb = |[r, g, b]: [u8; 3]| Color32::from_rgb(r, g, b);
    let sentence_color = rgb(PALETTE[1]);
    let search_color = rgb(PALETTE[2]);
    let neighbour_color = rgb(PALETTE[3]);
    let text_color = ui.visuals().strong_text_color();
    let mut hovered: Option<(usize, f32)> = None;
    let pointer = resp.hover_pos();
    for (i, p) in pts.iter().enumerate() {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let s = to_screen(*p);
        painter.circle_filled(s, 2.0 * scale, base);
        if let Some(m) = pointer {
            let d = m.distance(s);
            if d < 10.0 && hovered.is_none_or(|(_, best)| d < best) {
                hovered = Some((i, d));
            }
        }
    }
    let found = if query.is_empty() {
        None
    } else {
        snap.words[..n].iter().position(|x| *x == query)
    };
    let neighbours: Vec<(usize, f32)> = found
        .map(|i| nearest_cached(ui, snap, i))
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|(j, _)| *j < n)
        .collect();
    // The neighbour lit up: pointed at in the list, or its dot on the map.
    let lit = list_hover.or_else(|| {
        hovered.and_then(|(h, _)| neighbours.iter().any(|(j, _)| *j == h).then_some(h))
    });
    if let Some(i) = found {
        for (j, _) in &neighbours {
            let width = if lit == Some(*j) { 3.0 } else { 1.2 };
            painter.line_segment(
                [to_screen(pts[i]), to_screen(pts[*j])],
                Stroke::new(width * scale, neighbour_color.gamma_multiply(0.8)),
            );
        }
    }
    // Labels never cover each other: each takes the first free spot around its dot.
    let mut placer = crate::widgets::label_placer::LabelPlacer::new(plot);
    let mut label = |i: usize, color: Color32, radius: f32| {
        let s = to_screen(pts[i]);
        painter.circle(s, radius * scale, color, Stroke::new(1.0, text_color));
        placer.place(
            &painter,
            s,
            5.0 * scale,
            &snap.words[i],
            FontId::proportional(13.0 * scale),
            text_color,
        );
    };
    for (j, _) in &neighbours {
        label(*j, neighbour_color, 3.5);
    }
    // The pinned word last, so its dot and name sit on top of its neighbours'.
    if let Some(i) = found {
        label(i, search_color, 5.0);
    }
    let mut missing: Vec<&str> = Vec::new();
    let mut labelled: Vec<usize> = found.into_iter().collect();
    labelled.extend(neighbours.iter().map(|(j, _)| *j));
    for w in &sentence {
        match snap.words[..n].iter().position(|x| x == w) {
            // A word the sentence repeats is one dot with one label.
            Some(i) if labelled.contains(&i) => {}
            Some(i) => {
                labelled.push(i);
                label(i, sentence_color, 3.5);
            }
            None => {
                if !missing.contains(&w.as_str()) {
                    missing.push(w);
                }
            }
        }
    }
    if let Some((i, _)) = hovered {
        let s = to_screen(pts[i]);
        painter.circle_stroke(s, 6.0 * scale, Stroke::new(2.0, text_color));
        let galley = painter.layout_no_wrap(
            format!("{} (#{} by frequency)", snap.words[i], i + 1),
            FontId::proportional(14.0 * scale),
            text_color,
        );
        let mut at = s + vec2(8.0, -8.0 - galley.size().y);
        if at.x + galley.size().x > frame.right() {
            at.x = s.x - 8.0 - galley.size().x;
        }
        at.y = at.y.max(frame.top());
        let bg = egui::Rect::from_min_size(at, galley.size()).expand(3.0);
        painter.rect_filled(bg, 3.0, ui.visuals().extreme_bg_color);
        painter.galley(at, galley, text_color);
        ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
    }
    if resp.clicked()
        && let Some((i, _)) = hovered
    {
        // A click pins the dot's word; a click on the pinned word lets it go.
        *search = if found == Some(i) {
            String::new()
        } else {
            snap.words[i].clone()
        };
    }
    if hovered.is_none() {
        // Away from the dots, say how to read the picture (on a dot, its label shows).
        resp.on_hover_text("Each dot is a word; nearby dots have similar vectors. Point at a dot to see its word; click it to draw lines to its nearest words.");
    }

    ui.horizontal_wrapped(|ui| {
        legend_swatch(ui, base, "a frequent word");
        legend_swatch(ui, sentence_color, "a word of your sentence");
        legend_swatch(ui, search_color, "the word you pinned");
        legend_swatch(ui, neighbour_color, "its nearest words");
    });
    let mut list_hovered = None;
    if let Some(i) = found {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Nearest to \u{201c}{}\u{201d} over all {} numbers (cosine):",
                snap.words[i], snap.dim
            ));
            for (j, c) in &neighbours {
                let text = RichText::new(format!("{} {c:.2}", snap.words[*j]));
                let text = if lit == Some(*j) { text.strong() } else { text };
                let r = ui
                    .label(text)
                    .on_hover_text("Its line on the map is drawn thicker. A long line: close in all the numbers, far apart in the two the map keeps.");
                if r.hovered() {
                    list_hovered = Some(*j);
                }
            }
        });
    }
    ui.data_mut(|d| d.insert_temp(list_hover_id, list_hovered));
    if !query.is_empty() && found.is_none() {
        ui.label(format!(
            "{} is not among the {n} most frequent words.",
            crate::model::text::quote::quote(&query)
        ));
    }
    if !missing.is_empty() {
        ui.label(format!(
            "Not among the {n} most frequent words: {}.",
            missing.join(", ")
        ));
    }
    ui.label(format!(
        "Two directions can show only part of a {}-number vector: together these two axes hold {:.0} % of the variation, so words far apart here are certainly different, but words close here may not be.",
        snap.dim,
        (snap.pca.explained[0] + snap.pca.explained[1]) * 100.0
    ));
}

/// The pinned word's neighbours, worked out once per snapshot and word rather than every
/// frame (a pass over all the snapshot's vectors).
fn nearest_cached(ui: &egui::Ui, snap: &Arc<Snapshot>, i: usize) -> Arc<[(usize, f32)]> {
    // Keyed by the snapshot itself (identity, not address: a new snapshot may reuse
    // a freed one's address).
    type Cached = (ArcKey<Snapshot>, usize, Arc<[(usize, f32)]>);
    let id = egui::Id::unique("w2v-map-nearest");
    let key = ArcKey::of(snap);
    if let Some((k, w, near)) = ui.data(|d| d.get_temp::<Cached>(id))
        && k == key
        && w == i
    {
        return near;
    }
    let near: Arc<[(usize, f32)]> = snap.nearest(i, NEIGHBOURS).into();
    ui.data_mut(|d| d.insert_temp::<Cached>(id, (key, i, near.clone())));
    near
}
