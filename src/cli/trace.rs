//! `llm-lens trace`: run the model on a sentence and print what it computed,
//! so tests, benchmarks and teachers can read the model without the GUI.

use serde::Serialize;

use crate::compute::{BackendChoice, Compute, Ran};
use crate::model::bert::trace::Trace;
use crate::model::bert::{ForwardOptions, TraceDetail};

/// Arguments of `llm-lens trace`.
#[derive(Debug, Clone, clap::Args)]
pub struct TraceArgs {
    /// Folder with config.json, model.safetensors and vocab.txt or tokenizer.json, or
    /// `builtin` for the model shipped in the app.
    #[arg(long, value_name = "DIR|builtin")]
    pub model: String,
    /// The sentence to run (it may start with `-`).
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
    /// Optional second sentence (segment 1), as in BERT's sentence pairs.
    #[arg(long, allow_hyphen_values = true)]
    pub pair: Option<String>,
    /// Backend: auto (a real GPU, else the CPU), cpu, or gpu (any adapter, software
    /// ones too). Without a usable GPU the CPU runs it and the output says why.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendChoice,
    /// Print one JSON object (tokens, ids, hidden_states, attentions) instead of a summary.
    #[arg(long)]
    pub json: bool,
}

/// The JSON printed by `trace --json`.
#[derive(Debug, Serialize)]
pub struct TraceJson {
    pub tokens: Vec<String>,
    pub ids: Vec<u32>,
    pub type_ids: Vec<u32>,
    /// Byte range of each token in its own input text.
    pub offsets: Vec<(usize, usize)>,
    /// The backend that actually ran.
    pub backend: &'static str,
    pub backend_requested: &'static str,
    /// The GPU adapter, when the GPU ran it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `(layers + 1) × tokens × hidden`; index 0 is the embedding output.
    pub hidden_states: Vec<Vec<Vec<f32>>>,
    /// `layers × heads × tokens × tokens` softmax weights.
    pub attentions: Vec<Vec<Vec<Vec<f32>>>>,
}

/// Loads the model, runs it and builds the JSON object.
pub fn trace_json(args: &TraceArgs) -> Result<TraceJson, String> {
    let model = std::sync::Arc::new(super::model_arg::load_model(&args.model)?);
    let text = super::text_input::resolve(&args.text, args.text_file.as_deref())?;
    let encoding = model.encode(&text, args.pair.as_deref());
    let compute = Compute::blocking(args.backend);
    // It prints the hidden states and attentions only: the GPU copies back nothing else.
    let opts = ForwardOptions {
        detail: TraceDetail::HiddenAndAttention,
        ..ForwardOptions::default()
    };
    let done = compute
        .engine()
        .forward(&model, &encoding, &opts)
        .map_err(|e| e.to_string())?;
    let trace = done.trace;
    let requested = match args.backend {
        BackendChoice::Cpu => "cpu",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Auto => "auto",
    };
    let status = compute.status();
    let note = match (done.ran, &done.note) {
        (_, Some(note)) => Some(note.clone()),
        (Ran::Cpu, None) if args.backend != BackendChoice::Cpu => Some(status.label()),
        _ => None,
    };
    let adapter = match status {
        crate::compute::BackendStatus::Gpu { adapter } if done.ran == Ran::Gpu => {
            Some(adapter.clone())
        }
        _ => None,
    };
    Ok(TraceJson {
        tokens: trace.tokens.clone(),
        ids: trace.ids.clone(),
        type_ids: trace.type_ids.clone(),
        offsets: encoding.offsets,
        backend: match done.ran {
            Ran::Gpu => "gpu",
            Ran::Cpu => "cpu",
        },
        backend_requested: requested,
        adapter,
        note,
        hidden_states: trace
            .hidden_states()
            .iter()
            .map(|h| h.rows().into_iter().map(|r| r.to_vec()).collect())
            .collect(),
        attentions: attentions(&trace),
    })
}

/// Softmax weights per layer; a skipped layer (ablation) reports zeros.
fn attentions(trace: &Trace) -> Vec<Vec<Vec<Vec<f32>>>> {
    (0..trace.layers.len())
        .map(|layer| match trace.attention(layer) {
            Some(w) => w
                .outer_iter()
                .map(|head| head.rows().into_iter().map(|r| r.to_vec()).collect())
                .collect(),
            None => vec![vec![vec![0.0; trace.len()]; trace.len()]; heads_of(trace)],
        })
        .collect()
}

/// Runs `llm-lens trace`; the error is one sentence for the user.
pub fn run(args: &TraceArgs) -> Result<(), String> {
    let out = trace_json(args)?;
    if args.json {
        let text = serde_json::to_string(&out).map_err(|e| e.to_string())?;
        crate::outln!("{text}");
        return Ok(());
    }
    match &out.adapter {
        Some(adapter) => crate::outln!("backend: {} ({adapter})", out.backend),
        None => crate::outln!("backend: {}", out.backend),
    }
    if let Some(note) = &out.note {
        crate::outln!("note: {note}");
    }
    crate::outln!("tokens ({}):", out.tokens.len());
    for (token, id) in out.tokens.iter().zip(&out.ids) {
        crate::outln!("  {id:>6}  {token}");
    }
    let hidden = out
        .hidden_states
        .first()
        .and_then(|h| h.first())
        .map_or(0, Vec::len);
    let heads = out.attentions.first().map_or(0, Vec::len);
    crate::outln!(
        "hidden_states: {} × {} × {hidden}; attentions: {} × {heads} × {} × {} (use --json for values)",
        out.hidden_states.len(),
        out.tokens.len(),
        out.attentions.len(),
        out.tokens.len(),
        out.tokens.len()
    );
    Ok(())
}

fn heads_of(trace: &Trace) -> usize {
    (0..trace.layers.len())
        .find_map(|l| trace.attention(l).map(|w| w.shape()[0]))
        .unwrap_or(0)
}
