//! Step 4: masked language modelling on the learner's sentence. BERT's sampler
//! (15 % chosen; of those 80 % [MASK], 10 % a random word, 10 % unchanged) runs
//! with a seed the learner re-rolls; many rolls fill a histogram that closes in on
//! the ratios inside the binomial band. The model then guesses every chosen
//! position; clicking a token masks it by hand instead.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::lessons::cache_key::ArcKey;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::bert::trace::Prediction;
use crate::model::bert::train::masking::{Choice, MASK_RATE, RANDOM_RATE};
use crate::model::bert::train::{Masked, MaskingPolicy};
use crate::model::numerics::rng::SplitMix64;
use crate::model::tokenize::ModelInput;

/// Rolls added by one press of "Roll 1,000 times".
pub const BATCH_ROLLS: u64 = 1000;

/// Outcome counts over every roll so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub rolls: u64,
    /// Positions that could be chosen (not special), summed over rolls.
    pub eligible: u64,
    pub chosen: u64,
    pub masked: u64,
    pub random: u64,
    pub unchanged: u64,
}

impl Tally {
    pub fn add(&mut self, m: &Masked, eligible: usize) {
        self.rolls += 1;
        self.eligible += eligible as u64;
        for c in &m.choices {
            match c {
                Choice::NotChosen => {}
                Choice::Masked => self.masked += 1,
                Choice::Random => self.random += 1,
                Choice::Unchanged => self.unchanged += 1,
            }
        }
        self.chosen = self.masked + self.random + self.unchanged;
    }
}

/// How the positions were picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// BERT's sampler with this seed.
    Sampler(u64),
    /// The learner's clicked positions, all shown as [MASK].
    Manual(BTreeSet<usize>),
}

/// The masked sentence and the model's guesses at its chosen positions.
pub struct Filled {
    pub input: ModelInput,
    pub masked: Masked,
    /// `(position, guesses)` for every chosen position.
    pub guesses: Vec<(usize, Vec<Prediction>)>,
}

type Key = (String, Mode, ArcKey<PretrainedBert>);

pub struct State {
    pub mode: Mode,
    pub tally: Tally,
    /// The sentence the tally was counted on (it restarts when the sentence changes).
    tally_for: String,
    cache: Option<(Key, Result<Filled, String>)>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            mode: Mode::Sampler(1),
            tally: Tally::default(),
            tally_for: String::new(),
            cache: None,
        }
    }
}

/// Applies the mode to the sentence and asks the model for every chosen position.
pub fn fill(bert: &PretrainedBert, sentence: &str, mode: &Mode) -> Result<Filled, String> {
    let input = bert.fit(bert.model.encode(sentence, None));
    let policy = MaskingPolicy::for_tokenizer(&bert.model.tokenizer)
        .ok_or("the model's vocabulary has no [MASK] token")?;
    let masked = match mode {
        Mode::Sampler(seed) => policy.mask(&input.ids, &mut SplitMix64::new(*seed)),
        Mode::Manual(picked) => {
            let mut m = Masked {
                ids: input.ids.clone(),
                labels: vec![None; input.ids.len()],
                choices: vec![Choice::NotChosen; input.ids.len()],
            };
            for &at in picked.iter().filter(|&&at| at < input.ids.len()) {
                if policy.is_special(input.ids[at]) {
                    continue;
                }
                m.labels[at] = Some(input.ids[at]);
                m.ids[at] = policy.mask_id;
                m.choices[at] = Choice::Masked;
            }
            m
        }
    };
    let mut shown = input.clone();
    shown.ids = masked.ids.clone();
    shown.tokens = masked
        .ids
        .iter()
        .map(|&id| {
            bert.model
                .tokenizer
                .id_to_token(id)
                .unwrap_or("?")
                .to_owned()
        })
        .collect();
    let trace = bert.run(&shown, 5)?;
    let guesses = masked
        .labels
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_some())
        .map(|(i, _)| (i, PretrainedBert::guesses(&trace, i).to_vec()))
        .collect();
    Ok(Filled {
        input,
        masked,
        guesses,
    })
}

/// Colours of the three outcomes (and of a position left alone: none).
pub fn outcome_color(c: Choice) -> Option<egui::Color32> {
    match c {
        Choice::NotChosen => None,
        Choice::Masked => Some(egui::Color32::from_rgb(214, 39, 40)),
        Choice::Random => Some(egui::Color32::from_rgb(255, 127, 14)),
        Choice::Unchanged => Some(egui::Color32::from_rgb(44, 160, 44)),
    }
}

