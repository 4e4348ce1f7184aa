//! The whole forward pass on the GPU (one submission) against the CPU reference: every
//! tensor of the trace within 1e-4 (relative where values exceed 1), on the shipped
//! model, on random models of odd shapes and every activation, and on MiniLM; with
//! padding masks, ablations, sequence lengths that grow and shrink the pooled
//! workspace, and inputs both backends must refuse.

use crate::model_support;

use std::collections::BTreeSet;

use llm_lens::gpu::GpuContext;
use llm_lens::gpu::forward::{GpuForwardError, GpuModel};
use llm_lens::model::bert::builtin_model;
use llm_lens::model::bert::comparison::max_difference;
use llm_lens::model::bert::config::{Activation, BertConfig};
use llm_lens::model::bert::model_dir::Model;
use llm_lens::model::bert::weights::BertWeights;
use llm_lens::model::bert::{Ablation, ForwardOptions, forward};
use llm_lens::model::tokenize::ModelInput;

const TOL: f32 = 1e-4;

use super::context;

/// Runs both backends and checks they agree; returns the difference.
fn agree(
    ctx: &GpuContext,
    gpu: &mut GpuModel,
    weights: &BertWeights,
    input: &ModelInput,
    opts: &ForwardOptions,
    what: &str,
) -> f32 {
    let cpu = forward(weights, input, opts).expect("the CPU runs it");
    let got = gpu.forward(ctx, input, opts).expect("the GPU runs it");
    let (d, at) = max_difference(&got, &cpu).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(d <= TOL, "{what}: GPU and CPU differ by {d:e} at {at}");
    // The best prediction agrees wherever it is not a near tie.
    if let (Some(g), Some(c)) = (&got.mlm, &cpu.mlm) {
        for (pos, (pg, pc)) in g.top_k.iter().zip(&c.top_k).enumerate() {
            if pc.len() > 1 && pc[0].logit - pc[1].logit > 1e-3 {
                assert_eq!(pg[0].id, pc[0].id, "{what}: best prediction at {pos}");
            }
        }
    }
    d
}

#[test]
fn the_shipped_model_gives_the_cpus_trace() {
    let Some(ctx) = context("the_shipped_model_gives_the_cpus_trace") else {
        return;
    };
    let model = builtin_model::load().expect("the shipped model loads");
    let mut gpu = GpuModel::upload(&ctx, &model.weights).expect("upload");
    let long = "The committee said the bank would raise interest rates again next year, \
                while farmers along the river bank asked Congress for help with the floods \
                and the new taxes on grain, cattle and machinery.";
    let opts = ForwardOptions {
        top_k: 10,
        ..Default::default()
    };
    let mut worst: f32 = 0.0;
    // Short, long (the workspace grows), short again (it is reused), a pair, empty.
    for (text, pair) in [
        ("The bank raised interest rates.", None),
        (long, None),
        ("I withdrew money.", None),
        (
            "I withdrew money from the bank.",
            Some("We sat on the bank."),
        ),
        ("", None),
    ] {
        let enc = model.encode(text, pair);
        worst = worst.max(agree(&ctx, &mut gpu, &model.weights, &enc, &opts, text));
    }
    assert!(gpu.capacity() >= model.encode(long, None).ids.len());

    // Padding, ablated heads and a skipped layer.
    let enc = model.encode("The president spoke to the nation about the war.", None);
    let n = enc.ids.len();
    let mut mask = vec![true; n];
    mask[n - 3..].fill(false);
    let opts = ForwardOptions {
        attention_mask: Some(mask),
        ablation: Ablation {
            heads: BTreeSet::from([(0, 1), (2, 3), (3, 0)]),
            skip_layers: BTreeSet::from([1]),
        },
        top_k: 5,
        ..Default::default()
    };
    worst = worst.max(agree(
        &ctx,
        &mut gpu,
        &model.weights,
        &enc,
        &opts,
        "ablated",
    ));
    eprintln!("built-in model: worst GPU–CPU difference {worst:e}");
}

