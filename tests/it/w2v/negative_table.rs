//! The negative-sampling table draws words with probability ∝ count^0.75.

use llm_lens::model::numerics::rng::SplitMix64;
use llm_lens::model::word2vec::negative_table::{NegativeTable, POWER, target_probabilities};

const COUNTS: [u64; 10] = [5000, 1200, 700, 300, 120, 60, 25, 9, 5, 1];

/// Pearson's chi-square of `draws` draws against `expected` probabilities.
fn chi_square(table: &NegativeTable, expected: &[f64], draws: usize, seed: u64) -> f64 {
    let mut rng = SplitMix64::new(seed);
    let mut seen = vec![0u64; expected.len()];
    for _ in 0..draws {
        seen[table.sample(&mut rng) as usize] += 1;
    }
    seen.iter()
        .zip(expected)
        .map(|(&o, &p)| {
            let e = p * draws as f64;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}

/// Chi-square critical value for 9 degrees of freedom at p = 0.001.
const CRITICAL_9_DOF: f64 = 27.88;

#[test]
fn table_probabilities_are_exactly_unigram_to_the_three_quarters() {
    let table = NegativeTable::unigram(&COUNTS).unwrap();
    let want = target_probabilities(&COUNTS, POWER);
    let got = table.probabilities();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!((g - w).abs() < 1e-9, "word {i}: table {g}, count^0.75 {w}");
    }
    // The 0.75 power really flattens: the rarest word gets more than its frequency.
    let total: u64 = COUNTS.iter().sum();
    assert!(want[9] > 2.0 * (1.0 / total as f64));
}

#[test]
fn draws_match_unigram_to_the_three_quarters() {
    let table = NegativeTable::unigram(&COUNTS).unwrap();
    let want = target_probabilities(&COUNTS, POWER);
    let chi = chi_square(&table, &want, 200_000, 11);
    assert!(chi < CRITICAL_9_DOF, "chi-square {chi}");
}

#[test]
fn the_chi_square_test_rejects_plain_unigram_draws() {
    // Power 1.0 (plain frequency) against the 0.75 expectation must fail,
    // or the test above proves nothing.
    let plain = NegativeTable::new(&COUNTS, 1.0).unwrap();
    let want = target_probabilities(&COUNTS, POWER);
    let chi = chi_square(&plain, &want, 200_000, 11);
    assert!(chi > 10.0 * CRITICAL_9_DOF, "chi-square {chi}");
}

#[test]
fn zero_counts_are_never_drawn_and_empty_tables_are_refused() {
    let table = NegativeTable::unigram(&[0, 10, 0, 3]).unwrap();
    let mut rng = SplitMix64::new(1);
    for _ in 0..10_000 {
        let w = table.sample(&mut rng);
        assert!(w == 1 || w == 3, "drew {w}");
    }
    assert!(NegativeTable::unigram(&[]).is_none());
    assert!(NegativeTable::unigram(&[0, 0]).is_none());
}

#[test]
fn large_vocabulary_table_is_exact() {
    // A Zipf-like vocabulary of 20k words, as in the real corpus.
    let counts: Vec<u64> = (1..=20_000u64).map(|r| 1 + 1_000_000 / r).collect();
    let table = NegativeTable::unigram(&counts).unwrap();
    let want = target_probabilities(&counts, POWER);
    let max_rel = table
        .probabilities()
        .iter()
        .zip(&want)
        .map(|(g, w)| ((g - w) / w).abs())
        .fold(0.0, f64::max);
    assert!(max_rel < 1e-6, "max relative deviation {max_rel}");
}