pub fn show(ui: &mut egui::Ui, state: &mut State, bert: &Arc<PretrainedBert>, sentence: &str) {
    if state.tally_for != sentence {
        state.tally = Tally::default();
        state.tally_for = sentence.to_owned();
    }
    ui.horizontal(|ui| {
        if ui
            .button("🎲 Re-roll")
            .on_hover_text("Draw the 15 % and the 80/10/10 again with the next seed")
            .clicked()
        {
            state.mode = match state.mode {
                Mode::Sampler(seed) => Mode::Sampler(seed + 1),
                Mode::Manual(_) => Mode::Sampler(1),
            };
        }
        match &state.mode {
            Mode::Sampler(seed) => ui.label(format!("seed {seed}")),
            Mode::Manual(p) => ui.label(format!("{} token(s) masked by hand", p.len())),
        };
        ui.weak("· click a token to mask it yourself");
    });
    let key = (
        sentence.to_owned(),
        state.mode.clone(),
        ArcKey(bert.clone()),
    );
    if state.cache.as_ref().map(|(k, _)| k) != Some(&key) {
        let result = fill(bert, sentence, &state.mode);
        if let (Ok(f), Mode::Sampler(_)) = (&result, &state.mode) {
            let eligible = eligible(bert, &f.input.ids);
            state.tally.add(&f.masked, eligible);
        }
        state.cache = Some((key, result));
    }
    let Some((_, result)) = &state.cache else {
        return;
    };
    let f = match result {
        Ok(f) => f,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
            return;
        }
    };
    let clicked = chips(ui, bert, f);
    legend(ui);
    ui.separator();
    guesses(ui, bert, f);
    ui.separator();
    let ids = f.input.ids.clone();
    let roll = ui
        .horizontal(|ui| {
            ui.strong("Over many rolls");
            ui.button(format!("Roll {BATCH_ROLLS} times"))
                .on_hover_text("Run the sampler on your sentence with the next 1,000 seeds")
                .clicked()
        })
        .inner;
    if roll {
        roll_many(state, bert, &ids);
    }
    histogram(ui, &state.tally);
    if let Some(clicked) = clicked {
        let mut picked = match &state.mode {
            Mode::Manual(p) => p.clone(),
            Mode::Sampler(_) => BTreeSet::new(),
        };
        if !picked.remove(&clicked) {
            picked.insert(clicked);
        }
        state.mode = Mode::Manual(picked);
    }
}

fn eligible(bert: &PretrainedBert, ids: &[u32]) -> usize {
    MaskingPolicy::for_tokenizer(&bert.model.tokenizer)
        .map_or(0, |p| ids.iter().filter(|&&id| !p.is_special(id)).count())
}

fn roll_many(state: &mut State, bert: &PretrainedBert, ids: &[u32]) {
    let Some(policy) = MaskingPolicy::for_tokenizer(&bert.model.tokenizer) else {
        return;
    };
    let eligible = eligible(bert, ids);
    let start = 1_000_000 + state.tally.rolls;
    for seed in start..start + BATCH_ROLLS {
        let m = policy.mask(ids, &mut SplitMix64::new(seed));
        state.tally.add(&m, eligible);
    }
}

/// The sentence as chips coloured by outcome; returns a clicked position.
fn chips(ui: &mut egui::Ui, bert: &PretrainedBert, f: &Filled) -> Option<usize> {
    let mut clicked = None;
    ui.horizontal_wrapped(|ui| {
        for (i, (&orig, &choice)) in f.input.ids.iter().zip(&f.masked.choices).enumerate() {
            let original = bert.model.tokenizer.id_to_token(orig).unwrap_or("?");
            let shown = bert
                .model
                .tokenizer
                .id_to_token(f.masked.ids[i])
                .unwrap_or("?");
            let text = match choice {
                Choice::NotChosen => original.to_owned(),
                Choice::Unchanged => format!("{original} (kept)"),
                _ => format!("{original} → {shown}"),
            };
            let mut button = egui::Button::new(egui::RichText::new(text).monospace());
            if let Some(c) = outcome_color(choice) {
                button = button.fill(c.gamma_multiply(0.45));
            }
            let tip = match choice {
                Choice::NotChosen => "not chosen: no loss here. Click to mask it.".to_owned(),
                Choice::Masked => format!("chosen, shown as [MASK]; the model must say \"{original}\""),
                Choice::Random => format!("chosen, shown as the random word \"{shown}\"; the model must still say \"{original}\""),
                Choice::Unchanged => format!("chosen but left as \"{original}\"; the loss still asks for it"),
            };
            if ui.add(button).on_hover_text(tip).clicked() {
                clicked = Some(i);
            }
        }
    });
    clicked
}

fn legend(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        for (c, label) in [
            (Choice::Masked, "chosen → [MASK] (80 %)"),
            (Choice::Random, "chosen → random word (10 %)"),
            (Choice::Unchanged, "chosen, unchanged (10 %)"),
        ] {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            if let Some(color) = outcome_color(c) {
                ui.painter().rect_filled(rect, 2.0, color);
            }
            ui.small(label);
        }
    });
}

