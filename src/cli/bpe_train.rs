//! `llm-lens bpe-train`: trains byte-level BPE on a file and writes its merges.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::model::tokenize::bpe_train::{self, BpeConfig};

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
    let corpus = std::fs::read_to_string(&args.corpus)
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
