//! `llm-lens bpe-train`: trains byte-level BPE on a file and writes its merges.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::cli::tokenize::MAX_TRAINING_TEXT_BYTES;
use crate::model::text::bounded;
use crate::model::tokenize::bpe_train::{self, BpeConfig};

/// Largest vocabulary asked for (GPT-4o's is about 200 k).
const MAX_VOCAB_SIZE: usize = 1 << 20;

#[derive(Debug, Clone, clap::Args)]
pub struct BpeTrainArgs {
    /// UTF-8 text to train on.
    #[arg(long)]
    pub corpus: std::path::PathBuf,
    /// Target vocabulary size (256 bytes + specials + merges).
    #[arg(long)]
    pub vocab_size: usize,
    /// Where to write the merges, one `"left right"` line each (GPT-2 visible bytes).
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Character-level instead of byte-level (unseen characters become [UNK]).
    #[arg(long)]
    pub chars: bool,
}

/// Trains, writes the merges file and prints the merge count and time.
pub fn run(args: &BpeTrainArgs) -> Result<(), String> {
    // 256 bytes and <|endoftext|> come first; fewer leaves no room for a merge.
    const BYTE_LEVEL_MIN: usize = 258;
    if !args.chars && !(BYTE_LEVEL_MIN..=MAX_VOCAB_SIZE).contains(&args.vocab_size) {
        return Err(format!(
            "--vocab-size must be {BYTE_LEVEL_MIN}–{MAX_VOCAB_SIZE} for byte-level BPE (256 bytes + <|endoftext|> + at least one merge), got {}",
            args.vocab_size
        ));
    }
    if args.vocab_size > MAX_VOCAB_SIZE {
        return Err(format!(
            "--vocab-size must be at most {MAX_VOCAB_SIZE}, got {}",
            args.vocab_size
        ));
    }
    let corpus = bounded::read_text(&args.corpus, MAX_TRAINING_TEXT_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", args.corpus.display()))?;
    let config = BpeConfig {
        vocab_size: args.vocab_size,
        byte_level: !args.chars,
        special_tokens: vec!["<|endoftext|>".to_string()],
        min_pair_count: 2,
    };
    let start = Instant::now();
    let model = bpe_train::train(&corpus, config, &AtomicBool::new(false), &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    if model.merges().is_empty() {
        return Err(format!(
            "no merge learned: --vocab-size {} leaves no room above the {} base tokens, or no pair occurs twice",
            args.vocab_size,
            model.vocab_size()
        ));
    }
    std::fs::write(&args.out, model.merges_text())
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    crate::outln!(
        "{} merges, vocab {} in {secs:.3} s ({:.1} MB of text) -> {}",
        model.merges().len(),
        model.vocab_size(),
        corpus.len() as f64 / 1e6,
        args.out.display()
    );
    Ok(())
}
