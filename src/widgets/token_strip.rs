//! Tokens as coloured chips in reading order. The same id always gets the same colour,
//! so a learner can spot a repeated token at a glance; hovering a chip shows its id and
//! where it came from.

use egui::{Color32, CornerRadius, Sense, Stroke, vec2};

/// One chip: what to print, the token id (if the tokeniser has one) and hover detail.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenChip {
    pub text: String,
    pub id: Option<u32>,
    /// Extra lines for the tooltip, e.g. "bytes 2..10".
    pub detail: String,
    /// The byte range of the source text this token covers, for linked highlighting.
    pub span: Option<(usize, usize)>,
    /// The vocabulary lacks this piece: drawn in the warning colour, its id as `[UNK] id`.
    pub unknown: bool,
}

impl TokenChip {
    pub fn new(text: impl Into<String>, id: Option<u32>) -> Self {
        Self {
            text: text.into(),
            id,
            detail: String::new(),
            span: None,
            unknown: false,
        }
    }

    pub fn with_unknown(mut self, unknown: bool) -> Self {
        self.unknown = unknown;
        self
    }

    pub fn with_span(mut self, start: usize, end: usize) -> Self {
        self.span = Some((start, end));
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// The tooltip text: the token, its id and the detail.
    pub fn describe(&self) -> String {
        let mut s = format!("token {:?}", self.text);
        if let Some(id) = self.id {
            s.push_str(&format!(", id {id}"));
        }
        if !self.detail.is_empty() {
            s.push_str(&format!("\n{}", self.detail));
        }
        s
    }
}

/// A pastel colour picked by hashing the id (or the text when there is no id).
pub fn chip_color(chip: &TokenChip, dark: bool) -> Color32 {
    let key = match chip.id {
        Some(id) => u64::from(id),
        None => chip.text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }),
    };
    let hue = ((key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 360) as f32 / 360.0;
    let (s, v) = if dark { (0.45, 0.45) } else { (0.35, 0.97) };
    egui::ecolor::Hsva::new(hue, s, v, 1.0).into()
}

/// Makes spaces, tabs and newlines visible: `"a b\n"` → `"a·b⏎"`.
pub fn visible_whitespace(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' ' => '·',
            '\t' => '→',
            '\n' => '⏎',
            '\r' => '␍',
            c if c.is_control() => '�',
            c => c,
        })
        .collect()
}

/// Draws the chips, wrapping lines. Returns the index of the hovered chip.
pub fn token_strip(ui: &mut egui::Ui, chips: &[TokenChip], show_whitespace: bool) -> Option<usize> {
    token_strip_linked(ui, chips, show_whitespace, None)
}

/// As [`token_strip`], and chips whose span overlaps `link` (a byte range hovered
/// elsewhere, e.g. in another tokeniser's row) are outlined, so the learner sees which
/// tokens cover the same text.
pub fn token_strip_linked(
    ui: &mut egui::Ui,
    chips: &[TokenChip],
    show_whitespace: bool,
    link: Option<(usize, usize)>,
) -> Option<usize> {
    strip(ui, chips, show_whitespace, link, false)
}

/// As [`token_strip`], with each chip's id printed under it (`[UNK] id` in the warning
/// colour for chips marked unknown), for views whose point is that text becomes numbers.
pub fn token_strip_numbered(
    ui: &mut egui::Ui,
    chips: &[TokenChip],
    show_whitespace: bool,
) -> Option<usize> {
    strip(ui, chips, show_whitespace, None, true)
}

