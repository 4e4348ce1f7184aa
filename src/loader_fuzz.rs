//! Mutation fuzzing of every loader a learner can point at a file: word2vec vectors,
//! `vocab.txt`, `tokenizer.json`, `config.json`, `model.safetensors` and the settings
//! file. Each target starts from valid seeds, mutates their bytes (bit flips, splices,
//! repeats, "interesting" tokens such as `NaN` or `-1`) and checks the loader's
//! promise: no panic, and an error that is one line of at most 300 characters; a file that
//! loads must be usable. `examples/fuzz_loaders.rs` runs long campaigns, the tests
//! short ones. (cargo-fuzz needs crates this offline build does not have.)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::model::bert::config::BertConfig;
use crate::model::bert::forward::{ForwardOptions, forward};
use crate::model::bert::weights::BertWeights;
use crate::model::numerics::rng::SplitMix64;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::basic::BasicTokenizer;
use crate::model::word2vec::Embeddings;

/// Longest mutated input, so a campaign's speed does not drift with input growth.
const MAX_INPUT: usize = 64 << 10;
/// Longest error message a loader may give, in characters (the measure: a
/// quoted emoji is one character but four bytes).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The loaders fuzzed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Vectors,
    VocabTxt,
    TokenizerJson,
    Config,
    Safetensors,
    Settings,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Vectors,
        Target::VocabTxt,
        Target::TokenizerJson,
        Target::Config,
        Target::Safetensors,
        Target::Settings,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Vectors => "vectors",
            Target::VocabTxt => "vocab-txt",
            Target::TokenizerJson => "tokenizer-json",
            Target::Config => "config",
            Target::Safetensors => "safetensors",
            Target::Settings => "settings",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// What a campaign found.
#[derive(Debug, Default)]
pub struct Report {
    pub executions: u64,
    /// Inputs that broke a promise, with why (at most 20 kept).
    pub findings: Vec<(Vec<u8>, String)>,
    pub finding_count: u64,
    /// Inputs that loaded.
    pub loaded: u64,
    pub slowest: Duration,
}

const VOCAB: &str =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncat\nsat\non\nmat\n.\n##s\nbank\n##ing\n";

fn micro_config() -> BertConfig {
    BertConfig {
        vocab_size: 16,
        hidden_size: 8,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 32,
        ..BertConfig::tiny()
    }
}

/// Valid inputs of `target` to start from.
fn seeds(target: Target) -> Vec<Vec<u8>> {
    let s = |t: &str| t.as_bytes().to_vec();
    match target {
        Target::Vectors => vec![
            s("3 2\nking 0.9 0.8\nqueen 0.85 0.9\ncarrot -0.7 0.1\n"),
            s("king 1 0 0.5\nqueen 0.9 0.1 -2e-3\nthe 0 0 0\n"),
        ],
        Target::VocabTxt => vec![s(VOCAB)],
        Target::TokenizerJson => {
            let json = serde_json::json!({
                "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": 100,
                    "vocab": VOCAB.lines().enumerate().map(|(i, t)| (t.to_string(), serde_json::Value::from(i))).collect::<serde_json::Map<String, serde_json::Value>>()},
                "normalizer": {"type": "BertNormalizer", "lowercase": true, "clean_text": true, "handle_chinese_chars": true, "strip_accents": null},
                "pre_tokenizer": {"type": "BertPreTokenizer"},
                "added_tokens": [{"id": 0, "content": "[PAD]"}, {"id": 4, "content": "[MASK]"}]
            });
            vec![json.to_string().into_bytes()]
        }
        Target::Config => {
            let json = serde_json::to_string_pretty(&micro_config()).unwrap_or_default();
            vec![json.into_bytes()]
        }
        Target::Safetensors => BertWeights::random(&micro_config(), 1)
            .and_then(|w| w.to_safetensors_bytes())
            .into_iter()
            .collect(),
        Target::Settings => vec![s(
            "{\"window\":\"(normal_geometry:(outer_position_pixels:Some((x:100.0,y:50.0)),scale_factor:1.0,inner_size_points:(x:1000.0,y:700.0)),fullscreen:false,maximized:false)\",\"app\":\"(sentence:\\\"I withdrew money\\\",lesson:History,steps:{},dark:false,zoom:1.0,presentation:false)\"}",
        )],
    }
}

const INTERESTING: &[&str] = &[
    "NaN",
    "inf",
    "-1",
    "0",
    "1e39",
    "-1e45",
    "4294967296",
    "18446744073709551616",
    "\u{feff}",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "null",
    "true",
    "[UNK]",
    "##",
    "\u{0}",
    "é",
    "👩‍👩‍👧",
];

