//! Unigram training replayed: the project's trainer on the course's toy corpus (and the
//! learner's sentence, if asked) starts from every frequent substring and prunes, round by
//! round, the pieces whose removal costs the corpus least likelihood. Each round's
//! vocabulary size, corpus loss, dropped pieces with their cost, and the cheapest piece
//! kept, all reported by the trainer itself.

use egui::RichText;

use crate::job::Recompute;
use crate::model::tokenize::bpe_toy;
use crate::model::tokenize::unigram::{PruneRound, UnigramConfig, UnigramModel, train_recorded};

/// Pieces of the sentence listed at most.
const MAX_TOKENS: usize = 40;
/// Dropped pieces listed per round.
const SHOWN: usize = 12;
/// Multi-letter pieces the toy run keeps besides the single letters.
const EXTRA_PIECES: usize = 6;

/// What a run is computed from: the training text and the target size.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    text: String,
    vocab_size: usize,
}

struct Run {
    rounds: Vec<PruneRound>,
    model: UnigramModel,
}

fn run(key: &Key) -> Run {
    let config = UnigramConfig {
        vocab_size: key.vocab_size,
        max_piece_chars: 8,
        seed_size: 2_000,
        shrink: 0.8,
        em_iters: 2,
    };
    let mut rounds = Vec::new();
    let model = train_recorded(&key.text, &config, &mut |r| rounds.push(r));
    Run { rounds, model }
}

/// State of the view.
#[derive(Default)]
pub struct UnigramPruningView {
    pub with_sentence: bool,
    pub round: usize,
    result: Recompute<Key, Run>,
}

impl UnigramPruningView {
    pub fn show(&mut self, ui: &mut egui::Ui, sentence: &str) {
        ui.label(format!(
            "Training text: the course's toy corpus ({}).",
            toy_summary()
        ));
        ui.checkbox(&mut self.with_sentence, "add your sentence");
        let mut text = bpe_toy::text();
        if self.with_sentence {
            text.push('\n');
            text.push_str(sentence);
        }
        // [UNK], every letter (never pruned), and a few longer pieces.
        let letters = {
            let mut c: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
            c.sort_unstable();
            c.dedup();
            c.len()
        };
        let key = Key {
            text,
            vocab_size: 1 + letters + EXTRA_PIECES,
        };
        let Some(run) = self.result.get(ui.ctx(), &key, run) else {
            ui.spinner();
            return;
        };
        let n = run.rounds.len();
        if n == 0 {
            ui.label("The seed vocabulary is already small enough: nothing to prune.");
            return;
        }
        self.round = self.round.min(n - 1);
        ui.add(
            egui::Slider::new(&mut self.round, 0..=n - 1)
                .custom_formatter(|r, _| format!("round {}", r as usize + 1))
                .text(format!("of {n} pruning rounds")),
        );
        let Some(r) = run.rounds.get(self.round) else {
            return;
        };
        ui.label(
            RichText::new(format!(
                "Round {}: {} pieces → {} (target {} with [UNK]); corpus loss {:.1} → {:.1} nats",
                self.round + 1,
                r.before,
                r.after,
                key.vocab_size,
                r.loss_before,
                r.loss_after
            ))
            .strong(),
        );
        ui.label(
            "Dropped this round, cheapest first (estimated loss = expected count × how much \
             less likely its text becomes when cut without it):",
        );
        egui::Grid::new("unigram-dropped")
            .striped(true)
            .num_columns(2)
            .show(ui, |ui| {
                ui.strong("piece");
                ui.strong("estimated loss (nats)");
                ui.end_row();
                for (piece, cost) in r.dropped.iter().take(SHOWN) {
                    ui.monospace(piece);
                    ui.label(format!("{cost:.3}"));
                    ui.end_row();
                }
            });
        if r.dropped.len() > SHOWN {
            ui.label(format!("… and {} more.", r.dropped.len() - SHOWN));
        }
        if let Some(next) = run.rounds.get(self.round + 1)
            && next.before < r.after
        {
            ui.label(format!(
                "Before the next round, EM drops {} more pieces that no likely cut still uses.",
                r.after - next.before
            ));
        }
        if let Some((piece, cost)) = &r.cheapest_kept {
            ui.label(format!(
                "The cheapest piece kept was {piece:?}, at {cost:.3} nats: every dropped piece \
                 cost at most that much. A cost near 0 means the piece was almost never the \
                 likely cut: a longer piece already covers its text."
            ));
        }
        ui.add_space(6.0);
        let kept: Vec<&str> = run
            .model
            .pieces()
            .iter()
            .skip(1)
            .filter(|p| p.0.chars().nth(1).is_some())
            .map(|p| p.0.as_str())
            .collect();
        ui.label(format!(
            "Longer pieces left at the end: {}.",
            kept.join(", ")
        ));
        let tokens = run.model.encode(sentence).tokens_display();
        let more = if tokens.len() > MAX_TOKENS {
            " …"
        } else {
            ""
        };
        let shown: Vec<&str> = tokens.iter().take(MAX_TOKENS).map(String::as_str).collect();
        ui.label(format!(
            "Your sentence with the final vocabulary ({} pieces): {}{more}",
            tokens.len(),
            shown.join(" | ")
        ));
    }
}

fn toy_summary() -> String {
    bpe_toy::WORDS
        .iter()
        .map(|(w, n)| format!("{w} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}
