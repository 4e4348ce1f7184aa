//! `llm-lens train-bert`: pre-trains a small BERT on a corpus with the project's
//! own trainer, checkpointing into `--out` so `--resume` continues after any stop.
//!
//! The run folder holds `checkpoint/` (weights, AdamW state, counters), `log.csv`
//! (training curve), `eval.csv` (held-out scores) and, at the end, `model/` (a
//! Hugging Face folder the app and PyTorch load).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::model::bert::config::{Activation, BertConfig};
use crate::model::bert::train::checkpoint;
use crate::model::bert::train::data::{SpecialIds, TokenCorpus, split_indices, split_recent};
use crate::model::bert::train::eval::{EvalSet, EvalStats, evaluate};
use crate::model::bert::train::trainer::{StepStats, TrainConfig, Trainer};
use crate::model::bert::train::{MaskingPolicy, PretrainModel};
use crate::model::text::corpus::Corpus;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::basic::BasicTokenizer;
use crate::model::tokenize::wordpiece_train::WordPieceTrainer;

/// Pre-train a BERT (MLM + NSP) on a corpus and write a Hugging Face folder.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainBertArgs {
    /// The run folder (checkpoints, logs, the final model). Keep it outside the repository.
    #[arg(long)]
    pub out: PathBuf,
    /// Continue the run in `--out` from its last checkpoint (its settings win).
    #[arg(long)]
    pub resume: bool,
    /// A UTF-8 text file, or `builtin` for the shipped State of the Union corpus.
    #[arg(long, default_value = "builtin")]
    pub corpus: String,
    /// The most recent addresses kept out of training for evaluation.
    #[arg(long, default_value_t = 10)]
    pub held_out: usize,
    /// WordPiece vocabulary size, trained on the training addresses.
    #[arg(long, default_value_t = 8000)]
    pub vocab_size: usize,
    #[arg(long, default_value_t = 4)]
    pub layers: usize,
    #[arg(long, default_value_t = 128)]
    pub hidden: usize,
    #[arg(long, default_value_t = 4)]
    pub heads: usize,
    /// Longest pair in tokens.
    #[arg(long, default_value_t = 128)]
    pub seq_len: usize,
    /// Pair length before `--long-from`.
    #[arg(long, default_value_t = 64)]
    pub short_seq_len: usize,
    /// The update from which pairs are `--seq-len` long.
    #[arg(long, default_value_t = 0)]
    pub long_from: u64,
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    /// Updates in the whole run.
    #[arg(long, default_value_t = 20_000)]
    pub steps: u64,
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f32,
    #[arg(long, default_value_t = 1000)]
    pub warmup: u64,
    /// The update from which next-sentence prediction is trained (MLM alone before).
    #[arg(long, default_value_t = 0)]
    pub nsp_from: u64,
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f32,
    #[arg(long, default_value_t = 1.0)]
    pub clip: f32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Minutes between checkpoints.
    #[arg(long, default_value_t = 5.0)]
    pub checkpoint_minutes: f64,
    /// Updates between held-out evaluations.
    #[arg(long, default_value_t = 500)]
    pub eval_every: u64,
    /// Held-out pairs per evaluation.
    #[arg(long, default_value_t = 400)]
    pub eval_pairs: usize,
    /// Updates averaged into one line of `log.csv`.
    #[arg(long, default_value_t = 25)]
    pub log_every: u64,
    /// Stop (with a checkpoint) after this many minutes of this session; `--resume` continues.
    #[arg(long)]
    pub max_minutes: Option<f64>,
    /// Store the exported model in F16 (half the size).
    #[arg(long)]
    pub f16: bool,
}

const LOG_HEADER: &str =
    "step,tokens,loss,mlm_loss,nsp_loss,mlm_top1,nsp_acc,lr,grad_norm,tokens_per_s,elapsed_s";