fn strip(
    ui: &mut egui::Ui,
    chips: &[TokenChip],
    show_whitespace: bool,
    link: Option<(usize, usize)>,
    numbered: bool,
) -> Option<usize> {
    let dark = ui.visuals().dark_mode;
    let warn = ui.visuals().warn_fg_color;
    let mut hovered = None;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing = vec2(4.0, if numbered { 6.0 } else { 4.0 });
        for (i, chip) in chips.iter().enumerate() {
            let shown = if show_whitespace {
                visible_whitespace(&chip.text)
            } else {
                chip.text.replace(['\n', '\r'], " ")
            };
            let shown = if shown.is_empty() {
                "∅".to_owned()
            } else {
                shown
            };
            let fill = if chip.unknown {
                warn.gamma_multiply(0.35)
            } else {
                chip_color(chip, dark)
            };
            let text_color = if dark { Color32::WHITE } else { Color32::BLACK };
            let galley = ui.painter().layout_no_wrap(
                shown,
                egui::TextStyle::Monospace.resolve(ui.style()),
                text_color,
            );
            // The id line under the chip, when numbered: one allocation for both, so
            // the row wraps as any strip.
            let id_line = chip.id.filter(|_| numbered).map(|id| {
                let (text, color) = if chip.unknown {
                    (format!("[UNK] {id}"), warn)
                } else {
                    (id.to_string(), ui.visuals().text_color())
                };
                ui.painter()
                    .layout_no_wrap(text, egui::FontId::monospace(10.0), color)
            });
            let chip_size = galley.size() + vec2(10.0, 6.0);
            let size = match &id_line {
                Some(g) => vec2(chip_size.x.max(g.size().x), chip_size.y + 1.0 + g.size().y),
                None => chip_size,
            };
            // Click sense for the right-click menu that copies tokens and ids.
            let (cell, response) = ui.allocate_exact_size(size, Sense::click());
            if ui.is_rect_visible(cell) {
                let rect = egui::Rect::from_min_size(cell.min, chip_size);
                let linked = match (link, chip.span) {
                    (Some((ls, le)), Some((s, e))) => s < le && ls < e,
                    _ => false,
                };
                let stroke = if response.hovered() || linked {
                    Stroke::new(2.0, ui.visuals().strong_text_color())
                } else {
                    Stroke::new(1.0, fill.gamma_multiply(0.7))
                };
                ui.painter().rect(
                    rect,
                    CornerRadius::same(4),
                    fill,
                    stroke,
                    egui::StrokeKind::Inside,
                );
                ui.painter()
                    .galley(rect.min + vec2(5.0, 3.0), galley, text_color);
                if let Some(g) = id_line {
                    let color = if chip.unknown {
                        warn
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.painter()
                        .galley(egui::pos2(cell.min.x, rect.max.y + 1.0), g, color);
                }
            }
            let description = chip.describe();
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Label, true, description.clone())
            });
            if response.hovered() {
                hovered = Some(i);
            }
            response.context_menu(|ui| copy_menu(ui, chips, i));
            response.on_hover_text(chip.describe());
        }
    });
    hovered
}

/// The chips' right-click menu: this token, all tokens (as a JSON list, so spaces and
/// newlines inside tokens survive), all ids.
fn copy_menu(ui: &mut egui::Ui, chips: &[TokenChip], i: usize) {
    if ui.button("Copy this token").clicked() {
        ui.ctx().copy_text(chips[i].text.clone());
        ui.close();
    }
    if ui.button("Copy all tokens").clicked() {
        let texts: Vec<&str> = chips.iter().map(|c| c.text.as_str()).collect();
        ui.ctx()
            .copy_text(serde_json::to_string(&texts).unwrap_or_default());
        ui.close();
    }
    if chips.iter().any(|c| c.id.is_some()) && ui.button("Copy all ids").clicked() {
        let ids: Vec<String> = chips
            .iter()
            .map(|c| c.id.map_or("-".to_owned(), |id| id.to_string()))
            .collect();
        ui.ctx().copy_text(ids.join(" "));
        ui.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_id_same_colour_and_visible_whitespace() {
        let a = TokenChip::new("bank", Some(2924));
        let b = TokenChip::new("other text", Some(2924));
        let c = TokenChip::new("bank", Some(7));
        assert_eq!(chip_color(&a, false), chip_color(&b, false));
        assert_ne!(chip_color(&a, false), chip_color(&c, false));
        assert_eq!(visible_whitespace("a b\n\u{7}"), "a·b⏎�");
        assert!(a.describe().contains("id 2924"));
    }

    #[test]
    fn right_click_copies_tokens_and_ids() {
        use egui_kittest::kittest::Queryable;
        let chips = vec![
            TokenChip::new("the", Some(5)),
            TokenChip::new(" bank", Some(2924)),
        ];
        let copied = |button: &str| {
            let chips = chips.clone();
            let mut h = egui_kittest::Harness::new_ui(move |ui| {
                token_strip_numbered(ui, &chips, false);
            });
            h.get_by_label_contains("token \" bank\"").click_secondary();
            h.run();
            h.get_by_label(button).click();
            h.step();
            h.output()
                .platform_output
                .commands
                .iter()
                .find_map(|c| match c {
                    egui::OutputCommand::CopyText(t) => Some(t.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{button} copied nothing"))
        };
        assert_eq!(copied("Copy this token"), " bank");
        assert_eq!(copied("Copy all tokens"), r#"["the"," bank"]"#);
        assert_eq!(copied("Copy all ids"), "5 2924");
    }
}
