//! Micro-benchmarks of one training step: skip-gram and CBOW with negative
//! sampling, and the full softmax it replaces. `cargo bench --bench w2v_step`.
//! The end-to-end comparison with gensim is `benches/gensim_w2v.py`.

use criterion::{Criterion, criterion_group, criterion_main};
use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::word2vec::{cbow, skipgram, softmax};
use std::hint::black_box;

fn matrices(v: usize, dim: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = SplitMix64::new(1);
    let a = (0..v * dim).map(|_| rng.next_f32() - 0.5).collect();
    let b = (0..v * dim).map(|_| (rng.next_f32() - 0.5) * 0.1).collect();
    (a, b)
}

fn bench(c: &mut Criterion) {
    let (v, dim) = (10_000usize, 100usize);
    let (mut syn0, mut syn1) = matrices(v, dim);
    let mut rng = SplitMix64::new(2);
    let (mut h, mut e) = (vec![0.0; dim], vec![0.0; dim]);
    let mut negs = [0u32; 5];
    c.bench_function("skipgram_step_dim100_neg5", |b| {
        b.iter(|| {
            negs.iter_mut().for_each(|n| *n = rng.below_u32(v as u32));
            let (x, y) = (rng.below_u32(v as u32), rng.below_u32(v as u32));
            black_box(skipgram::step(
                &mut syn0, &mut syn1, dim, x, y, &negs, 1e-3, &mut e,
            ))
        })
    });
    let mut ctx = [0u32; 6];
    c.bench_function("cbow_step_dim100_ctx6_neg5", |b| {
        b.iter(|| {
            negs.iter_mut().for_each(|n| *n = rng.below_u32(v as u32));
            ctx.iter_mut().for_each(|n| *n = rng.below_u32(v as u32));
            let y = rng.below_u32(v as u32);
            black_box(cbow::step(
                &mut syn0, &mut syn1, dim, &ctx, y, &negs, 1e-3, &mut h, &mut e,
            ))
        })
    });
    let mut scores = vec![0.0; v];
    c.bench_function("softmax_step_dim100_vocab10k", |b| {
        b.iter(|| {
            let (x, y) = (rng.below_u32(v as u32), rng.below_u32(v as u32));
            black_box(softmax::step(
                &mut syn0,
                &mut syn1,
                dim,
                x,
                y,
                1e-3,
                &mut scores,
                &mut e,
            ))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
