//! `llm-lens fill-mask` and `llm-lens eval-mlm`: what a BERT puts in a blank, and
//! how often it is right on the held-out addresses.

use std::sync::Arc;

use super::model_arg::load_model;
use super::train_bert::masking_policy;
use crate::model::bert::ForwardOptions;
use crate::model::bert::train::checkpoint::read_heads;
use crate::model::bert::train::data::{SpecialIds, split_recent};
use crate::model::bert::train::eval::{EvalSet, evaluate};
use crate::model::bert::train::{PretrainHeads, PretrainModel};
use crate::model::text::corpus::Corpus;

/// Arguments of `llm-lens fill-mask`.
#[derive(Debug, Clone, clap::Args)]
pub struct FillMaskArgs {
    /// A model folder, or `builtin` for the model shipped in the app.
    #[arg(long, default_value = "builtin")]
    pub model: String,
    /// Text with one or more `[MASK]`s (it may start with `-`).
    #[arg(
        long,
        allow_hyphen_values = true,
        required_unless_present = "text_file",
        conflicts_with = "text_file",
        default_value = ""
    )]
    pub text: String,
    /// Read the text from FILE instead (`-`: standard input), for texts longer than a
    /// command line allows.
    #[arg(long, value_name = "FILE|-")]
    pub text_file: Option<std::path::PathBuf>,
    /// Guesses per blank.
    #[arg(long, default_value_t = 5)]
    pub top_k: usize,
    /// Print a JSON list (one list of `{"token", "prob"}` per [MASK]) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Serialize)]
struct Guess {
    token: String,
    prob: f32,
}

/// Runs the model and prints the best guesses for every `[MASK]`, in order.
pub fn fill_mask(args: &FillMaskArgs) -> Result<(), String> {
    let model = load_model(&args.model)?;
    if model.weights.mlm.is_none() {
        return Err("this model has no masked-language-model head (cls.predictions)".into());
    }
    let opts = ForwardOptions {
        top_k: args.top_k.clamp(1, 100),
        ..ForwardOptions::default()
    };
    let text = super::text_input::resolve(&args.text, args.text_file.as_deref())?;
    let trace = model.trace(&text, None, &opts).map_err(|e| e.to_string())?;
    let Some(mlm) = &trace.mlm else {
        return Err("the model produced no predictions".into());
    };
    let blanks: Vec<Vec<Guess>> = trace
        .tokens
        .iter()
        .zip(&mlm.top_k)
        .filter(|(t, _)| t.as_str() == "[MASK]")
        .map(|(_, preds)| {
            preds
                .iter()
                .map(|p| Guess {
                    token: model.tokenizer.id_to_token(p.id).unwrap_or("?").to_string(),
                    prob: p.prob,
                })
                .collect()
        })
        .collect();
    if blanks.is_empty() {
        return Err("the text has no [MASK]: write [MASK] where the model should guess".into());
    }
    if args.json {
        let json = serde_json::to_string(&blanks).map_err(|e| e.to_string())?;
        outln!("{json}");
    } else {
        for (i, guesses) in blanks.iter().enumerate() {
            let line: Vec<String> = guesses
                .iter()
                .map(|g| format!("{} {:.1} %", g.token, 100.0 * g.prob))
                .collect();
            outln!("[MASK] {}: {}", i + 1, line.join(", "));
        }
    }
    Ok(())
}

/// Arguments of `llm-lens eval-mlm`.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalMlmArgs {
    /// A model folder, or `builtin`.
    #[arg(long, default_value = "builtin")]
    pub model: String,
    /// The most recent addresses of the built-in corpus to score on (those the
    /// built-in model never trained on).
    #[arg(long, default_value_t = 10)]
    pub held_out: usize,
    /// Masked pairs to score.
    #[arg(long, default_value_t = 1000)]
    pub pairs: usize,
    /// Pair length in tokens (at most the model's positions).
    #[arg(long, default_value_t = 128)]
    pub seq_len: usize,
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Scores masked-token top-1/top-5 and NSP on the held-out addresses.
pub fn eval_mlm(args: &EvalMlmArgs) -> Result<(), String> {
    if !(1..=100_000).contains(&args.pairs) {
        return Err("--pairs must be between 1 and 100,000".into());
    }
    let model = load_model(&args.model)?;
    let seq_len = args.seq_len.min(model.config.max_position_embeddings);
    if seq_len < 5 {
        return Err("--seq-len must be at least 5 (two sentences and three special tokens)".into());
    }
    let heads = model_heads(&args.model, model.config.hidden_size);
    let has_nsp = heads.is_some();
    let heads = heads.unwrap_or_else(|| PretrainHeads::zeros(model.config.hidden_size));
    let tokenizer = model.tokenizer.clone();
    let pretrain = PretrainModel::from_parts(model.weights, heads).map_err(|e| e.to_string())?;
    let split = split_recent(Corpus::builtin(), &tokenizer, args.held_out);
    let set = EvalSet {
        corpus: Arc::new(split.held_out),
        specials: SpecialIds::of(&tokenizer).ok_or("the vocabulary has no [CLS] or [SEP]")?,
        policy: masking_policy(&tokenizer)?,
        seq_len,
        pairs: args.pairs,
        seed: 2018,
    };
    let stats = evaluate(&pretrain, &set, args.threads.max(1)).map_err(|e| e.to_string())?;
    if args.json {
        let json = serde_json::json!({
            "model": args.model,
            "pairs": stats.pairs,
            "masked": stats.masked,
            "top1": stats.top1_rate(),
            "top5": stats.top5_rate(),
            "mlm_loss": stats.mean_mlm_loss(),
            "nsp": has_nsp.then(|| stats.nsp_rate()),
        });
        outln!("{json}");
    } else {
        outln!(
            "{} masked tokens in {} pairs of up to {seq_len} tokens: top-1 {:.1} %, top-5 {:.1} %, loss {:.3}",
            stats.masked,
            stats.pairs,
            100.0 * stats.top1_rate(),
            100.0 * stats.top5_rate(),
            stats.mean_mlm_loss()
        );
        if has_nsp {
            outln!(
                "next-sentence prediction: {:.1} %",
                100.0 * stats.nsp_rate()
            );
        } else {
            outln!("next-sentence prediction: this model has no NSP head");
        }
    }
    Ok(())
}

/// The pooler and NSP head, when the model's file has them.
fn model_heads(arg: &str, hidden: usize) -> Option<PretrainHeads> {
    let bytes = if arg == "builtin" {
        crate::model::bert::builtin_model::WEIGHTS.to_vec()
    } else {
        let path = std::path::Path::new(arg).join("model.safetensors");
        crate::model::text::bounded::read_bytes(
            &path,
            crate::model::bert::weights::MAX_SAFETENSORS_BYTES,
        )
        .ok()?
    };
    read_heads(&bytes, hidden)
}
