//! Curiosities made tangible, each computed live by the real tokenisers: numbers and
//! whitespace split differently by GPT-2 and GPT-4, the same sentence costing more
//! tokens in other languages, and the words of the learner's sentence that a word-level
//! vocabulary cannot write.

use egui::RichText;

use super::rows::{MAX_CHIPS, chips_from_encoding};
use super::training::TokenizerStore;
use crate::model::text::split_words;
use crate::model::tokenize::cl100k_split;
use crate::model::tokenize::tiktoken_bpe::TiktokenBpe;
use crate::widgets::chart::{ChartSpec, ChartView, PALETTE, Series, SeriesKind};
use crate::widgets::token_strip;

/// Inputs for the numbers-and-whitespace comparison (the token counts are computed).
const NUMBER_AND_SPACE_INPUTS: [&str; 4] = [
    "In 1790 the debt was 75463476 dollars.",
    "3.14159 + 2.71828 = 5.85987",
    "def total(xs):\n        return sum(xs)",
    "Hello    world",
];

/// One sentence in several languages (translations of the same meaning).
pub const TRANSLATIONS: [(&str, &str); 7] = [
    ("English", "The bank is closed today because of the storm."),
    ("German", "Die Bank ist heute wegen des Sturms geschlossen."),
    ("Russian", "Банк сегодня закрыт из-за шторма."),
    ("Arabic", "البنك مغلق اليوم بسبب العاصفة."),
    ("Hindi", "तूफ़ान के कारण आज बैंक बंद है।"),
    ("Chinese", "由于暴风雨，银行今天关门。"),
    ("Japanese", "嵐のため、銀行は今日休業です。"),
];

#[derive(Default)]
pub struct CuriositiesView {
    chart: ChartView,
}

fn compare_row(ui: &mut egui::Ui, name: &str, bpe: &TiktokenBpe, text: &str, show_ws: bool) {
    match bpe.encode(text) {
        Ok(enc) => {
            ui.label(RichText::new(format!("{name}: {} tokens", enc.len())).weak());
            let mut chips = chips_from_encoding(text, &enc);
            chips.truncate(MAX_CHIPS);
            token_strip(ui, &chips, show_ws);
        }
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e.to_string());
        }
    }
}

/// Numbers always shown in the digit-grouping table, before the learner's own.
const SAMPLE_NUMBERS: [&str; 3] = ["12345", "1234567", "2026"];
/// At most this many numbers of the sentence are listed.
const MAX_NUMBERS: usize = 6;
/// A number longer than this is cut (with "…") before it is split and shown.
const MAX_DIGITS: usize = 40;

/// Runs of digits in `text` (any script's digits, as the pre-tokeniser's `\p{N}`).
pub fn digit_runs(text: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, c.is_numeric()) {
            (None, true) => start = Some(i),
            (Some(a), false) => {
                runs.push(&text[a..i]);
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// GPT-4's (cl100k) pre-tokeniser pieces of `number`: groups of up to three digits,
/// counted from the left.
pub fn cl100k_groups(number: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    cl100k_split::for_each_piece(number, |a, b| pieces.push(&number[a..b]));
    pieces
}

/// The digit groups GPT-4's pre-tokeniser makes, computed on sample numbers and on the
/// numbers of the learner's sentence.
fn digit_groups(ui: &mut egui::Ui, sentence: &str) {
    ui.heading("How GPT-4 groups digits");
    ui.label(
        "Before any merge, GPT-4's pre-tokeniser cuts every run of digits into pieces of at \
         most three, starting from the left; merges never cross those cuts. GPT-2's has no \
         such rule. Type a number into your sentence to add it.",
    );
    let mut numbers: Vec<String> = SAMPLE_NUMBERS.iter().map(|n| n.to_string()).collect();
    for run in digit_runs(sentence) {
        let cut: String = run.chars().take(MAX_DIGITS).collect();
        if !numbers.contains(&cut) && numbers.len() < SAMPLE_NUMBERS.len() + MAX_NUMBERS {
            numbers.push(cut);
        }
    }
    egui::Grid::new("digit-groups")
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            ui.strong("number");
            ui.strong("GPT-4's pre-tokeniser pieces");
            ui.end_row();
            for n in &numbers {
                ui.monospace(n);
                ui.monospace(cl100k_groups(n).join(" | "));
                ui.end_row();
            }
        });
}

