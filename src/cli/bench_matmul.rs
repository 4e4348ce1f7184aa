//! `llm-lens bench --matmul N|MxKxN`: the GPU linear kernels' throughput on one
//! product shape, every tiling timed and the one the forward pass picks marked, so a
//! run on a new GPU shows whether the choice by shape is right.

use crate::compute::{BackendChoice, BackendStatus, Compute};
use crate::gpu::kernels::linear::Tile;

/// Largest edge `--matmul` takes (a vocabulary of 30,522 is a real N).
const MAX_EDGE: usize = 65_536;
/// Most values in any one of the three matrices: the old square limit, 8192².
const MAX_VALUES: usize = 8192 * 8192;

/// `(rows × k) · (cols × k)ᵀ`: M, K, N as `--matmul` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub m: usize,
    pub k: usize,
    pub n: usize,
}

impl std::str::FromStr for Shape {
    type Err = String;

    /// "N" (square) or "MxKxN"; each from 1 to 65,536, each matrix at most 8192².
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "--matmul takes N or MxKxN, each from 1 to {MAX_EDGE}, each matrix at most 8192×8192 values"
            )
        };
        let edges: Vec<usize> = s
            .split(['x', 'X', '×'])
            .map(|e| e.trim().parse::<usize>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let shape = match edges[..] {
            [n] => Self { m: n, k: n, n },
            [m, k, n] => Self { m, k, n },
            _ => return Err(bad()),
        };
        if [shape.m, shape.k, shape.n]
            .iter()
            .any(|&e| e == 0 || e > MAX_EDGE)
            || [shape.m * shape.k, shape.n * shape.k, shape.m * shape.n]
                .iter()
                .any(|&v| v > MAX_VALUES)
        {
            return Err(bad());
        }
        Ok(shape)
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}x{}", self.m, self.k, self.n)
    }
}

/// Times every tiling on `shape` (`runs` dispatches each) and prints GFLOP/s.
pub fn run(shape: Shape, runs: usize, json: bool) -> Result<(), String> {
    let compute = Compute::blocking(BackendChoice::Gpu);
    let (Some(ctx), BackendStatus::Gpu { adapter }) = (compute.gpu(), compute.status()) else {
        return Err(format!("no GPU to benchmark: {}", compute.status().label()));
    };
    let Shape { m, k, n } = shape;
    let chosen = Tile::for_shape(m, k, n);
    let flops = 2.0 * m as f64 * k as f64 * n as f64;
    // A tiling the device cannot hold at this size (split-K's partials are four times
    // y) is reported and skipped; only the chosen one must run.
    let rows: Vec<(Tile, Result<f64, String>)> = Tile::ALL
        .into_iter()
        .map(|tile| {
            let seconds = ctx.time_linear(tile, m, k, n, runs);
            (tile, seconds.map_err(|e| e.to_string()))
        })
        .collect();
    let seconds = match rows.iter().find(|(t, _)| *t == chosen) {
        Some((_, Ok(s))) => *s,
        Some((_, Err(e))) => return Err(e.clone()),
        None => return Err("the chosen tiling was not timed".to_owned()),
    };
    let gflops = flops / seconds / 1e9;
    if json {
        let tiles: Vec<serde_json::Value> = rows
            .iter()
            .map(|(t, r)| match r {
                Ok(s) => serde_json::json!({"tile": t.name(), "ms_per_dispatch": s * 1e3, "gflops": flops / s / 1e9}),
                Err(e) => serde_json::json!({"tile": t.name(), "error": e}),
            })
            .collect();
        crate::outln!(
            "{}",
            serde_json::json!({"matmul": shape.to_string(), "m": m, "k": k, "n": n, "backend": "gpu", "adapter": adapter, "runs": runs, "tile": chosen.name(), "ms_per_dispatch": seconds * 1e3, "gflops": gflops, "tiles": tiles})
        );
        return Ok(());
    }
    for (tile, result) in rows {
        let mark = if tile == chosen { ", chosen" } else { "" };
        match result {
            Ok(seconds) => crate::outln!(
                "linear {m}×{k}·({n}×{k})ᵀ, tile {}{mark}, on GPU {adapter}: {:.3} ms per dispatch, {:.1} GFLOP/s over {runs} dispatches",
                tile.name(),
                seconds * 1e3,
                flops / seconds / 1e9,
            ),
            Err(e) => crate::outln!(
                "linear {m}×{k}·({n}×{k})ᵀ, tile {}: not timed: {e}",
                tile.name()
            ),
        }
    }
    Ok(())
}
