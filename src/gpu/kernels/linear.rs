//! `linear.wgsl`: `y = x·Wᵀ + b`, register-tiled. CPU twin: `Linear::forward`.

use super::{KernelSpec, Launch, params};
use crate::gpu::GpuError;

pub const SOURCE: &str = include_str!("linear.wgsl");
pub const WORKGROUP_SIZE: [u32; 3] = [16, 16, 1];
/// `x`, `w`, `b`, then the output `y`.
pub const STORAGE: usize = 4;
/// Output tile edge (the shader's `TILE`): one workgroup computes a `TILE × TILE`
/// block of `y`, each of its 16×16 threads a 4×4 grid.
pub const TILE: u32 = 64;

params! {
    /// `x` is `(rows × k)`, `w` is `(cols × k)`.
    pub struct LinearParams {
        pub rows: u32,
        pub k: u32,
        pub cols: u32,
        pub _pad: u32,
    }
}

pub const SPEC: KernelSpec = KernelSpec {
    shared_consts: &[("TILE", TILE)],
    ..KernelSpec::new::<LinearParams>("linear.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE)
};

/// `(rows × k) · (cols × k)ᵀ + b`: one workgroup per output tile.
pub(crate) fn launch(rows: usize, k: usize, cols: usize) -> Result<Launch, GpuError> {
    let params = LinearParams {
        rows: rows as u32,
        k: k as u32,
        cols: cols as u32,
        _pad: 0,
    };
    Launch::checked(
        &params,
        [
            (cols as u32).div_ceil(TILE),
            (rows as u32).div_ceil(TILE),
            1,
        ],
    )
}
