//! Step 2: pre-training then fine-tuning. The data BERT pre-trained on next to this
//! app's corpus, on a logarithmic scale (the gap is three orders of magnitude).

use std::sync::OnceLock;

use crate::model::text::corpus::Corpus;

/// Words in the original pre-training data (Devlin et al. 2018, section 3.1).
pub const WIKIPEDIA_WORDS: f64 = 2.5e9;
pub const BOOKCORPUS_WORDS: f64 = 8.0e8;

/// Words in the built-in corpus, counted once.
pub fn corpus_words() -> usize {
    static WORDS: OnceLock<usize> = OnceLock::new();
    *WORDS.get_or_init(|| Corpus::builtin().word_count())
}

/// `1234567` → "1.2 M", `2.5e9` → "2,500 M".
pub fn millions(words: f64) -> String {
    let m = words / 1e6;
    if m >= 100.0 {
        format!("{} M", super::group_digits(m.round() as u64))
    } else {
        format!("{m:.1} M")
    }
}

pub fn show(ui: &mut egui::Ui) {
    let ours = corpus_words() as f64;
    let rows = [
        ("English Wikipedia (BERT)", WIKIPEDIA_WORDS, 0),
        ("BookCorpus (BERT)", BOOKCORPUS_WORDS, 0),
        ("State of the Union corpus (this app)", ours, 1),
    ];
    ui.strong("Pre-training text, in words (logarithmic scale)");
    let (lo, hi) = (1e5f64.log10(), 1e10f64.log10());
    let width = ui.available_width().clamp(240.0, 520.0);
    egui::Grid::new("bert-data-bars")
        .num_columns(3)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for (name, words, kind) in rows {
                ui.label(name);
                let t = ((words.max(1.0).log10() - lo) / (hi - lo)).clamp(0.0, 1.0) as f32;
                let color = if kind == 0 {
                    egui::Color32::from_rgb(31, 119, 180)
                } else {
                    egui::Color32::from_rgb(214, 39, 40)
                };
                crate::widgets::bar::value_bar(
                    ui,
                    t,
                    egui::vec2(width, 16.0),
                    color,
                    None,
                    format!("{} words", super::group_digits(words as u64)),
                );
                ui.label(millions(words));
                ui.end_row();
            }
            ui.label("");
            let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
            for p in 5..=10 {
                let x = rect.left() + rect.width() * ((f64::from(p) - lo) / (hi - lo)) as f32;
                let align = match p {
                    5 => egui::Align2::LEFT_TOP,
                    10 => egui::Align2::RIGHT_TOP,
                    _ => egui::Align2::CENTER_TOP,
                };
                ui.painter().text(
                    egui::pos2(x, rect.top()),
                    align,
                    format!("10^{p}"),
                    egui::FontId::proportional(11.0),
                    ui.visuals().weak_text_color(),
                );
            }
            ui.small("words");
            ui.end_row();
        });
    ui.horizontal(|ui| {
        swatch(ui, egui::Color32::from_rgb(31, 119, 180));
        ui.small("BERT's data (3,300 M words)");
        swatch(ui, egui::Color32::from_rgb(214, 39, 40));
        ui.small("this app's corpus, counted now");
    });
    ui.label(format!(
        "BERT read about {:.0}× more text than the built-in model.",
        (WIKIPEDIA_WORDS + BOOKCORPUS_WORDS) / ours.max(1.0)
    ));
}

fn swatch(ui: &mut egui::Ui, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}

#[cfg(test)]
mod tests {
    #[test]
    fn millions_reads_like_the_paper() {
        assert_eq!(super::millions(2.5e9), "2,500 M");
        assert_eq!(super::millions(2_012_345.0), "2.0 M");
    }
}