const EVAL_HEADER: &str = "step,tokens,elapsed_s,seq_len,mlm_top1,mlm_top5,mlm_loss,nsp_acc";

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The vocabulary: trained on the training addresses with the project's
/// WordPiece trainer (pairs seen fewer than 5 times are never merged).
fn train_vocab(corpus: &Corpus, held_out: usize, size: usize) -> Result<WordPiece, String> {
    let docs = corpus.documents();
    let mut text = String::new();
    for i in split_indices(corpus, held_out).0 {
        text.push_str(&docs[i].text);
        text.push('\n');
    }
    let mut trainer = WordPieceTrainer::new(&text, size, 5);
    while trainer.step().is_some() {}
    trainer.finish().map_err(err)
}

/// Loads the corpus, builds or restores the run, trains, evaluates and exports.
/// Refuses settings that could only exhaust memory or make no sense, in one line.
fn check_args(args: &TrainBertArgs) -> Result<(), String> {
    let within = |name: &str, v: usize, lo: usize, hi: usize| {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(format!("--{name} must be between {lo} and {hi}"))
        }
    };
    within("seq-len", args.seq_len, 5, 512)?;
    within("short-seq-len", args.short_seq_len, 5, 512)?;
    within("batch", args.batch, 1, 4096)?;
    within("vocab-size", args.vocab_size, 10, 200_000)?;
    within("threads", args.threads, 1, 256)?;
    within("eval-pairs", args.eval_pairs, 1, 100_000)?;
    if args.log_every == 0 || args.eval_every == 0 {
        return Err("--log-every and --eval-every must be at least 1".into());
    }
    if !(args.lr.is_finite() && args.lr > 0.0 && args.clip.is_finite()) {
        return Err("--lr must be a positive number and --clip a number".into());
    }
    Ok(())
}

