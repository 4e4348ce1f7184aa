//! One skip-gram, one CBOW and one full-softmax update against the gradient of
//! the loss computed by central finite differences in f64.

use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::word2vec::{cbow, skipgram, softmax};

const V: usize = 7;
const DIM: usize = 8;
const ALPHA: f32 = 0.5;

fn random_matrix(rng: &mut SplitMix64, scale: f32) -> Vec<f32> {
    (0..V * DIM)
        .map(|_| (rng.next_f32() - 0.5) * scale)
        .collect()
}

fn row(m: &[f64], i: u32) -> &[f64] {
    &m[i as usize * DIM..(i as usize + 1) * DIM]
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn log_sigmoid(x: f64) -> f64 {
    -(-x).exp().ln_1p()
}

/// Negative-sampling loss for input vector `h`: −ln σ(u_o·h) − Σ ln σ(−u_k·h).
fn ns_loss(h: &[f64], syn1: &[f64], centre: u32, negatives: &[u32]) -> f64 {
    -log_sigmoid(dot(h, row(syn1, centre)))
        - negatives
            .iter()
            .map(|&n| log_sigmoid(-dot(h, row(syn1, n))))
            .sum::<f64>()
}

/// ∂loss/∂params[i] for every i, by central differences.
fn numeric_grad(params: &[f64], loss: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let eps = 1e-6;
    let mut p = params.to_vec();
    (0..p.len())
        .map(|i| {
            let x = p[i];
            p[i] = x + eps;
            let up = loss(&p);
            p[i] = x - eps;
            let down = loss(&p);
            p[i] = x;
            (up - down) / (2.0 * eps)
        })
        .collect()
}

fn to_f64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// `(new − old) / −alpha`: the gradient the update actually followed.
fn applied_grad(old: &[f32], new: &[f32], scale: f64) -> Vec<f64> {
    old.iter()
        .zip(new)
        .map(|(o, n)| (*n as f64 - *o as f64) / (-(ALPHA as f64)) / scale)
        .collect()
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    let norm: f64 = want.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!(norm > 1e-2, "{what}: gradient too small to test ({norm})");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() < 2e-4,
            "{what}[{i}]: update followed {g}, finite differences say {w}"
        );
    }
}

#[test]
fn skipgram_update_is_one_gradient_step() {
    let mut rng = SplitMix64::new(3);
    let syn0 = random_matrix(&mut rng, 1.6);
    let syn1 = random_matrix(&mut rng, 1.6);
    let (context, centre, negatives) = (0u32, 1u32, [2u32, 3, 4]);
    let (mut s0, mut s1) = (syn0.clone(), syn1.clone());
    let mut scratch = vec![0.0; DIM];
    let loss = skipgram::step(
        &mut s0,
        &mut s1,
        DIM,
        context,
        centre,
        &negatives,
        ALPHA,
        &mut scratch,
    );

    let (p0, p1) = (to_f64(&syn0), to_f64(&syn1));
    let want_loss = ns_loss(row(&p0, context), &p1, centre, &negatives);
    assert!(
        (loss as f64 - want_loss).abs() < 1e-4,
        "{loss} vs {want_loss}"
    );

    let g0 = numeric_grad(&p0, |p| ns_loss(row(p, context), &p1, centre, &negatives));
    let g1 = numeric_grad(&p1, |p| ns_loss(row(&p0, context), p, centre, &negatives));
    assert_close("syn0", &applied_grad(&syn0, &s0, 1.0), &g0);
    assert_close("syn1neg", &applied_grad(&syn1, &s1, 1.0), &g1);
}

#[test]
fn cbow_update_follows_word2vec_gradient() {
    let mut rng = SplitMix64::new(4);
    let syn0 = random_matrix(&mut rng, 1.6);
    let syn1 = random_matrix(&mut rng, 1.6);
    let (context, centre, negatives) = ([0u32, 2, 5], 1u32, [3u32, 4, 6]);
    let (mut s0, mut s1) = (syn0.clone(), syn1.clone());
    let (mut h, mut e) = (vec![0.0; DIM], vec![0.0; DIM]);
    let loss = cbow::step(
        &mut s0, &mut s1, DIM, &context, centre, &negatives, ALPHA, &mut h, &mut e,
    );

    let mean = |p: &[f64]| -> Vec<f64> {
        (0..DIM)
            .map(|d| context.iter().map(|&c| row(p, c)[d]).sum::<f64>() / context.len() as f64)
            .collect()
    };
    let (p0, p1) = (to_f64(&syn0), to_f64(&syn1));
    let want_loss = ns_loss(&mean(&p0), &p1, centre, &negatives);
    assert!(
        (loss as f64 - want_loss).abs() < 1e-4,
        "{loss} vs {want_loss}"
    );

    let g1 = numeric_grad(&p1, |p| ns_loss(&mean(&p0), p, centre, &negatives));
    assert_close("syn1neg", &applied_grad(&syn1, &s1, 1.0), &g1);
    // word2vec.c/gensim give each context word the full ∂L/∂h, i.e. C times
    // its true gradient (see cbow.rs): divide by C to compare.
    let g0 = numeric_grad(&p0, |p| ns_loss(&mean(p), &p1, centre, &negatives));
    let applied = applied_grad(&syn0, &s0, context.len() as f64);
    assert_close("syn0", &applied, &g0);
    // Rows outside the context must not move.
    for w in [1usize, 3, 4, 6] {
        assert_eq!(&s0[w * DIM..(w + 1) * DIM], &syn0[w * DIM..(w + 1) * DIM]);
    }
}

#[test]
fn full_softmax_update_is_one_gradient_step() {
    let mut rng = SplitMix64::new(5);
    let syn0 = random_matrix(&mut rng, 1.6);
    let syn1 = random_matrix(&mut rng, 1.6);
    let (context, centre) = (2u32, 5u32);
    let (mut s0, mut s1) = (syn0.clone(), syn1.clone());
    let (mut scores, mut e) = (vec![0.0; V], vec![0.0; DIM]);
    let loss = softmax::step(
        &mut s0,
        &mut s1,
        DIM,
        context,
        centre,
        ALPHA,
        &mut scores,
        &mut e,
    );

    let xent = |v: &[f64], u: &[f64]| -> f64 {
        let f: Vec<f64> = (0..V as u32).map(|w| dot(v, row(u, w))).collect();
        let lse = f.iter().map(|x| x.exp()).sum::<f64>().ln();
        lse - f[centre as usize]
    };
    let (p0, p1) = (to_f64(&syn0), to_f64(&syn1));
    assert!((loss as f64 - xent(row(&p0, context), &p1)).abs() < 1e-4);
    let g0 = numeric_grad(&p0, |p| xent(row(p, context), &p1));
    let g1 = numeric_grad(&p1, |p| xent(row(&p0, context), p));
    assert_close("syn0", &applied_grad(&syn0, &s0, 1.0), &g0);
    assert_close("syn1", &applied_grad(&syn1, &s1, 1.0), &g1);
}

#[test]
fn softmax_costs_grow_with_vocabulary_negative_sampling_does_not() {
    let costs =
        softmax::measure_step_cost(&[64, 4096], 32, 5, std::time::Duration::from_millis(20));
    assert_eq!(costs.len(), 2);
    // 64× the vocabulary: the softmax step must get much slower, while
    // negative sampling touches 6 rows whatever the vocabulary.
    assert!(
        costs[1].softmax_ns > 10.0 * costs[0].softmax_ns,
        "{costs:?}"
    );
    assert!(
        costs[1].softmax_ns > 20.0 * costs[1].negative_sampling_ns,
        "{costs:?}"
    );
}