/// One to four random edits of `input`, sometimes splicing in `other`.
fn mutate(rng: &mut SplitMix64, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(8) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] = rng.next_u64() as u8;
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at.min(end)..end);
            }
            3 => {
                let t = INTERESTING[rng.below(INTERESTING.len())];
                b.splice(at..at, t.bytes());
            }
            4 => {
                let end = (at + 1 + rng.below(32)).min(b.len());
                let piece = b[at.min(end)..end].to_vec();
                for _ in 0..1 + rng.below(8) {
                    b.splice(at..at, piece.iter().copied());
                }
            }
            5 if !other.is_empty() => {
                let s = rng.below(other.len());
                let e = (s + 1 + rng.below(64)).min(other.len());
                b.splice(at..at, other[s..e].iter().copied());
            }
            6 => {
                let digits = rng.next_u64().to_string();
                b.splice(at..at, digits.bytes());
            }
            _ => b.truncate(at),
        }
    }
    b.truncate(MAX_INPUT);
    b
}

/// An error message broke the rules: several lines, or longer than allowed.
fn bad_message(msg: &str) -> Option<String> {
    let chars = msg.chars().count();
    if chars > MAX_MESSAGE_CHARS || msg.contains('\n') {
        let cut: String = msg.chars().take(120).collect();
        return Some(format!("error of {chars} characters: {cut}…"));
    }
    None
}

/// Runs `target`'s loader on `input`. `Ok(true)` when it loaded, `Ok(false)` for a
/// clean refusal, `Err` for a broken promise (a saved finding replays through here).
pub fn check(target: Target, input: &[u8]) -> Result<bool, String> {
    let text = || String::from_utf8_lossy(input);
    let refused = |msg: String| bad_message(&msg).map_or(Ok(false), Err);
    match target {
        Target::Vectors => match Embeddings::read_text(input, input.len() as u64, &mut |_| true) {
            Ok(e) => {
                for w in e.words().iter().take(3) {
                    let near = e.nearest(w, 3).map_err(|e| e.to_string())?;
                    if near.iter().any(|n| !n.similarity.is_finite()) {
                        return Err(format!("a similarity to {w:?} is not finite"));
                    }
                }
                Ok(true)
            }
            Err(e) => refused(e.to_string()),
        },
        Target::VocabTxt => match WordPiece::from_vocab_txt(&text(), BasicTokenizer::uncased()) {
            Ok(wp) => {
                wp.encode("The cat sat on the bank's mat.");
                wp.encode(&text());
                Ok(true)
            }
            Err(e) => refused(e.to_string()),
        },
        Target::TokenizerJson => match WordPiece::from_tokenizer_json(&text()) {
            Ok(wp) => {
                wp.encode_pair("The cat sat.", &text());
                Ok(true)
            }
            Err(e) => refused(e.to_string()),
        },
        Target::Config => match BertConfig::from_json_str(&text()) {
            Ok(c) => {
                c.parameter_count();
                Ok(true)
            }
            Err(e) => refused(e.to_string()),
        },
        Target::Safetensors => match BertWeights::from_safetensors_bytes(&micro_config(), input) {
            Ok(w) => {
                let wp = WordPiece::from_vocab_txt(VOCAB, BasicTokenizer::uncased())
                    .map_err(|e| e.to_string())?;
                let trace = forward(&w, &wp.encode("the cat sat"), &ForwardOptions::default())
                    .map_err(|e| e.to_string())?;
                if trace
                    .hidden_states()
                    .iter()
                    .any(|h| h.iter().any(|x| !x.is_finite()))
                {
                    return Err("a checkpoint that loads gave non-finite hidden states".into());
                }
                Ok(true)
            }
            Err(e) => refused(e.to_string()),
        },
        Target::Settings => match crate::settings_file::repaired(&text()) {
            Some(fixed) => match crate::settings_file::repaired(&fixed) {
                None => Ok(true),
                Some(_) => Err("repairing twice changed the file again".into()),
            },
            None => Ok(false),
        },
    }
}

/// Fuzzes `target` for `iterations` inputs (or until `deadline`) from `seed`.
pub fn run(target: Target, iterations: u64, seed: u64, deadline: Option<Instant>) -> Report {
    let pool = seeds(target);
    let mut corpus = pool.clone();
    let mut rng = SplitMix64::new(seed);
    let mut report = Report::default();
    for i in 0..iterations {
        if i % 1024 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let base = &corpus[rng.below(corpus.len())];
        let other = &pool[rng.below(pool.len())];
        let input = mutate(&mut rng, base, other);
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| check(target, &input)));
        report.slowest = report.slowest.max(start.elapsed());
        report.executions += 1;
        let why = match outcome {
            Ok(Ok(loaded)) => {
                if loaded {
                    report.loaded += 1;
                    // Inputs that still load are good bases for deeper mutations.
                    if corpus.len() < 256 {
                        corpus.push(input);
                    } else {
                        let k = rng.below(corpus.len());
                        corpus[k] = input;
                    }
                }
                continue;
            }
            Ok(Err(why)) => why,
            Err(payload) => format!(
                "panic: {}",
                crate::panic_guard::payload_text(payload.as_ref())
            ),
        };
        report.finding_count += 1;
        if report.findings.len() < 20 {
            report.findings.push((input, why));
        }
    }
    report
}