pub fn run(args: &TrainBertArgs) -> Result<(), String> {
    check_args(args)?;
    let started = Instant::now();
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let corpus = if args.corpus == "builtin" {
        Corpus::builtin().clone()
    } else {
        Corpus::from_file(&args.corpus).map_err(err)?
    };

    let (mut trainer, tokenizer, elapsed_before) = if args.resume {
        let restored = checkpoint::load(&args.out).map_err(err)?;
        let tokenizer =
            WordPiece::from_vocab_txt(&restored.vocab, BasicTokenizer::uncased()).map_err(err)?;
        let split = split_recent(&corpus, &tokenizer, args.held_out);
        let (m, v) = restored.moments;
        let config = restored.state.train.clone();
        let mut trainer = build(config, restored.model, split.train, &tokenizer)?;
        trainer.optimizer.restore(restored.state.step, m, v);
        trainer.resume_at(restored.state.step, restored.state.tokens);
        trim_csv(&args.out.join("log.csv"), restored.state.step);
        trim_csv(&args.out.join("eval.csv"), restored.state.step);
        eprintln!(
            "resuming at update {} of {} ({:.0} min trained so far)",
            restored.state.step,
            restored.state.train.steps,
            restored.state.elapsed_s / 60.0
        );
        (trainer, tokenizer, restored.state.elapsed_s)
    } else {
        if args.out.join("checkpoint").exists() {
            return Err(format!(
                "{} already holds a run: add --resume to continue it, or choose another --out",
                args.out.display()
            ));
        }
        eprintln!("training a {}-token WordPiece vocabulary…", args.vocab_size);
        let tokenizer = train_vocab(&corpus, args.held_out, args.vocab_size)?;
        let model_config = BertConfig {
            vocab_size: tokenizer.vocab_size(),
            hidden_size: args.hidden,
            num_hidden_layers: args.layers,
            num_attention_heads: args.heads,
            intermediate_size: 4 * args.hidden,
            hidden_act: Activation::Gelu,
            max_position_embeddings: args.seq_len.max(args.short_seq_len),
            type_vocab_size: 2,
            layer_norm_eps: 1e-12,
            position_embedding_type: None,
        };
        model_config.validate().map_err(err)?;
        let model = PretrainModel::random(&model_config, args.seed).map_err(err)?;
        let config = TrainConfig {
            seq_len: args.seq_len,
            short_seq_len: args.short_seq_len,
            long_from: args.long_from,
            batch: args.batch,
            steps: args.steps,
            lr: args.lr,
            warmup: args.warmup,
            weight_decay: args.weight_decay,
            clip: args.clip,
            nsp_from: args.nsp_from,
            seed: args.seed,
            threads: args.threads,
        };
        let split = split_recent(&corpus, &tokenizer, args.held_out);
        let trainer = build(config, model, split.train, &tokenizer)?;
        write_header(&args.out.join("log.csv"), LOG_HEADER)?;
        write_header(&args.out.join("eval.csv"), EVAL_HEADER)?;
        (trainer, tokenizer, 0.0)
    };

    let split = split_recent(&corpus, &tokenizer, args.held_out);
    let mut eval_set = eval_set(&tokenizer, Arc::new(split.held_out), &trainer.config, args)?;
    eprintln!(
        "{} parameters; {} training tokens, {} held-out addresses; {} threads",
        trainer.model.parameter_count(),
        split.train.token_count(),
        args.held_out,
        trainer.config.threads
    );

    let session = Instant::now();
    let mut last_checkpoint = Instant::now();
    let mut window = Window::start();
    let total = trainer.config.steps;
    let elapsed = |s: &Instant| elapsed_before + s.elapsed().as_secs_f64();
    while trainer.step < total {
        let stats = trainer.step().map_err(err)?;
        window.add(&stats);
        if stats.step % args.log_every == 0 || stats.step == total {
            let line = window.line(stats.step, trainer.tokens, elapsed(&session));
            append(&args.out.join("log.csv"), &line)?;
            progress(&window, stats.step, total, elapsed(&session));
            window = Window::start();
        }
        if stats.step % args.eval_every == 0 || stats.step == total {
            // Scored at the length being trained: positions past it are untrained.
            eval_set.seq_len = trainer.config.seq_len_at(stats.step);
            let e = evaluate(&trainer.model, &eval_set, trainer.config.threads).map_err(err)?;
            append(
                &args.out.join("eval.csv"),
                &eval_line(
                    stats.step,
                    trainer.tokens,
                    elapsed(&session),
                    eval_set.seq_len,
                    &e,
                ),
            )?;
            eprintln!(
                "\nheld-out at {}: top-1 {:.1} %, top-5 {:.1} %, NSP {:.1} %",
                stats.step,
                100.0 * e.top1_rate(),
                100.0 * e.top5_rate(),
                100.0 * e.nsp_rate()
            );
        }
        let out_of_time = args
            .max_minutes
            .is_some_and(|m| session.elapsed().as_secs_f64() > m * 60.0);
        if last_checkpoint.elapsed().as_secs_f64() > args.checkpoint_minutes * 60.0
            || out_of_time
            || trainer.step == total
        {
            checkpoint::save(&trainer, &tokenizer, elapsed(&session), &args.out).map_err(err)?;
            last_checkpoint = Instant::now();
        }
        if out_of_time {
            eprintln!(
                "\nstopped after {:.0} minutes at update {}; continue with --resume",
                session.elapsed().as_secs_f64() / 60.0,
                trainer.step
            );
            return Ok(());
        }
    }
    let dir = args.out.join("model");
    checkpoint::export(&trainer.model, &tokenizer, &dir, args.f16).map_err(err)?;
    eprintln!(
        "\ndone: {} updates, {} tokens, {:.1} min of training ({:.0} s this session); model in {}",
        trainer.step,
        trainer.tokens,
        elapsed(&session) / 60.0,
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}

fn build(
    config: TrainConfig,
    model: PretrainModel,
    train: TokenCorpus,
    tokenizer: &WordPiece,
) -> Result<Trainer, String> {
    let specials = SpecialIds::of(tokenizer).ok_or("the vocabulary has no [CLS] or [SEP] token")?;
    let policy = masking_policy(tokenizer)?;
    Trainer::new(config, model, Arc::new(train), specials, policy).map_err(err)
}

/// BERT's masking over this vocabulary: never the special tokens.
pub fn masking_policy(tokenizer: &WordPiece) -> Result<MaskingPolicy, String> {
    MaskingPolicy::for_tokenizer(tokenizer)
        .ok_or_else(|| "the vocabulary has no [MASK] token or no ordinary words".to_string())
}

fn eval_set(
    tokenizer: &WordPiece,
    corpus: Arc<TokenCorpus>,
    config: &TrainConfig,
    args: &TrainBertArgs,
) -> Result<EvalSet, String> {
    Ok(EvalSet {
        corpus,
        specials: SpecialIds::of(tokenizer).ok_or("the vocabulary has no [CLS] or [SEP] token")?,
        policy: masking_policy(tokenizer)?,
        seq_len: config.seq_len,
        pairs: args.eval_pairs,
        seed: 2018,
    })
}

/// Sums of the updates since the last log line.
#[derive(Default)]
struct Window {
    updates: u64,
    tokens: u64,
    loss: f64,
    mlm: f64,
    nsp: f64,
    nsp_updates: u64,
    masked: usize,
    correct: usize,
    nsp_pairs: usize,
    nsp_correct: usize,
    lr: f32,
    grad_norm: f64,
    started: Option<Instant>,
}

impl Window {
    /// An empty window whose clock starts now (so its tokens/s counts every
    /// update in it, and the logging and evaluation between them).
    fn start() -> Self {
        Self {
            started: Some(Instant::now()),
            ..Self::default()
        }
    }

    fn add(&mut self, s: &StepStats) {
        self.updates += 1;
        self.tokens += s.tokens;
        self.loss += s.losses.total();
        self.mlm += s.losses.mlm;
        if s.nsp {
            self.nsp += s.losses.nsp;
            self.nsp_updates += 1;
        }
        self.masked += s.losses.mlm_count;
        self.correct += s.losses.mlm_correct;
        self.nsp_pairs += s.losses.nsp_count;
        self.nsp_correct += s.losses.nsp_correct;
        self.lr = s.lr;
        self.grad_norm += s.grad_norm;
    }

    fn tokens_per_s(&self) -> f64 {
        let secs = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        self.tokens as f64 / secs.max(1e-9)
    }

    fn line(&self, step: u64, tokens: u64, elapsed: f64) -> String {
        let n = self.updates.max(1) as f64;
        format!(
            "{step},{tokens},{:.5},{:.5},{:.5},{:.5},{:.5},{:.3e},{:.4},{:.0},{:.1}",
            self.loss / n,
            self.mlm / n,
            self.nsp / self.nsp_updates.max(1) as f64,
            self.correct as f64 / self.masked.max(1) as f64,
            self.nsp_correct as f64 / self.nsp_pairs.max(1) as f64,
            self.lr,
            self.grad_norm / n,
            self.tokens_per_s(),
            elapsed
        )
    }
}

fn progress(w: &Window, step: u64, total: u64, elapsed: f64) {
    let n = w.updates.max(1) as f64;
    let rate = step as f64 / elapsed.max(1e-9);
    let eta = (total - step) as f64 / rate.max(1e-9);
    eprint!(
        "\rupdate {step}/{total}  loss {:.3}  MLM top-1 {:.1} %  NSP {:.1} %  {:.0} tokens/s  {:.0} min left   ",
        w.loss / n,
        100.0 * w.correct as f64 / w.masked.max(1) as f64,
        100.0 * w.nsp_correct as f64 / w.nsp_pairs.max(1) as f64,
        w.tokens_per_s(),
        eta / 60.0
    );
    let _ = std::io::stderr().flush();
}

fn eval_line(step: u64, tokens: u64, elapsed: f64, seq_len: usize, e: &EvalStats) -> String {
    format!(
        "{step},{tokens},{elapsed:.1},{seq_len},{:.5},{:.5},{:.5},{:.5}",
        e.top1_rate(),
        e.top5_rate(),
        e.mean_mlm_loss(),
        e.nsp_rate()
    )
}

fn write_header(path: &Path, header: &str) -> Result<(), String> {
    std::fs::write(path, format!("{header}\n")).map_err(|e| format!("{}: {e}", path.display()))
}

fn append(path: &Path, line: &str) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(f, "{line}").map_err(|e| format!("{}: {e}", path.display()))
}

/// Drops log rows after the checkpoint's update (they will be trained again).
fn trim_csv(path: &Path, step: u64) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let kept: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, line)| {
            *i == 0
                || line
                    .split(',')
                    .next()
                    .and_then(|s| s.parse::<u64>().ok())
                    .is_some_and(|s| s <= step)
        })
        .map(|(_, l)| l)
        .collect();
    let _ = std::fs::write(path, kept.join("\n") + "\n");
}
