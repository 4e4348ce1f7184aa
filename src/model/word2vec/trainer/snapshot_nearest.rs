//! Nearest words inside one training snapshot, by cosine over all of a vector's numbers:
//! what the map's 2-D distances only approximate, so the lesson can draw both.

use super::Snapshot;

impl Snapshot {
    /// The `k` words (by index into `words`) whose vectors have the highest cosine with
    /// word `i`'s, best first, `i` itself left out. Zero vectors have cosine 0.
    pub fn nearest(&self, i: usize, k: usize) -> Vec<(usize, f32)> {
        let d = self.dim;
        let n = self.words.len().min(self.vectors.len() / d.max(1));
        if d == 0 || i >= n {
            return Vec::new();
        }
        // (n × d), row-major
        let row = |j: usize| &self.vectors[j * d..(j + 1) * d];
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let q = row(i);
        let qn = norm(q);
        let mut scored: Vec<(usize, f32)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| {
                let v = row(j);
                let denom = qn * norm(v);
                let dot: f32 = q.iter().zip(v).map(|(a, b)| a * b).sum();
                (j, if denom > 0.0 { dot / denom } else { 0.0 })
            })
            .filter(|(_, c)| c.is_finite())
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(k);
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::word2vec::pca::Pca2d;
    use std::sync::Arc;

    #[test]
    fn nearest_ranks_by_cosine_and_leaves_the_word_out() {
        let words: Arc<[String]> = ["a", "b", "c", "d"].map(String::from).into();
        // a = (1, 0); b is a scaled (cosine 1); c is diagonal (0.707); d is opposite.
        let vectors = vec![1.0, 0.0, 3.0, 0.0, 1.0, 1.0, -1.0, 0.0];
        let snap = Snapshot {
            fraction: 1.0,
            words,
            dim: 2,
            vectors,
            pca: Pca2d {
                points: Vec::new(),
                axes: [Vec::new(), Vec::new()],
                explained: [0.0; 2],
            },
        };
        let near = snap.nearest(0, 2);
        assert_eq!(near.iter().map(|p| p.0).collect::<Vec<_>>(), vec![1, 2]);
        assert!((near[0].1 - 1.0).abs() < 1e-6);
        assert!((near[1].1 - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!(snap.nearest(9, 2).is_empty());
    }
}
