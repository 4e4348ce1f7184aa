//! The forward pass's kernels against their CPU twins over odd sizes (sequence lengths
//! 1, 7, 64, 128, 512; widths 32 to 768, and BERT's 3072), on whatever adapter there is
//! (lavapipe in CI): `linear.wgsl` vs `Linear::forward`, `layernorm.wgsl` vs
//! `LayerNorm::forward`, `gelu.wgsl` vs `bert::gelu`, all to 1e-4.

use llm_lens::gpu::kernels::linear::Tile;
use llm_lens::model::bert::activation::gelu;
use llm_lens::model::bert::linear::{LayerNorm, Linear};
use llm_lens::model::numerics::rng::SplitMix64;
use ndarray::{Array1, Array2};

const TOL: f32 = 1e-4;

fn random(rng: &mut SplitMix64, n: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|_| rng.uniform(-scale, scale)).collect()
}

fn worst(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

use super::context;

/// Every tiling of the linear kernel, forced, against the CPU: skinny products (BERT at
/// 1–128 tokens), edges that fill no tile, and K not a multiple of the 16-wide K tile.
#[test]
fn every_linear_tiling_matches_its_cpu_twin() {
    let Some(ctx) = context("every_linear_tiling_matches_its_cpu_twin") else {
        return;
    };
    let mut rng = SplitMix64::new(5);
    for (rows, k, cols) in [
        (1, 16, 1),
        (31, 33, 63),
        (33, 65, 129),
        (128, 768, 96),
        (96, 200, 768),
        (70, 3072, 40),
    ] {
        let x = random(&mut rng, rows * k, 1.0);
        let w = random(&mut rng, cols * k, 0.1);
        let b = random(&mut rng, cols, 0.1);
        let lin = Linear {
            weight: Array2::from_shape_vec((cols, k), w.clone()).expect("shape"),
            bias: Array1::from(b.clone()),
        };
        let xa = Array2::from_shape_vec((rows, k), x.clone()).expect("shape");
        let cpu: Vec<f32> = lin.forward(&xa.view()).iter().copied().collect();
        for tile in Tile::ALL {
            let gpu = ctx
                .linear_tiled(tile, &x, rows, k, &w, cols, &b)
                .expect("gpu linear");
            let d = worst(&gpu, &cpu);
            assert!(
                d <= TOL,
                "{} tiles, {rows}×{k} · ({cols}×{k})ᵀ: max diff {d}",
                tile.name()
            );
        }
    }
}

/// Products with too few 64×64 tiles for a large GPU get 32×64 tiles, split along a
/// long K when even those are few; large ones keep 64×64.
#[test]
fn the_linear_tiling_is_chosen_by_shape() {
    let cases = [
        // BERT-base at 32 and 128 tokens: Q/K/V, FFN up, FFN down.
        ((32, 768, 768), Tile::SplitK),
        ((128, 768, 3072), Tile::SplitK),
        ((128, 3072, 768), Tile::SplitK),
        // At 512 tokens the FFN has enough 32×64 tiles; short K is never split.
        ((512, 768, 3072), Tile::Rows32),
        ((128, 256, 1024), Tile::Rows32),
        ((2048, 2048, 2048), Tile::Square64),
        // The MLM decoder: 32×64 at 128 tokens, 64×64 at 512.
        ((128, 768, 30522), Tile::Rows32),
        ((512, 768, 30522), Tile::Square64),
    ];
    for ((rows, k, cols), tile) in cases {
        assert_eq!(Tile::for_shape(rows, k, cols), tile, "{rows}×{k}×{cols}");
    }
}

#[test]
fn linear_matches_its_cpu_twin() {
    let Some(ctx) = context("linear_matches_its_cpu_twin") else {
        return;
    };
    let mut rng = SplitMix64::new(1);
    for (rows, k, cols) in [
        (1, 32, 32),
        (7, 33, 65),
        (64, 128, 128),
        (128, 384, 96),
        (5, 768, 3072),
        (512, 64, 17),
    ] {
        let x = random(&mut rng, rows * k, 1.0);
        let w = random(&mut rng, cols * k, 0.1);
        let b = random(&mut rng, cols, 0.1);
        let gpu = ctx.linear(&x, rows, k, &w, cols, &b).expect("gpu linear");
        let lin = Linear {
            weight: Array2::from_shape_vec((cols, k), w).expect("shape"),
            bias: Array1::from(b),
        };
        let xa = Array2::from_shape_vec((rows, k), x).expect("shape");
        let cpu: Vec<f32> = lin.forward(&xa.view()).iter().copied().collect();
        let d = worst(&gpu, &cpu);
        assert!(d <= TOL, "{rows}×{k} · ({cols}×{k})ᵀ: max diff {d}");
    }
}

#[test]
fn layer_norm_matches_its_cpu_twin() {
    let Some(ctx) = context("layer_norm_matches_its_cpu_twin") else {
        return;
    };
    let mut rng = SplitMix64::new(2);
    for (rows, cols) in [(1, 32), (7, 128), (64, 384), (128, 768), (512, 33), (3, 1)] {
        let x: Vec<f32> = random(&mut rng, rows * cols, 3.0)
            .iter()
            .map(|v| v + 1.5)
            .collect();
        let gamma = random(&mut rng, cols, 1.0);
        let beta = random(&mut rng, cols, 0.5);
        let gpu = ctx
            .layer_norm(&x, cols, &gamma, &beta, 1e-12)
            .expect("gpu layer norm");
        let ln = LayerNorm {
            gamma: Array1::from(gamma),
            beta: Array1::from(beta),
        };
        let xa = Array2::from_shape_vec((rows, cols), x).expect("shape");
        let cpu: Vec<f32> = ln.forward(&xa.view(), 1e-12).iter().copied().collect();
        let d = worst(&gpu, &cpu);
        assert!(d <= TOL, "{rows}×{cols}: max diff {d}");
    }
}

#[test]
fn gelu_matches_its_cpu_twin() {
    let Some(ctx) = context("gelu_matches_its_cpu_twin") else {
        return;
    };
    let mut rng = SplitMix64::new(3);
    for n in [1usize, 7, 512 * 3072, 1000] {
        let mut x = random(&mut rng, n, 8.0);
        if n == 1000 {
            // The tails and zero, exactly.
            x[..6].copy_from_slice(&[0.0, -0.0, 40.0, -40.0, 1e-30, -9.5]);
        }
        let gpu = ctx.gelu(&x).expect("gpu gelu");
        let cpu: Vec<f32> = x.iter().map(|&v| gelu(v)).collect();
        let d = worst(&gpu, &cpu);
        assert!(d <= TOL, "n = {n}: max diff {d}");
    }
}

#[test]
fn gelu_tanh_and_relu_match_their_cpu_twins() {
    use llm_lens::model::bert::activation::gelu_tanh;
    use llm_lens::model::bert::config::Activation;
    let Some(ctx) = context("gelu_tanh_and_relu_match_their_cpu_twins") else {
        return;
    };
    let mut rng = SplitMix64::new(4);
    let mut x = random(&mut rng, 4097, 9.0);
    x[..5].copy_from_slice(&[0.0, -0.0, 30.0, -30.0, 1e-20]);
    let gpu = ctx
        .activation(&x, Activation::GeluNew)
        .expect("gpu gelu_new");
    let cpu: Vec<f32> = x.iter().map(|&v| gelu_tanh(v)).collect();
    let d = worst(&gpu, &cpu);
    assert!(d <= TOL, "gelu_new: max diff {d}");
    let gpu = ctx.activation(&x, Activation::Relu).expect("gpu relu");
    let cpu: Vec<f32> = x.iter().map(|&v| v.max(0.0)).collect();
    assert_eq!(gpu, cpu, "relu is exact");
}

#[test]
fn mlm_top_k_matches_its_cpu_twin_ties_included() {
    use llm_lens::model::bert::mlm::top_k_predictions;
    let Some(ctx) = context("mlm_top_k_matches_its_cpu_twin_ties_included") else {
        return;
    };
    let mut rng = SplitMix64::new(6);
    for (rows, cols, k) in [
        (1, 1, 5),
        (3, 7, 10),
        (7, 300, 5),
        (19, 8000, 10),
        (2, 30522, 32),
    ] {
        let mut logits = random(&mut rng, rows * cols, 12.0);
        // Ties: the same best value twice in the first row, at two ids.
        if cols > 5 {
            logits[2] = 50.0;
            logits[cols - 1] = 50.0;
        }
        let gpu = ctx.mlm_top_k(&logits, cols, k).expect("gpu top-k");
        assert_eq!(gpu.len(), rows);
        for (r, got) in gpu.iter().enumerate() {
            let want = top_k_predictions(&logits[r * cols..(r + 1) * cols], k);
            assert_eq!(got.len(), want.len(), "row {r} of {rows}×{cols}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.id, w.id, "row {r} of {rows}×{cols}: {got:?} vs {want:?}");
                assert_eq!(g.logit, w.logit);
                assert!((g.prob - w.prob).abs() <= TOL, "{g:?} vs {w:?}");
            }
        }
    }
}

#[test]
fn wrong_sizes_are_errors_not_panics() {
    let Some(ctx) = context("wrong_sizes_are_errors_not_panics") else {
        return;
    };
    assert!(
        ctx.linear(&[1.0; 5], 2, 3, &[0.0; 6], 2, &[0.0; 2])
            .is_err()
    );
    assert!(
        ctx.layer_norm(&[1.0; 4], 2, &[1.0], &[0.0; 2], 1e-5)
            .is_err()
    );
    assert_eq!(ctx.gelu(&[]).expect("empty is fine"), Vec::<f32>::new());
}

#[test]
fn attention_matches_its_cpu_twin_with_masks_and_ablation() {
    use llm_lens::model::bert::config::BertConfig;
    use llm_lens::model::bert::layer::SelfAttention;
    let Some(ctx) = context("attention_matches_its_cpu_twin") else {
        return;
    };
    let mut rng = SplitMix64::new(4);
    for (n, heads, d) in [
        (1, 1, 32),
        (7, 4, 32),
        (64, 12, 64),
        (128, 12, 32),
        (512, 2, 16),
    ] {
        let hidden = heads * d;
        let config = BertConfig {
            hidden_size: hidden,
            num_attention_heads: heads,
            ..BertConfig::tiny()
        };
        let mut linear = || Linear {
            weight: Array2::from_shape_vec(
                (hidden, hidden),
                random(&mut rng, hidden * hidden, 0.2),
            )
            .expect("shape"),
            bias: Array1::from(random(&mut rng, hidden, 0.1)),
        };
        let attn = SelfAttention {
            query: linear(),
            key: linear(),
            value: linear(),
        };
        let x =
            Array2::from_shape_vec((n, hidden), random(&mut rng, n * hidden, 1.0)).expect("shape");
        // Padding on every fifth position (never all of them), and head 0 ablated.
        let mask: Vec<bool> = (0..n).map(|j| j == 0 || j % 5 != 4).collect();
        let ablated = [0usize];
        let cpu = attn.forward(&config, &x, &mask, &ablated);

        let xs: Vec<f32> = x.iter().copied().collect();
        let project = |l: &Linear| {
            let w: Vec<f32> = l.weight.iter().copied().collect();
            let b: Vec<f32> = l.bias.to_vec();
            ctx.linear(&xs, n, hidden, &w, hidden, &b)
                .expect("gpu linear")
        };
        let (q, k, v) = (
            project(&attn.query),
            project(&attn.key),
            project(&attn.value),
        );
        let scores = ctx
            .attention_scores(&q, &k, n, heads, d)
            .expect("gpu scores");
        let d_scores = worst(&scores, &cpu.scores.iter().copied().collect::<Vec<_>>());
        assert!(
            d_scores <= TOL,
            "scores n={n} heads={heads} d={d}: {d_scores}"
        );
        let weights = ctx
            .softmax_rows_masked(&scores, n, Some(&mask))
            .expect("gpu softmax");
        let d_weights = worst(&weights, &cpu.weights.iter().copied().collect::<Vec<_>>());
        assert!(d_weights <= TOL, "weights n={n}: {d_weights}");
        let merged = ctx
            .attention_context(&weights, &v, n, heads, d, &ablated)
            .expect("gpu context");
        let d_merged = worst(&merged, &cpu.merged.iter().copied().collect::<Vec<_>>());
        assert!(
            d_merged <= TOL,
            "context n={n} heads={heads} d={d}: {d_merged}"
        );
    }
}

#[test]
fn embeddings_and_add_norm_match_their_cpu_twins() {
    use llm_lens::model::bert::builtin_model;
    let Some(ctx) = context("embeddings_and_add_norm_match_their_cpu_twins") else {
        return;
    };
    // The shipped model's real tables and a real pair input.
    let model = builtin_model::load().expect("the shipped model loads");
    let enc = model.encode(
        "I withdrew money from the bank.",
        Some("We sat on the bank."),
    );
    let e = &model.weights.embeddings;
    let config = &model.weights.config;
    let cpu = e.forward(config, &enc.ids, &enc.type_ids);
    let flat = |a: &Array2<f32>| a.iter().copied().collect::<Vec<f32>>();
    let gpu = ctx
        .embed(
            &flat(&e.word),
            &flat(&e.position),
            &flat(&e.token_type),
            config.hidden_size,
            &enc.ids,
            &enc.type_ids,
        )
        .expect("gpu embed");
    let slab = enc.ids.len() * config.hidden_size;
    assert_eq!(gpu.len(), 4 * slab);
    for (i, (name, part)) in [
        ("token", &cpu.token),
        ("position", &cpu.position),
        ("segment", &cpu.segment),
        ("sum", &cpu.sum),
    ]
    .into_iter()
    .enumerate()
    {
        let d = worst(&gpu[i * slab..(i + 1) * slab], &flat(part));
        assert!(d <= TOL, "embedding {name}: max diff {d}");
    }
    // An id past the table is an error, not a read out of bounds.
    assert!(
        ctx.embed(
            &flat(&e.word),
            &flat(&e.position),
            &flat(&e.token_type),
            config.hidden_size,
            &[40_000],
            &[0]
        )
        .is_err()
    );

    let mut rng = SplitMix64::new(5);
    for (rows, cols) in [(1, 32), (19, 128), (128, 384), (7, 768)] {
        let x = random(&mut rng, rows * cols, 2.0);
        let r = random(&mut rng, rows * cols, 2.0);
        let gamma = random(&mut rng, cols, 1.0);
        let beta = random(&mut rng, cols, 0.5);
        let gpu = ctx
            .add_layer_norm(&x, &r, cols, &gamma, &beta, 1e-12)
            .expect("gpu add norm");
        let ln = LayerNorm {
            gamma: Array1::from(gamma),
            beta: Array1::from(beta),
        };
        let sum = Array2::from_shape_vec((rows, cols), x).expect("shape")
            + Array2::from_shape_vec((rows, cols), r).expect("shape");
        let cpu: Vec<f32> = ln.forward(&sum.view(), 1e-12).iter().copied().collect();
        let d = worst(&gpu, &cpu);
        assert!(d <= TOL, "add & norm {rows}×{cols}: max diff {d}");
    }
}
