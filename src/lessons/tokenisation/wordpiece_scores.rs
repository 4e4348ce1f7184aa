//! WordPiece's score made visible: for the first merge of the lesson's WordPiece
//! training, the candidate pairs with count(ab), count(a), count(b) and the score the
//! project's trainer gives them, the most frequent pair (BPE's choice) beside the best
//! scoring one, and the merges the trainer then makes.

use std::sync::Arc;

use egui::RichText;
use rustc_hash::FxHashMap;

use super::training::TrainSource;
use crate::job::{Job, JobState, Reporter, Step};
use crate::model::text::corpus::Corpus;
use crate::model::tokenize::wordpiece_train::{COUNT_BYTES, WordPieceCounter, WordPieceTrainer};

/// Candidate rows shown, best score first.
pub const TOP: usize = 8;
/// Merges of the trainer listed after the table.
pub const FIRST_MERGES: usize = 12;
/// The trainer's smallest pair count (the lesson's suite uses the same).
const MIN_PAIR_COUNT: u64 = 2;

/// One candidate pair before the first merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub left: String,
    pub right: String,
    pub count_ab: u64,
    pub count_a: u64,
    pub count_b: u64,
    /// From [`WordPieceTrainer::score`].
    pub score: f64,
}

impl Candidate {
    pub fn pair(&self) -> String {
        format!("{} + {}", self.left, self.right)
    }
}

/// Everything the view shows, computed from one training text.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The best-scoring pairs among those frequent enough to compete, best first.
    pub candidates: Vec<Candidate>,
    /// The most frequent pair: the one BPE would merge first.
    pub most_frequent: Option<Candidate>,
    /// Pairs seen fewer times do not compete for the first merge.
    pub threshold: u64,
    /// The trainer's first merges: (left + right → token, count(ab), score).
    pub merges: Vec<(String, u64, f64)>,
}

/// Counts the text's words with the trainer's own count (BERT's uncased basic
/// tokeniser), scores every pair of neighbouring symbols with the trainer, and runs its
/// first merges.
pub fn compute(text: &str) -> Scores {
    let mut counter = WordPieceCounter::default();
    while counter.count(text, COUNT_BYTES) {}
    let counted = count(&counter);
    score(counted, counter.finish(usize::MAX, MIN_PAIR_COUNT))
}

/// Every symbol's and neighbouring pair's count, over the text's words.
pub struct Counted {
    symbols: FxHashMap<String, u64>,
    pairs: FxHashMap<(String, String), u64>,
}

/// A step of [`compute`] once the words are counted: their symbols and pairs counted.
pub fn count(counter: &WordPieceCounter) -> Counted {
    let word_counts = counter.word_counts();
    let mut symbols: FxHashMap<String, u64> = FxHashMap::default();
    let mut pairs: FxHashMap<(String, String), u64> = FxHashMap::default();
    for (w, &c) in word_counts {
        let syms: Vec<String> = w
            .chars()
            .enumerate()
            .map(|(i, ch)| {
                if i == 0 {
                    ch.to_string()
                } else {
                    format!("##{ch}")
                }
            })
            .collect();
        for s in &syms {
            *symbols.entry(s.clone()).or_default() += c;
        }
        for p in syms.windows(2) {
            *pairs.entry((p[0].clone(), p[1].clone())).or_default() += c;
        }
    }
    Counted { symbols, pairs }
}

