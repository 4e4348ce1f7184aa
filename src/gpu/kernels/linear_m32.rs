//! `linear_m32.wgsl`: `y = x·Wᵀ + b` in 32×64 tiles, for products of few rows (a
//! sentence of 32–256 tokens) where 64×64 tiles leave a large GPU idle. Same
//! parameters and bindings as `linear.wgsl`. CPU twin: `Linear::forward`.

use super::linear::LinearParams;
use super::{KernelSpec, Launch};
use crate::gpu::GpuError;

pub const SOURCE: &str = include_str!("linear_m32.wgsl");
pub const WORKGROUP_SIZE: [u32; 3] = [16, 8, 1];
/// Rows of `y` per workgroup (the shader's `TILE_ROWS`).
pub const TILE_ROWS: u32 = 32;
/// Columns of `y` per workgroup (the shader's `TILE_COLS`).
pub const TILE_COLS: u32 = 64;

pub const SPEC: KernelSpec = KernelSpec {
    shared_consts: &[("TILE_ROWS", TILE_ROWS), ("TILE_COLS", TILE_COLS)],
    ..KernelSpec::new::<LinearParams>(
        "linear_m32.wgsl",
        SOURCE,
        super::linear::STORAGE,
        WORKGROUP_SIZE,
    )
};

/// `(rows × k) · (cols × k)ᵀ + b`: one workgroup per 32×64 block of `y`.
pub(crate) fn launch(rows: usize, k: usize, cols: usize) -> Result<Launch, GpuError> {
    Launch::checked(
        &LinearParams::new(rows, k, cols),
        [
            (cols as u32).div_ceil(TILE_COLS),
            (rows as u32).div_ceil(TILE_ROWS),
            1,
        ],
    )
}
