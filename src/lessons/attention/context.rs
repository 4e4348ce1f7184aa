//! Step "why-context": the course's two *bank* sentences read by the built-in BERT.
//! The static vector of *bank* (its row of the input word-embedding table) is the
//! same in both; the contextual one (the last layer's hidden state) is not. Then the
//! same comparison for any word of the learner's sentence against a second sentence,
//! and the count of scores attention computes for the learner's sentence.

use std::sync::Arc;

use crate::job::Recompute;
use crate::lessons::LessonContext;
use crate::lessons::bert::quote;
use crate::lessons::cache_key::ArcKey;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::contextual::{Lookup, Reading, cosine, max_diff, read_alone, read_word, words};

pub const RIVER: &str = "Write a poem about a man fishing on a river bank.";
pub const MONEY: &str = "Write a poem about a man withdrawing money from a bank.";
/// The words every vector is compared with.
pub const REFERENCES: [&str; 2] = ["money", "river"];
/// Dimensions printed of each vector.
const DIMS: usize = 6;
/// Word chips offered from the learner's sentence.
const MAX_CHIPS: usize = 40;

/// Everything the view draws, computed once per input.
pub struct Computed {
    /// The reference words, each read alone.
    refs: Vec<Reading>,
    /// *bank* in the river sentence and in the money sentence.
    course: [Lookup; 2],
    /// The learner's words (the model's spelling) and the one compared.
    words: Vec<String>,
    pub word: String,
    /// The learner's word in their sentence and in the second one.
    mine: [Lookup; 2],
    /// Tokens of the learner's sentence as the model reads it, and whether it was cut.
    tokens: usize,
    cut: bool,
}

type Key = (String, String, Option<String>, ArcKey<PretrainedBert>);

pub struct State {
    /// The word picked in the learner's sentence (`None`: *bank* if there, else the first).
    pub word: Option<String>,
    /// The sentence the learner's word is compared against.
    pub second: String,
    /// Recomputed when the sentences, the word or the model change; on a worker once
    /// it has proved slow (six forward passes).
    cache: Recompute<Key, Result<Computed, String>>,
}

impl State {
    /// Whether a newer comparison is being computed on a worker.
    pub fn busy(&self) -> bool {
        self.cache.busy()
    }
}

impl Default for State {
    fn default() -> Self {
        Self {
            word: None,
            second: RIVER.to_owned(),
            cache: Recompute::default(),
        }
    }
}

fn compute(
    bert: &PretrainedBert,
    sentence: &str,
    second: &str,
    wanted: Option<&str>,
) -> Result<Computed, String> {
    let refs = REFERENCES
        .iter()
        .map(|w| read_alone(bert, w))
        .collect::<Result<Vec<_>, _>>()?;
    let course = [
        read_word(bert, RIVER, "bank")?,
        read_word(bert, MONEY, "bank")?,
    ];
    let full = bert.model.encode(sentence, None);
    let n_full = full.len();
    let input = bert.fit(full);
    let words: Vec<String> = words(&input, sentence)
        .into_iter()
        .map(|w| w.text)
        .collect();
    let word = wanted
        .filter(|w| words.iter().any(|x| x == w))
        .or_else(|| words.iter().find(|w| *w == "bank").map(String::as_str))
        .or_else(|| words.first().map(String::as_str))
        .unwrap_or_default()
        .to_owned();
    let mine = [
        read_word(bert, sentence, &word)?,
        read_word(bert, second, &word)?,
    ];
    Ok(Computed {
        refs,
        course,
        words,
        word,
        mine,
        tokens: input.len(),
        cut: input.len() < n_full,
    })
}