/// The last step of [`compute`]: the candidates scored by `trainer` (fresh from the
/// count behind `counted`), and its first merges.
pub fn score(counted: Counted, mut trainer: WordPieceTrainer) -> Scores {
    let Counted { symbols, pairs } = counted;
    let ids: FxHashMap<&str, u32> = trainer
        .vocab()
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .collect();
    let max_count = pairs.values().copied().max().unwrap_or(1);
    let threshold = (max_count / 4).max(MIN_PAIR_COUNT);
    let mut all: Vec<Candidate> = pairs
        .into_iter()
        .filter_map(|((a, b), count_ab)| {
            let pair = (*ids.get(a.as_str())?, *ids.get(b.as_str())?);
            Some(Candidate {
                count_a: symbols.get(&a).copied().unwrap_or(0),
                count_b: symbols.get(&b).copied().unwrap_or(0),
                score: trainer.score(pair, count_ab),
                left: a,
                right: b,
                count_ab,
            })
        })
        .collect();
    let most_frequent = all
        .iter()
        .max_by(|x, y| {
            x.count_ab
                .cmp(&y.count_ab)
                .then_with(|| y.pair().cmp(&x.pair()))
        })
        .cloned();
    all.retain(|c| c.count_ab >= threshold);
    all.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(y.count_ab.cmp(&x.count_ab))
            .then_with(|| x.pair().cmp(&y.pair()))
    });
    all.truncate(TOP);
    drop(ids);
    let mut merges = Vec::new();
    for _ in 0..FIRST_MERGES {
        let Some(m) = trainer.step().cloned() else {
            break;
        };
        let vocab = trainer.vocab();
        let name = |id: u32| vocab.get(id as usize).cloned().unwrap_or_default();
        merges.push((
            format!("{} + {} → {}", name(m.pair.0), name(m.pair.1), m.token),
            m.count,
            m.score,
        ));
    }
    Scores {
        candidates: all,
        most_frequent,
        threshold,
        merges,
    }
}

/// The text the lesson's tokenisers train on.
fn training_text(source: &TrainSource) -> String {
    match source {
        TrainSource::Builtin => {
            let mut text = String::new();
            for d in Corpus::builtin().documents() {
                text.push_str(&d.text);
                text.push('\n');
            }
            text
        }
        TrainSource::Own(text) => text.clone(),
    }
}

/// Where the scores' job stands.
enum Stage {
    Start(TrainSource),
    Counting(String, Box<WordPieceCounter>),
    Counted(Counted, Box<WordPieceCounter>),
    Scoring(Counted, Box<WordPieceTrainer>),
    Ended,
}

/// The view's state: the scores for the text the suite was last trained on.
#[derive(Default)]
pub struct WordPieceScoresView {
    /// What `scores` (or the running job) was computed from.
    key: Option<TrainSource>,
    /// The text the view asks for; it may be ahead of `key` while a job runs.
    wanted: Option<TrainSource>,
    job: Option<Job<Scores>>,
    pub scores: Option<Arc<Scores>>,
    /// The context a job's steps wake, once a frame has passed it.
    ctx: Option<egui::Context>,
}

impl WordPieceScoresView {
    /// Asks for the scores of `source`. One worker at a time: a change while one runs
    /// is picked up when it finishes, so typing in a long text never piles up workers.
    pub fn ensure(&mut self, source: &TrainSource) {
        if self.wanted.as_ref() != Some(source) {
            self.wanted = Some(source.clone());
        }
        self.start_if_idle();
    }

    fn start_if_idle(&mut self) {
        if self.job.is_some() || self.key == self.wanted {
            return;
        }
        let Some(source) = self.wanted.clone() else {
            return;
        };
        self.key = Some(source.clone());
        // In steps (the text gathered, the words counted a chunk a step, the trainer
        // built, the scores), so the browser draws between them.
        let mut stage = Stage::Start(source);
        let step = move |r: &Reporter<Scores>| {
            stage = match std::mem::replace(&mut stage, Stage::Ended) {
                Stage::Start(source) => Stage::Counting(training_text(&source), Box::default()),
                Stage::Counting(text, mut counter) => {
                    if counter.count(&text, COUNT_BYTES) {
                        Stage::Counting(text, counter)
                    } else {
                        Stage::Counted(count(&counter), counter)
                    }
                }
                Stage::Counted(counted, counter) => Stage::Scoring(
                    counted,
                    Box::new(counter.finish(usize::MAX, MIN_PAIR_COUNT)),
                ),
                Stage::Scoring(counted, trainer) => {
                    r.send(score(counted, *trainer));
                    return Step::Done;
                }
                Stage::Ended => return Step::Done,
            };
            Step::More
        };
        self.job = Some(Job::steps("wordpiece-scores", self.ctx.as_ref(), step));
    }