#[test]
fn random_models_of_odd_shapes_and_every_activation_agree() {
    let Some(ctx) = context("random_models_of_odd_shapes_and_every_activation_agree") else {
        return;
    };
    let shapes = [
        // hidden, heads, FFN, layers, vocab, activation
        (96, 3, 200, 2, 1000, Activation::GeluNew),
        (36, 1, 50, 1, 77, Activation::Relu),
        (64, 8, 256, 3, 5000, Activation::Gelu),
        // BERT-base's width: every product split along K (the decoder too).
        (768, 12, 3072, 1, 500, Activation::Gelu),
        // A decoder wide enough for 64×64 tiles.
        (36, 1, 50, 1, 66_000, Activation::Relu),
    ];
    for (i, (hidden, heads, inter, layers, vocab, act)) in shapes.into_iter().enumerate() {
        let config = BertConfig {
            vocab_size: vocab,
            hidden_size: hidden,
            num_attention_heads: heads,
            intermediate_size: inter,
            num_hidden_layers: layers,
            hidden_act: act,
            max_position_embeddings: 64,
            ..BertConfig::tiny()
        };
        let weights = BertWeights::random(&config, 40 + i as u64).expect("random weights");
        let mut gpu = GpuModel::upload(&ctx, &weights).expect("upload");
        for n in [1usize, 7, 64] {
            let ids = (0..n as u32).map(|t| (t * 37 + 5) % vocab as u32).collect();
            let opts = ForwardOptions {
                top_k: 3,
                ..Default::default()
            };
            let what = format!("shape {i}, {n} tokens");
            agree(
                &ctx,
                &mut gpu,
                &weights,
                &ModelInput::from_ids(ids),
                &opts,
                &what,
            );
        }
    }
}

#[test]
fn minilm_gives_the_cpus_trace() {
    let Some(dir) = model_support::minilm_dir("minilm_gives_the_cpus_trace") else {
        return;
    };
    let Some(ctx) = context("minilm_gives_the_cpus_trace") else {
        return;
    };
    let model = Model::load(&dir).expect("MiniLM loads");
    let mut gpu = GpuModel::upload(&ctx, &model.weights).expect("upload");
    let enc = model.encode(
        "I withdrew money from the bank.",
        Some("We sat on the bank."),
    );
    let d = agree(
        &ctx,
        &mut gpu,
        &model.weights,
        &enc,
        &ForwardOptions::default(),
        "MiniLM",
    );
    eprintln!("MiniLM: worst GPU–CPU difference {d:e}");
}

#[test]
fn inputs_the_cpu_refuses_the_gpu_refuses_the_same_way() {
    let Some(ctx) = context("inputs_the_cpu_refuses_the_gpu_refuses_the_same_way") else {
        return;
    };
    let config = BertConfig {
        max_position_embeddings: 8,
        vocab_size: 50,
        num_hidden_layers: 1,
        ..BertConfig::tiny()
    };
    let weights = BertWeights::random(&config, 1).expect("random weights");
    let mut gpu = GpuModel::upload(&ctx, &weights).expect("upload");
    let opts = ForwardOptions::default();
    for ids in [vec![], vec![1; 9], vec![1, 2, 50]] {
        let enc = ModelInput::from_ids(ids.clone());
        let cpu = forward(&weights, &enc, &opts).expect_err("the CPU refuses");
        match gpu.forward(&ctx, &enc, &opts) {
            Err(GpuForwardError::Input(e)) => assert_eq!(e, cpu, "{ids:?}"),
            other => panic!("{ids:?}: expected the CPU's error, got {other:?}"),
        }
    }
    // Too many predictions per token is the GPU's limit, not an input error.
    let many = ForwardOptions {
        top_k: 1000,
        ..Default::default()
    };
    assert!(matches!(
        gpu.forward(&ctx, &ModelInput::from_ids(vec![1, 2]), &many),
        Err(GpuForwardError::Gpu(_))
    ));
}