fn guesses(ui: &mut egui::Ui, bert: &PretrainedBert, f: &Filled) {
    if f.guesses.is_empty() {
        ui.label("No position was chosen: the sentence has no ordinary token. Masking never picks the special tokens [CLS], [SEP] and [PAD], nor [UNK] (as in BERT's own data collator), and every piece here is one of them.");
        return;
    }
    ui.strong("The model's guesses at every chosen position");
    egui::Grid::new("bert-mlm-guesses")
        .striped(true)
        .spacing([10.0, 2.0])
        .show(ui, |ui| {
            ui.label("position");
            ui.label("answer");
            ui.label("model saw");
            ui.label("top 5 (probability)");
            ui.end_row();
            for (at, preds) in &f.guesses {
                let tok = |id: u32| {
                    bert.model
                        .tokenizer
                        .id_to_token(id)
                        .unwrap_or("?")
                        .to_owned()
                };
                let answer = tok(f.input.ids[*at]);
                ui.monospace(at.to_string());
                ui.monospace(&answer);
                ui.monospace(tok(f.masked.ids[*at]));
                let line: Vec<String> = preds
                    .iter()
                    .map(|p| format!("{} {:.0} %", tok(p.id), 100.0 * p.prob))
                    .collect();
                let hit = preds.iter().position(|p| p.id == f.input.ids[*at]);
                let text = egui::RichText::new(line.join(" · "));
                ui.label(if hit == Some(0) { text.strong() } else { text })
                    .on_hover_text(match hit {
                        Some(0) => "the answer is the model's first guess".to_owned(),
                        Some(k) => format!("the answer is guess number {}", k + 1),
                        None => "the answer is not in the top 5".to_owned(),
                    });
                ui.end_row();
            }
        });
}

/// Observed shares against BERT's ratios, with the band where 95 % of honest
/// samplers would land after this many draws (±1.96 binomial standard errors).
fn histogram(ui: &mut egui::Ui, t: &Tally) {
    if t.rolls == 0 {
        return;
    }
    let rows = [
        (
            "chosen / eligible",
            t.chosen,
            t.eligible,
            0.15,
            Choice::NotChosen,
        ),
        (
            "[MASK] / chosen",
            t.masked,
            t.chosen,
            MASK_RATE,
            Choice::Masked,
        ),
        (
            "random / chosen",
            t.random,
            t.chosen,
            RANDOM_RATE,
            Choice::Random,
        ),
        (
            "unchanged / chosen",
            t.unchanged,
            t.chosen,
            1.0 - MASK_RATE - RANDOM_RATE,
            Choice::Unchanged,
        ),
    ];
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    ui.label(format!(
        "{}, {} chosen of {} eligible",
        plural(t.rolls, "roll"),
        plural(t.chosen, "position"),
        t.eligible
    ));
    let width = (ui.available_width() - 200.0).clamp(120.0, 360.0);
    egui::Grid::new("bert-mask-histogram")
        .num_columns(3)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            for (name, count, of, expected, choice) in rows {
                let share = count as f64 / of.max(1) as f64;
                // The chosen count is fixed per sentence, not drawn: no band there.
                let band = if choice == Choice::NotChosen {
                    0.0
                } else {
                    1.96 * (expected * (1.0 - expected) / of.max(1) as f64).sqrt()
                };
                ui.label(name);
                let (rect, resp) =
                    ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
                let x = |v: f64| rect.left() + rect.width() * v.clamp(0.0, 1.0) as f32;
                let painter = ui.painter();
                painter.rect_filled(rect, 0.0, ui.visuals().faint_bg_color);
                let color = outcome_color(choice).unwrap_or(egui::Color32::from_rgb(31, 119, 180));
                painter.rect_filled(
                    egui::Rect::from_min_max(rect.min, egui::pos2(x(share), rect.bottom())),
                    0.0,
                    color,
                );
                painter.rect_filled(
                    egui::Rect::from_min_max(
                        egui::pos2(x(expected - band), rect.top() + 3.0),
                        egui::pos2(
                            x(expected + band).max(x(expected - band) + 1.0),
                            rect.bottom() - 3.0,
                        ),
                    ),
                    0.0,
                    egui::Color32::from_black_alpha(70),
                );
                painter.vline(
                    x(expected),
                    rect.y_range(),
                    egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
                );
                resp.on_hover_text(format!(
                    "{count} of {of} = {:.2} %; BERT's rate {:.0} %, 95 % band ±{:.2} points",
                    100.0 * share,
                    100.0 * expected,
                    100.0 * band
                ));
                ui.label(format!("{:.1} %", 100.0 * share));
                ui.end_row();
            }
        });
    ui.small("Bar: observed share. Black line: BERT's rate. Grey box: where 95 % of fair samplers land after this many draws. The chosen count per sentence is round(15 % × eligible), so short sentences sit off 15 %.");
}
