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

/// Turns `new` in its plane (a rotation, or a rotation with a mirror) to lie as close
/// as it can to `prev`, the previous frame of the same points, so an animation of a
/// training run does not jump when the two axes swap or turn between snapshots. The
/// axes turn with the points (the picture stays a projection onto `axes`) and each
/// axis's share of the variance is recomputed. Nothing changes when the point counts
/// differ.
///
/// ```
/// use llm_lens::model::word2vec::pca::{Pca2d, align_to};
/// let prev = Pca2d { points: vec![[1.0, 0.0], [0.0, 2.0]], axes: [vec![1.0, 0.0], vec![0.0, 1.0]], explained: [0.2, 0.8] };
/// // The same points with the axes swapped.
/// let mut new = Pca2d { points: vec![[0.0, 1.0], [2.0, 0.0]], axes: [vec![0.0, 1.0], vec![1.0, 0.0]], explained: [0.8, 0.2] };
/// align_to(&prev, &mut new);
/// assert!((new.points[1][1] - 2.0).abs() < 1e-5 && new.points[0][0] > 0.99);
/// assert!((new.explained[1] - 0.8).abs() < 1e-5);
/// ```
pub fn align_to(prev: &Pca2d, new: &mut Pca2d) {
    if prev.points.len() != new.points.len() || new.points.is_empty() {
        return;
    }
    // m[a][b] = Σ new_a · prev_b; the best R maximises trace(R m).
    let mut m = [[0.0f64; 2]; 2];
    for (p, q) in new.points.iter().zip(&prev.points) {
        for a in 0..2 {
            for b in 0..2 {
                m[a][b] += f64::from(p[a]) * f64::from(q[b]);
            }
        }
    }
    let rot = (
        (m[0][1] - m[1][0]).atan2(m[0][0] + m[1][1]),
        (m[0][0] + m[1][1]).hypot(m[0][1] - m[1][0]),
    );
    let refl = (
        (m[0][1] + m[1][0]).atan2(m[0][0] - m[1][1]),
        (m[0][0] - m[1][1]).hypot(m[0][1] + m[1][0]),
    );
    let r: [[f64; 2]; 2] = if refl.1 > rot.1 {
        let (s, c) = refl.0.sin_cos();
        [[c, s], [s, -c]]
    } else {
        let (s, c) = rot.0.sin_cos();
        [[c, -s], [s, c]]
    };
    for p in &mut new.points {
        let (x, y) = (f64::from(p[0]), f64::from(p[1]));
        *p = [
            (r[0][0] * x + r[0][1] * y) as f32,
            (r[1][0] * x + r[1][1] * y) as f32,
        ];
    }
    let [a0, a1] = &new.axes;
    let turned: [Vec<f32>; 2] = [0, 1].map(|k| {
        a0.iter()
            .zip(a1)
            .map(|(&u, &v)| (r[k][0] * f64::from(u) + r[k][1] * f64::from(v)) as f32)
            .collect()
    });
    let e = new.explained;
    // The components are uncorrelated: a turned axis carries Σ r² λ.
    new.explained = [0, 1].map(|k| {
        (r[k][0] * r[k][0] * f64::from(e[0]) + r[k][1] * r[k][1] * f64::from(e[1])) as f32
    });
    new.axes = turned;
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

#[cfg(test)]
mod align_tests {
    use super::*;

    #[test]
    fn a_turned_and_mirrored_frame_is_turned_back_onto_the_previous_one() {
        let prev_points: Vec<[f32; 2]> = (0..20)
            .map(|i| {
                let t = i as f32 * 0.7;
                [t.cos() * (1.0 + i as f32 * 0.1), (2.0 * t).sin()]
            })
            .collect();
        let prev = Pca2d {
            points: prev_points.clone(),
            axes: [vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]],
            explained: [0.6, 0.3],
        };
        for mirror in [false, true] {
            let (s, c) = 0.52f32.sin_cos();
            let points = prev_points
                .iter()
                .map(|p| {
                    let y = if mirror { -p[1] } else { p[1] };
                    [c * p[0] - s * y, s * p[0] + c * y]
                })
                .collect();
            let mut new = Pca2d {
                points,
                axes: [vec![c, s, 0.0], vec![-s, c, 0.0]],
                explained: [0.45, 0.45],
            };
            align_to(&prev, &mut new);
            for (a, b) in new.points.iter().zip(&prev_points) {
                assert!(
                    (a[0] - b[0]).abs() < 1e-4 && (a[1] - b[1]).abs() < 1e-4,
                    "{a:?} {b:?}"
                );
            }
            let total: f32 = new.explained.iter().sum();
            assert!((total - 0.9).abs() < 1e-5, "the plane keeps its variance");
            for axis in &new.axes {
                let norm: f32 = axis.iter().map(|x| x * x).sum();
                assert!((norm - 1.0).abs() < 1e-5, "axes stay unit length");
            }
        }
    }
}