pub fn show(
    ui: &mut egui::Ui,
    state: &mut State,
    cx: &LessonContext<'_>,
    bert: Option<&Arc<PretrainedBert>>,
) {
    ui.strong("The same word in two sentences: static and contextual vectors");
    let Some(bert) = bert else {
        super::loading_notice(ui);
        return;
    };
    let key = (
        cx.sentence.to_owned(),
        state.second.clone(),
        state.word.clone(),
        ArcKey(bert.clone()),
    );
    let Some(result) = state
        .cache
        .get(ui.ctx(), &key, |(sentence, second, word, bert)| {
            compute(&bert.0, sentence, second, word.as_deref())
        })
    else {
        super::loading_notice(ui);
        return;
    };
    let c = match result {
        Ok(c) => c,
        Err(e) => {
            ui.colored_label(ui.visuals().warn_fg_color, e);
            return;
        }
    };
    ui.label(format!("A: \"{RIVER}\"\nB: \"{MONEY}\""));
    comparison(ui, "course", "bank", &c.course, &c.refs);
    if let [Lookup::Found(a), Lookup::Found(b)] = &c.course {
        let lean = |r: &Reading| {
            cosine(&r.contextual, &c.refs[1].contextual)
                - cosine(&r.contextual, &c.refs[0].contextual)
        };
        let (la, lb) = (lean(a), lean(b));
        ui.label(format!(
            "Contextual bank, cos with river − cos with money: A {la:+.3}, B {lb:+.3}. {}",
            if la > lb {
                "It leans further towards river in the river sentence: the model tells the two senses apart."
            } else {
                "It does not lean further towards river in the river sentence: this model does not separate the two senses here."
            }
        ));
    }

    ui.separator();
    ui.strong("Your word, in your sentence and in another");
    let mut picked = None;
    ui.horizontal_wrapped(|ui| {
        ui.label("Word:");
        for w in c.words.iter().take(MAX_CHIPS) {
            // A chip shows at most 24 characters of a (possibly huge) unknown word.
            let label = match w.char_indices().nth(24) {
                Some((at, _)) => format!("{}…", &w[..at]),
                None => w.clone(),
            };
            if ui.selectable_label(*w == c.word, label).clicked() {
                picked = Some(w.clone());
            }
        }
        if c.words.len() > MAX_CHIPS {
            ui.weak(format!(
                "(the first {MAX_CHIPS} of {} words)",
                c.words.len()
            ));
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("Second sentence:");
        ui.add(
            egui::TextEdit::singleline(&mut state.second)
                .char_limit(300)
                .desired_width((ui.available_width() - 70.0).max(120.0)),
        )
        .labelled_by(l.id);
        if ui.button("Reset").clicked() {
            state.second = RIVER.to_owned();
        }
    });
    if c.words.is_empty() {
        ui.label("Your sentence has no word this model can read.");
    } else {
        ui.label(format!(
            "A: {}\nB: {}",
            quote(cx.sentence),
            quote(&state.second)
        ));
        comparison(ui, "yours", &c.word, &c.mine, &c.refs);
    }

    ui.separator();
    let n = c.tokens;
    let cfg = &bert.model.config;
    ui.label(format!(
        "Your sentence is {n} tokens for this model ([CLS] and [SEP] included{}), so attention computes {n} × {n} = {} scores: one for every pair of tokens, each token with itself included. The built-in model does that in each of its {} heads in each of its {} layers.",
        if c.cut {
            format!("; cut to its {} positions", bert.max_tokens())
        } else {
            String::new()
        },
        n * n,
        cfg.num_attention_heads,
        cfg.num_hidden_layers,
    ));
    if picked.is_some() {
        state.word = picked;
    }
}

/// The table of one word in sentences A and B: first dimensions and cosines to
/// the references, static rows against their static vectors, contextual rows
/// against their contextual ones; then what differs.
fn comparison(ui: &mut egui::Ui, id: &str, word: &str, looks: &[Lookup; 2], refs: &[Reading]) {
    let shown = quote(word);
    let mut found: Vec<(&str, &Reading)> = Vec::new();
    for (name, look) in ["A", "B"].into_iter().zip(looks) {
        match look {
            Lookup::Found(r) => found.push((name, r)),
            Lookup::Absent => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{shown} is not in sentence {name}: add it there to compare."),
                );
            }
            Lookup::PastTheEnd { max } => {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("{shown} comes only after the model's first {max} tokens in sentence {name}."),
                );
            }
        }
    }
    if let Some((_, r)) = found.first()
        && r.pieces.len() > 1
    {
        ui.small(format!(
            "{shown} is cut into {}: each vector is the mean of its pieces' vectors.",
            r.pieces.join(" ")
        ));
    }
    let hidden = found.first().map_or(0, |(_, r)| r.static_vec.len());
    type Pick = fn(&Reading) -> &Vec<f32>;
    let kinds: [(&str, Pick); 2] = [
        ("static", |r| &r.static_vec),
        ("contextual", |r| &r.contextual),
    ];
    // (label, which vector, reading) for static A, static B, contextual A, contextual B.
    let rows = || {
        kinds.iter().flat_map(|&(kind, pick)| {
            found
                .iter()
                .map(move |&(name, r)| (format!("{kind}, {name}"), pick, r))
        })
    };
    ui.label(format!(
        "{shown}: the first {DIMS} of its {hidden} numbers, and its cosine similarity with money and river (static rows with their static vectors, contextual rows with their contextual vectors when each is read alone):"
    ));
    egui::ScrollArea::horizontal()
        .id_salt(("context-scroll", id))
        .show(ui, |ui| {
            egui::Grid::new(("context-table", id))
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    ui.label("");
                    ui.strong(format!("first {DIMS} numbers"));
                    for r in REFERENCES {
                        ui.strong(format!("cos {r}"));
                    }
                    ui.end_row();
                    for (label, pick, r) in rows() {
                        ui.label(label);
                        let dims: Vec<String> = pick(r)
                            .iter()
                            .take(DIMS)
                            .map(|x| format!("{x:+.2}"))
                            .collect();
                        ui.monospace(dims.join(" "));
                        for reference in refs {
                            ui.monospace(format!("{:+.3}", cosine(pick(r), pick(reference))));
                        }
                        ui.end_row();
                    }
                });
        });
    if let [(_, a), (_, b)] = found[..] {
        let same = max_diff(&a.static_vec, &b.static_vec);
        ui.label(if same == 0.0 {
            format!(
                "Static: the {hidden} numbers are identical in A and B (the same row of the table)."
            )
        } else {
            format!("Static: A and B differ by up to {same:.2e}.")
        });
        ui.label(format!(
            "Contextual: A and B differ by up to {:.3}; the cosine between the two is {:+.3}.",
            max_diff(&a.contextual, &b.contextual),
            cosine(&a.contextual, &b.contextual)
        ));
    }
}
