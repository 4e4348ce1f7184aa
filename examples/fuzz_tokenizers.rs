//! Fuzz harness for the tokenisers: runs every tokeniser of the Tokenisation lesson on
//! inputs and checks `model::tokenize::invariants`. Inputs come from files given as
//! arguments (a crash corpus, or any text), or are generated: `--random N [--seed S]`
//! mutates a pool of adversarial strings (splices, repeats, random code points).
//!
//!     cargo run --release --example fuzz_tokenizers -- --random 100000
//!     cargo run --release --example fuzz_tokenizers -- crashes/*.txt
//!
//! A failing input is written to `fuzz-failure-<n>.txt` and the exit status is 1.

use std::sync::atomic::AtomicBool;

use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::tokenize::invariants::check;
use llm_lens::model::tokenize::suite::{SuiteConfig, train_suite};
use llm_lens::model::tokenize::tiktoken_bpe::TiktokenBpe;

const SEEDS: &[&str] = &[
    "I withdrew money from the bank.",
    "👩‍👩‍👧‍👦🇺🇸🏳️‍🌈",
    "<|endoftext|>",
    "1234567890123",
    "   \t\n\r\n  ",
    "e\u{301}\u{302}",
    "مرحبا بالعالم",
    "שלום",
    "銀行今天關門",
    "ＡＢＣ１２３",
    "\u{200b}\u{200d}\u{feff}",
    "'s 'll 've 're",
];

fn mutate(rng: &mut SplitMix64, pool: &[String]) -> String {
    let mut s = pool[rng.below_u32(pool.len() as u32) as usize].clone();
    for _ in 0..1 + rng.below_u32(4) {
        match rng.below_u32(4) {
            0 => s.push_str(&pool[rng.below_u32(pool.len() as u32) as usize]),
            1 => {
                let c = char::from_u32(rng.below_u32(0x11_0000)).unwrap_or('\u{fffd}');
                let at = s
                    .char_indices()
                    .map(|(i, _)| i)
                    .nth(rng.below_u32(s.chars().count() as u32 + 1) as usize)
                    .unwrap_or(s.len());
                s.insert(at, c);
            }
            2 => {
                let n = 1 + rng.below_u32(50) as usize;
                let piece: String = s.chars().take(3).collect();
                s.push_str(&piece.repeat(n));
            }
            _ => {
                let keep = rng.below_u32(s.chars().count() as u32 + 1) as usize;
                s = s.chars().skip(keep / 2).collect();
            }
        }
    }
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = llm_lens::model::text::corpus::Corpus::builtin()
        .documents()
        .iter()
        .take(3)
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let config = SuiteConfig {
        word_vocab: 2000,
        bpe_vocab: 600,
        wordpiece_vocab: 400,
        unigram_vocab: 400,
    };
    let suite = match train_suite(
        &corpus,
        "fuzz",
        config,
        &AtomicBool::new(false),
        &mut |_, _| {},
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("training failed: {e}");
            std::process::exit(2);
        }
    };
    let real: Vec<&TiktokenBpe> = [
        TiktokenBpe::r50k(),
        TiktokenBpe::cl100k(),
        TiktokenBpe::o200k(),
    ]
    .into_iter()
    .filter_map(Result::ok)
    .collect();
    let mut inputs: Vec<String> = Vec::new();
    let mut random = 0usize;
    let mut seed = 1u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--random" => random = it.next().and_then(|n| n.parse().ok()).unwrap_or(10_000),
            "--seed" => seed = it.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            path => match std::fs::read(path) {
                Ok(bytes) => inputs.push(String::from_utf8_lossy(&bytes).into_owned()),
                Err(e) => eprintln!("skipping {path}: {e}"),
            },
        }
    }
    let pool: Vec<String> = SEEDS.iter().map(|s| s.to_string()).collect();
    let mut rng = SplitMix64::new(seed);
    let total = inputs.len() + random;
    let mut failures = 0;
    for i in 0..total {
        let text = if i < inputs.len() {
            inputs[i].clone()
        } else {
            mutate(&mut rng, &pool)
        };
        if let Err(e) = check(&text, &suite, &real) {
            failures += 1;
            let path = format!("fuzz-failure-{failures}.txt");
            let _ = std::fs::write(&path, &text);
            eprintln!("{e} (input saved to {path})");
        }
    }
    println!("{total} inputs, {failures} failures");
    if failures > 0 {
        std::process::exit(1);
    }
}
