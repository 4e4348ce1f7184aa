//! A learned embedding is a table lookup, and a lookup is a matrix product: the
//! one-hot row of a token's id times the table `W` picks out row `id` of `W`. Real
//! models do the lookup (a gather) and never build the one-hot matrix.

use ndarray::Array2;

use crate::model::numerics::matmul::mat_mul;
use crate::model::numerics::rng::SplitMix64;

/// A toy vocabulary of the distinct `tokens`, in order of first appearance, and
/// each token's id in it.
pub fn toy_vocab(tokens: &[String]) -> (Vec<String>, Vec<usize>) {
    let mut vocab: Vec<String> = Vec::new();
    let ids = tokens
        .iter()
        .map(|t| match vocab.iter().position(|v| v == t) {
            Some(id) => id,
            None => {
                vocab.push(t.clone());
                vocab.len() - 1
            }
        })
        .collect();
    (vocab, ids)
}

/// One row per token, all zeros but a 1 in the token's id column, `(n × V)`.
pub fn one_hot(ids: &[usize], vocab: usize) -> Array2<f32> {
    Array2::from_shape_fn((ids.len(), vocab), |(r, c)| {
        f32::from(u8::from(ids[r] == c))
    })
}

/// A seeded embedding table with N(0, 1) entries rounded to two decimals, so each
/// number printed is the number used, `(V × d)`.
pub fn random_table(vocab: usize, d: usize, seed: u64) -> Array2<f32> {
    let mut rng = SplitMix64::new(seed);
    Array2::from_shape_simple_fn((vocab, d), || (rng.normal() * 100.0).round() as f32 / 100.0)
}

/// The one-hot matrix times the table: `(n × V) · (V × d) = (n × d)`.
pub fn by_product(ids: &[usize], table: &Array2<f32>) -> Array2<f32> {
    mat_mul(&one_hot(ids, table.nrows()).view(), &table.view())
}

/// Row `id` of the table for each token, `(n × d)`; ids past the table give zeros.
pub fn by_lookup(ids: &[usize], table: &Array2<f32>) -> Array2<f32> {
    Array2::from_shape_fn((ids.len(), table.ncols()), |(r, c)| {
        table.get((ids[r], c)).copied().unwrap_or(0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_with_the_one_hot_matrix_is_exactly_the_rows_looked_up() {
        let tokens: Vec<String> = ["the", "bank", "of", "the", "river"]
            .map(String::from)
            .to_vec();
        let (vocab, ids) = toy_vocab(&tokens);
        assert_eq!(vocab, ["the", "bank", "of", "river"]);
        assert_eq!(ids, [0, 1, 2, 0, 3]);
        let x = one_hot(&ids, vocab.len());
        for row in x.rows() {
            assert_eq!(row.sum(), 1.0);
        }
        for d in [4, 9, 16] {
            let w = random_table(vocab.len(), d, 7);
            assert_eq!(w.dim(), (4, d));
            let product = by_product(&ids, &w);
            let lookup = by_lookup(&ids, &w);
            assert_eq!(product, lookup, "bit for bit at d = {d}");
            assert_eq!(lookup.row(3), w.row(0), "the second 'the' is row 0 again");
        }
        // The same seed gives the same table; another seed another one.
        assert_eq!(random_table(3, 4, 1), random_table(3, 4, 1));
        assert_ne!(random_table(3, 4, 1), random_table(3, 4, 2));
    }
}
