//! A 2-D picture of the embedding space: the two directions along which the
//! vectors vary most (principal components), found by power iteration on the
//! covariance matrix. Plenty for a 100×100 covariance and a few thousand points.

use serde::Serialize;

/// Points projected on the first two principal components.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pca2d {
    /// One (x, y) per input row.
    pub points: Vec<[f32; 2]>,
    /// The two unit-length principal axes, each `dim` long.
    pub axes: [Vec<f32>; 2],
    /// Share of the total variance along each axis (0..1): how faithful the picture is.
    pub explained: [f32; 2],
}

/// Projects `n` row-major vectors of length `dim` onto their top two principal
/// components. With `align_with` (the previous frame of an animation) each axis
/// is flipped if needed to point the same way as before, so the scatter does
/// not mirror itself between snapshots.
///
/// ```
/// use llm_lens::model::word2vec::pca_2d;
/// // Points on a line along (1, 1, 0): all variance on the first axis.
/// let data = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 2.0, 2.0, 0.0, 3.0, 3.0, 0.0];
/// let p = pca_2d(&data, 4, 3, None);
/// assert!(p.explained[0] > 0.999);
/// assert!((p.points[3][0] - p.points[0][0]).abs() > 4.2); // 3·√2 apart
/// ```
pub fn pca_2d(data: &[f32], n: usize, dim: usize, align_with: Option<&Pca2d>) -> Pca2d {
    let n = n.min(data.len() / dim.max(1));
    if n == 0 || dim == 0 {
        return Pca2d {
            points: vec![[0.0, 0.0]; n],
            axes: [vec![0.0; dim], vec![0.0; dim]],
            explained: [0.0, 0.0],
        };
    }
    let rows = || data[..n * dim].chunks_exact(dim);
    let mut mean = vec![0.0f64; dim];
    for r in rows() {
        for (m, &x) in mean.iter_mut().zip(r) {
            *m += x as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    // Covariance, (dim, dim), upper triangle then mirrored.
    let mut cov = vec![0.0f64; dim * dim];
    let mut centred = vec![0.0f64; dim];
    for r in rows() {
        for ((c, &x), m) in centred.iter_mut().zip(r).zip(&mean) {
            *c = x as f64 - m;
        }
        for i in 0..dim {
            let ci = centred[i];
            let row = &mut cov[i * dim..(i + 1) * dim];
            for j in i..dim {
                row[j] += ci * centred[j];
            }
        }
    }
    for i in 0..dim {
        for j in i..dim {
            cov[i * dim + j] /= n as f64;
            cov[j * dim + i] = cov[i * dim + j];
        }
    }
    let total: f64 = (0..dim).map(|i| cov[i * dim + i]).sum();
    let (v1, l1) = top_eigenvector(&cov, dim, None);
    let (v2, l2) = top_eigenvector(&cov, dim, Some((&v1, l1)));
    let mut axes = [v1, v2];
    for (k, axis) in axes.iter_mut().enumerate() {
        let reference = align_with.map(|p| &p.axes[k]).filter(|a| a.len() == dim);
        let flip = match reference {
            Some(prev) => {
                axis.iter()
                    .zip(prev)
                    .map(|(a, b)| a * *b as f64)
                    .sum::<f64>()
                    < 0.0
            }
            // First frame: make the largest component positive.
            None => axis
                .iter()
                .copied()
                .max_by(|a, b| a.abs().total_cmp(&b.abs()))
                .is_some_and(|x| x < 0.0),
        };
        if flip {
            axis.iter_mut().for_each(|x| *x = -*x);
        }
    }
    let points = rows()
        .map(|r| {
            let mut p = [0.0f64; 2];
            for (k, axis) in axes.iter().enumerate() {
                p[k] = r
                    .iter()
                    .zip(&mean)
                    .zip(axis)
                    .map(|((&x, m), a)| (x as f64 - m) * a)
                    .sum();
            }
            [p[0] as f32, p[1] as f32]
        })
        .collect();
    let share = |l: f64| if total > 0.0 { (l / total) as f32 } else { 0.0 };
    Pca2d {
        points,
        explained: [share(l1), share(l2)],
        axes: axes.map(|a| a.into_iter().map(|x| x as f32).collect()),
    }
}

/// Power iteration: repeatedly multiply by the matrix and normalise; the vector
/// turns towards the eigenvector with the largest eigenvalue. `deflate` removes
/// an already-found component (λ v vᵀ) first, giving the second one.
fn top_eigenvector(cov: &[f64], dim: usize, deflate: Option<(&[f64], f64)>) -> (Vec<f64>, f64) {
    let apply = |v: &[f64], out: &mut [f64]| {
        for i in 0..dim {
            out[i] = cov[i * dim..(i + 1) * dim]
                .iter()
                .zip(v)
                .map(|(a, b)| a * b)
                .sum();
        }
        if let Some((u, l)) = deflate {
            let uv: f64 = u.iter().zip(v).map(|(a, b)| a * b).sum();
            for (o, &ui) in out.iter_mut().zip(u) {
                *o -= l * uv * ui;
            }
        }
    };
    // A fixed, generic start (not orthogonal to any axis in practice): deterministic.
    let mut v: Vec<f64> = (0..dim).map(|i| 1.0 + (i as f64 * 0.618).sin()).collect();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let n0 = norm(&v);
    v.iter_mut().for_each(|x| *x /= n0);
    let mut w = vec![0.0; dim];
    let mut lambda = 0.0;
    for _ in 0..1000 {
        apply(&v, &mut w);
        let nw = norm(&w);
        if nw == 0.0 {
            return (v, 0.0);
        }
        w.iter_mut().for_each(|x| *x /= nw);
        let change: f64 = w.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut v, &mut w);
        lambda = nw;
        if change < 1e-10 {
            break;
        }
    }
    (v, lambda)
}