impl CuriositiesView {
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        sentence: &str,
        store: &TokenizerStore,
        show_ws: bool,
    ) {
        let Some(Ok(vocabs)) = store.real() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading the GPT vocabularies…");
            });
            return;
        };
        let [gpt2, gpt4, gpt4o] = *vocabs;

        digit_groups(ui, sentence);
        ui.add_space(6.0);
        ui.heading("Numbers and spaces: GPT-2 against GPT-4");
        ui.label("GPT-2 hands a whole run of digits to its merges, which cut it wherever learned pairs happen to apply, and gives every extra space its own token; GPT-4 cuts numbers into the groups above and keeps runs of spaces together, which gives it steadier pieces for arithmetic and code.");
        let mut inputs: Vec<&str> = Vec::new();
        if sentence.chars().any(|c| c.is_ascii_digit()) || sentence.contains("  ") {
            inputs.push(sentence);
        }
        inputs.extend(NUMBER_AND_SPACE_INPUTS);
        for text in inputs {
            ui.add_space(4.0);
            ui.monospace(crate::widgets::token_strip::visible_whitespace(text));
            compare_row(ui, "GPT-2", gpt2, text, true);
            compare_row(ui, "GPT-4", gpt4, text, true);
        }

        ui.add_space(10.0);
        ui.heading("The same sentence in other languages");
        ui.label("Byte-level BPE vocabularies are learned mostly from English text, so other languages, and other scripts above all, need more tokens for the same meaning: slower, more expensive and a shorter effective context. GPT-4o's larger vocabulary narrows the gap.");
        let mut rows: Vec<(String, String)> = TRANSLATIONS
            .iter()
            .map(|(l, t)| (l.to_string(), t.to_string()))
            .collect();
        if !sentence.trim().is_empty() {
            rows.push(("your sentence".to_owned(), sentence.to_owned()));
        }
        let mut series: Vec<Series> = Vec::new();
        egui::Grid::new("language-costs")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for h in ["language", "characters", "GPT-2", "GPT-4", "GPT-4o"] {
                    ui.strong(h);
                }
                ui.end_row();
                let mut points: [Vec<(f64, f64)>; 3] = Default::default();
                for (i, (lang, text)) in rows.iter().enumerate() {
                    ui.label(lang).on_hover_text(text);
                    ui.label(text.chars().count().to_string());
                    for (j, bpe) in [gpt2, gpt4, gpt4o].iter().enumerate() {
                        let n = bpe.encode(text).map(|e| e.len()).unwrap_or(0);
                        ui.label(n.to_string());
                        points[j].push((i as f64, n as f64));
                    }
                    ui.end_row();
                }
                for (j, name) in ["GPT-2", "GPT-4", "GPT-4o"].iter().enumerate() {
                    series.push(Series {
                        name: name.to_string(),
                        points: std::mem::take(&mut points[j]),
                        kind: SeriesKind::Scatter,
                        color: PALETTE[j],
                    });
                }
            });
        let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let spec = ChartSpec {
            title: "Tokens for the same meaning".to_owned(),
            x_label: format!("language ({})", names.join(", ")),
            y_label: "tokens".to_owned(),
            log_y: false,
            series,
        };
        let w = ui.available_width().clamp(300.0, 640.0);
        self.chart
            .show(ui, &spec, egui::vec2(w, 200.0))
            .on_hover_text("One point per language and tokeniser, in the table's order.");

        ui.add_space(10.0);
        ui.heading("Words a word-level vocabulary cannot write");
        match &store.suite {
            Some(suite) => {
                let mut missing: Vec<String> = Vec::new();
                for p in split_words(sentence) {
                    let enc = suite.words.encode(&p.text);
                    if enc.ids.contains(&0) && !missing.contains(&p.text) {
                        missing.push(p.text);
                    }
                }
                if missing.is_empty() {
                    ui.label(format!("Every word of your sentence is among the {} words of the word-level vocabulary. Add a made-up word (unbankable) or a name to see [UNK].", suite.words.vocab_size() - 1));
                } else {
                    ui.label(format!(
                        "Not among the {} words of the word-level vocabulary, so each becomes [UNK]: {}. The subword tokenisers still write them, from smaller pieces:",
                        suite.words.vocab_size() - 1,
                        missing.join(", ")
                    ));
                    for w in missing.iter().take(6) {
                        if let Ok(enc) = suite.bpe.encode(w) {
                            ui.horizontal(|ui| {
                                ui.label(RichText::new(w).strong());
                                token_strip(ui, &chips_from_encoding(w, &enc), show_ws);
                            });
                        }
                    }
                }
            }
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("The word-level vocabulary is training…");
                });
            }
        }
    }
}