    pub fn poll(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
        if let Some(job) = &self.job {
            match job.poll() {
                JobState::Running => {
                    ctx.request_repaint_after(std::time::Duration::from_millis(50));
                }
                JobState::Done(s) => {
                    self.scores = Some(Arc::new(s));
                    self.job = None;
                }
                JobState::Died => self.job = None,
            }
        }
        if self.job.is_none() && self.key != self.wanted {
            self.start_if_idle();
            ctx.request_repaint();
        }
    }

    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// The table of candidates and the trainer's first merges.
    pub fn show(&mut self, ui: &mut egui::Ui, corpus: &str) {
        let Some(s) = self.scores.clone() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Counting the pairs of the training text…");
            });
            return;
        };
        ui.strong(format!(
            "The first merge on {corpus}: score = count(ab) ÷ (count(a) × count(b))"
        ));
        ui.label(RichText::new(format!(
            "Every word starts as characters (## marks one inside a word). Only pairs seen at least {} times (a quarter of the most frequent pair) compete at first; among them the highest score wins.",
            s.threshold
        )).weak());
        let best = s.candidates.first().map(Candidate::pair);
        let frequent = s.most_frequent.as_ref().map(Candidate::pair);
        let strong = ui.visuals().strong_text_color();
        let accent = ui.visuals().selection.stroke.color;
        egui::Grid::new("wordpiece-scores")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for h in ["pair", "count(ab)", "count(a)", "count(b)", "score", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                let mut rows: Vec<&Candidate> = s.candidates.iter().collect();
                if let Some(f) = &s.most_frequent
                    && !rows.iter().any(|c| c.pair() == f.pair())
                {
                    rows.push(f);
                }
                for c in rows {
                    let pair = c.pair();
                    let is_best = Some(&pair) == best.as_ref();
                    let is_frequent = Some(&pair) == frequent.as_ref();
                    let name = RichText::new(&pair).monospace();
                    ui.label(if is_best || is_frequent {
                        name.color(strong).strong()
                    } else {
                        name
                    });
                    ui.label(c.count_ab.to_string());
                    ui.label(c.count_a.to_string());
                    ui.label(c.count_b.to_string());
                    ui.label(format!("{:.3e}", c.score)).on_hover_text(format!(
                        "{} ÷ ({} × {}) = {:.3e}",
                        c.count_ab, c.count_a, c.count_b, c.score
                    ));
                    let mut note = Vec::new();
                    if is_best {
                        note.push("← WordPiece's pick");
                    }
                    if is_frequent {
                        note.push("← most frequent: BPE's pick");
                    }
                    ui.label(RichText::new(note.join(", ")).color(accent));
                    ui.end_row();
                }
            });
        if !s.merges.is_empty() {
            ui.add_space(4.0);
            let list: Vec<String> = s.merges.iter().map(|m| m.0.clone()).collect();
            ui.label(format!(
                "The trainer's first {} merges: {}",
                list.len(),
                list.join(" · ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_while_counting_keeps_one_worker_and_ends_on_the_last_text() {
        let ctx = egui::Context::default();
        let mut view = WordPieceScoresView::default();
        let texts: Vec<TrainSource> = ["hug pug", "hug pug hug", "hug pug hug pun"]
            .iter()
            .map(|t| TrainSource::Own(t.repeat(50)))
            .collect();
        for t in &texts {
            view.ensure(t);
        }
        // Only the first text is being counted; the others wait for it.
        assert_eq!(view.key.as_ref(), Some(&texts[0]));
        let start = std::time::Instant::now();
        while (view.busy() || view.key.as_ref() != Some(&texts[2]))
            && start.elapsed().as_secs() < 30
        {
            view.poll(&ctx);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(view.key.as_ref(), Some(&texts[2]));
        assert!(!view.busy() && view.scores.is_some());
    }

    #[test]
    fn the_table_agrees_with_the_trainer() {
        let text = "hug hug hug hug hug hug hug hug hug hug pug pug pug pug pug \
                    hugs hugs hugs hugs hugs";
        let s = compute(text);
        let top = s.candidates.first().expect("a candidate");
        // The module's worked example: count(##u ##g) = 20, 20 / (20 × 20).
        assert_eq!(top.pair(), "##u + ##g");
        assert_eq!((top.count_ab, top.count_a, top.count_b), (20, 20, 20));
        for c in &s.candidates {
            let own = c.count_ab as f64 / (c.count_a as f64 * c.count_b as f64);
            assert!((own - c.score).abs() < 1e-12, "{c:?}");
        }
        assert!(s.merges[0].0.ends_with("→ ##ug"), "{:?}", s.merges);
        assert_eq!(s.most_frequent.map(|c| c.count_ab), Some(20));
    }
}
