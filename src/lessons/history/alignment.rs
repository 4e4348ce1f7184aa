//! Step 2: word alignment, the backbone of statistical translation. Two rows of words with
//! links between them; clicking a source word then a target word adds or removes a link,
//! and [`crate::model::history::alignment`] labels reordering, omission, insertion and one-to-many.

use egui::{Color32, Pos2, Rect, RichText, Stroke};

use crate::model::history::alignment::{AlignmentPair, Phenomenon, Word, builtin_pairs};

/// The pairs (edited copies), which one is shown and the half-made link.
pub struct AlignmentView {
    pub pairs: Result<Vec<AlignmentPair>, String>,
    pub selected: usize,
    /// Show the pair translated the other way (insertions become omissions).
    pub reversed: bool,
    /// A word clicked first, waiting for a word on the other row: `(is_source, index)`.
    pub pending: Option<(bool, usize)>,
}

impl Default for AlignmentView {
    fn default() -> Self {
        Self {
            pairs: builtin_pairs().map_err(|e| e.to_string()),
            selected: 0,
            reversed: false,
            pending: None,
        }
    }
}

impl AlignmentView {
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let pairs = match &mut self.pairs {
            Ok(p) if !p.is_empty() => p,
            Ok(_) => {
                ui.label("No example sentences are shipped.");
                return;
            }
            Err(e) => {
                ui.colored_label(ui.visuals().warn_fg_color, e.as_str());
                return;
            }
        };
        ui.horizontal_wrapped(|ui| {
            for (i, p) in pairs.iter().enumerate() {
                if ui.selectable_label(self.selected == i, &p.title).clicked() {
                    self.selected = i;
                    self.pending = None;
                }
            }
        });
        self.selected = self.selected.min(pairs.len() - 1);
        let mut reversed = self.reversed;
        ui.horizontal(|ui| {
            ui.checkbox(
                &mut reversed,
                "translate the other way (English → Japanese)",
            );
            if ui.button("Reset links").clicked()
                && let Ok(fresh) = builtin_pairs()
                && let Some(p) = fresh.into_iter().nth(self.selected)
            {
                pairs[self.selected] = p;
                self.pending = None;
            }
        });
        if reversed != self.reversed {
            self.reversed = reversed;
            self.pending = None;
        }
        let pair = &mut pairs[self.selected];
        // The reversed view is drawn from a copy; clicks edit the stored pair.
        let shown = if self.reversed {
            pair.reversed()
        } else {
            pair.clone()
        };
        ui.label(
            RichText::new(
                "Click a word in one row, then a word in the other, to add or remove a link.",
            )
            .weak(),
        );
        let (src_rects, tgt_rects, clicked) = rows(ui, &shown, self.pending);
        if let Some((s, t)) = click(&mut self.pending, clicked) {
            let (s, t) = if self.reversed { (t, s) } else { (s, t) };
            // Indices come from the drawn rows, so they are in range.
            let _ = pair.toggle_link(s, t);
        }
        let shown = if self.reversed {
            pair.reversed()
        } else {
            pair.clone()
        };
        draw_links(ui, &shown, &src_rects, &tgt_rects);
        ui.add_space(4.0);
        labels(ui, &shown);
        ui.label(RichText::new(&shown.note).italics());
    }
}

/// Draws both rows of words as buttons; returns their rectangles and the word clicked as
/// `(is_source, index)`.
fn rows(
    ui: &mut egui::Ui,
    pair: &AlignmentPair,
    pending: Option<(bool, usize)>,
) -> (Vec<Rect>, Vec<Rect>, Option<(bool, usize)>) {
    let mut clicked = None;
    let mut row = |ui: &mut egui::Ui, words: &[Word], lang: &str, is_source: bool| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{lang}:")).weak());
            words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let picked = pending == Some((is_source, i));
                    let r = ui
                        .selectable_label(picked, RichText::new(&w.text).size(18.0))
                        .on_hover_text(hover(w));
                    if r.clicked() {
                        clicked = Some((is_source, i));
                    }
                    r.rect
                })
                .collect::<Vec<_>>()
        })
        .inner
    };
    let src = row(ui, &pair.source, &pair.source_lang, true);
    ui.add_space(56.0);
    let tgt = row(ui, &pair.target, &pair.target_lang, false);
    (src, tgt, clicked)
}

/// Updates the half-made link with a click; returns a finished `(source, target)` link.
fn click(
    pending: &mut Option<(bool, usize)>,
    clicked: Option<(bool, usize)>,
) -> Option<(usize, usize)> {
    let c = clicked?;
    match *pending {
        Some((side, j)) if side != c.0 => {
            *pending = None;
            Some(if side { (j, c.1) } else { (c.1, j) })
        }
        Some(p) if p == c => {
            *pending = None;
            None
        }
        _ => {
            *pending = Some(c);
            None
        }
    }
}

fn hover(w: &Word) -> String {
    match (&w.reading, &w.gloss) {
        (Some(r), Some(g)) => format!("{} ({r}): {g}", w.text),
        (None, Some(g)) => format!("{}: {g}", w.text),
        (Some(r), None) => format!("{} ({r})", w.text),
        (None, None) => w.text.clone(),
    }
}

/// Links as lines between the rows: crossing (reordered) links in the warning colour.
fn draw_links(ui: &egui::Ui, pair: &AlignmentPair, src: &[Rect], tgt: &[Rect]) {
    let analysis = pair.analyse();
    let normal = ui.visuals().text_color();
    let crossing = Color32::from_rgb(214, 39, 40);
    for l in &analysis.links {
        let (Some(a), Some(b)) = (src.get(l.link.0), tgt.get(l.link.1)) else {
            continue;
        };
        let colour = if l.reordered { crossing } else { normal };
        ui.painter().line_segment(
            [
                Pos2::new(a.center().x, a.bottom() + 2.0),
                Pos2::new(b.center().x, b.top() - 2.0),
            ],
            Stroke::new(2.0, colour),
        );
    }
}

/// What the analysis found, in words, with the words themselves.
fn labels(ui: &mut egui::Ui, pair: &AlignmentPair) {
    let a = pair.analyse();
    let words = |ws: &[Word], idx: &[usize]| {
        idx.iter()
            .filter_map(|&i| ws.get(i).map(|w| w.text.clone()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = a.phenomena();
    let line = |ui: &mut egui::Ui, p: Phenomenon, text: String| {
        let on = found.contains(&p);
        let mark = if on { "●" } else { "○" };
        let t = RichText::new(format!("{mark} {text}"));
        ui.label(if on { t.strong() } else { t.weak() });
    };
    line(
        ui,
        Phenomenon::Reordering,
        format!(
            "Reordering: {} pair(s) of links cross (drawn in red)",
            a.crossings.len()
        ),
    );
    line(
        ui,
        Phenomenon::Omission,
        format!(
            "Omission: source words with no link: {}",
            none_if_empty(words(&pair.source, &a.omitted))
        ),
    );
    line(
        ui,
        Phenomenon::Insertion,
        format!(
            "Insertion: target words with no link: {}",
            none_if_empty(words(&pair.target, &a.inserted))
        ),
    );
    line(
        ui,
        Phenomenon::OneToMany,
        format!(
            "One-to-many: {}",
            none_if_empty(words(&pair.source, &a.one_to_many))
        ),
    );
    line(
        ui,
        Phenomenon::ManyToOne,
        format!(
            "Many-to-one: {}",
            none_if_empty(words(&pair.target, &a.many_to_one))
        ),
    );
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() { "none".to_owned() } else { s }
}
