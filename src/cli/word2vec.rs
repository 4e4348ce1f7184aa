//! `llm-lens word2vec`: train word vectors from the command line.

use crate::model::text::corpus::Corpus;
use crate::model::word2vec::{Control, ModelKind, TrainerConfig, TrainingEvent, train};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Train word2vec on a corpus and save the vectors in the word2vec text format.
#[derive(clap::Args, Debug, Clone)]
pub struct Word2vecArgs {
    /// A UTF-8 text file, or `builtin` for the shipped State of the Union corpus.
    #[arg(long, default_value = "builtin")]
    pub corpus: String,
    #[arg(long, value_enum, default_value_t = ModelArg::Skipgram)]
    pub model: ModelArg,
    /// Vector length.
    #[arg(long, default_value_t = 100)]
    pub dim: usize,
    /// Largest context radius.
    #[arg(long, default_value_t = 5)]
    pub window: usize,
    /// Negative samples per target.
    #[arg(long, default_value_t = 5)]
    pub negative: usize,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = 5)]
    pub min_count: u64,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = 1e-3)]
    pub sample: f64,
    /// Initial learning rate.
    #[arg(long, default_value_t = 0.025)]
    pub alpha: f32,
    #[arg(long, default_value_t = 5)]
    pub epochs: usize,
    /// Worker threads (default: all cores). 1 gives a reproducible run.
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the vectors (word2vec text format).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the final statistics as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The two architectures, as typed on the command line.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelArg {
    Skipgram,
    Cbow,
}

/// Loads the corpus, trains with progress on stderr, prints words/s and the
/// final loss, and writes `--out`.
pub fn run(args: &Word2vecArgs) -> Result<(), String> {
    let t = Instant::now();
    let owned;
    let corpus: &Corpus = if args.corpus == "builtin" {
        Corpus::builtin()
    } else {
        owned = Corpus::from_file(&args.corpus).map_err(|e| e.to_string())?;
        &owned
    };
    let load_seconds = t.elapsed().as_secs_f64();
    let defaults = TrainerConfig::default();
    let config = TrainerConfig {
        model: match args.model {
            ModelArg::Skipgram => ModelKind::SkipGram,
            ModelArg::Cbow => ModelKind::Cbow,
        },
        dim: args.dim,
        window: args.window,
        negative: args.negative,
        min_count: args.min_count,
        sample: args.sample,
        alpha: args.alpha,
        min_alpha: defaults.min_alpha.min(args.alpha),
        epochs: args.epochs,
        threads: args.threads.unwrap_or(defaults.threads),
        seed: args.seed,
        snapshot_top_n: 0,
        progress_every_ms: 1000,
        ..defaults
    };
    let mut stderr = std::io::stderr();
    let mut sink = |e: TrainingEvent| match e {
        TrainingEvent::Started {
            vocab_size,
            words,
            raw_words,
        } => {
            let _ = writeln!(
                stderr,
                "corpus: {raw_words} words, vocabulary {vocab_size} (min_count {}), {words} words kept",
                args.min_count
            );
        }
        TrainingEvent::Progress {
            fraction,
            epoch,
            words_per_sec,
            loss,
            alpha,
            ..
        } => {
            let _ = writeln!(
                stderr,
                "{:5.1}%  epoch {epoch}  {:.0} words/s  loss {loss:.4}  alpha {alpha:.5}",
                fraction * 100.0,
                words_per_sec
            );
        }
        _ => {}
    };
    let result =
        train(corpus, &config, &Control::default(), &mut sink).map_err(|e| e.to_string())?;
    let s = &result.stats;
    if args.json {
        let json = serde_json::json!({
            "corpus_load_seconds": load_seconds,
            "model": format!("{:?}", config.model),
            "stats": s,
        });
        crate::outln!("{json}");
    } else {
        crate::outln!(
            "{:?}: {} words x {} epochs in {:.2} s on {} thread(s): {:.0} words/s ({:.0} effective words/s after subsampling)",
            config.model,
            s.words,
            s.epochs,
            s.train_seconds,
            s.threads,
            s.words_per_sec,
            s.effective_words_per_sec
        );
        crate::outln!(
            "final loss {:.4} (mean per example, last epoch); vocabulary {}; corpus loaded in {:.3} s, prepared in {:.3} s",
            s.final_loss,
            s.vocab_size,
            load_seconds,
            s.prepare_seconds
        );
        if let Some(cpu) = s.train_cpu_seconds {
            crate::outln!(
                "training CPU time {cpu:.2} s: {:.0} effective words per CPU second",
                s.effective_words as f64 / cpu
            );
        }
    }
    if let Some(out) = &args.out {
        result.vectors.save_text(out).map_err(|e| e.to_string())?;
        if !args.json {
            crate::outln!("vectors written to {}", out.display());
        }
    }
    Ok(())
}
