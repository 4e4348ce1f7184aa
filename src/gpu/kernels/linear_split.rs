//! `linear_split.wgsl` and `linear_split_sum.wgsl`: `y = x·Wᵀ + b` with K cut into
//! slices, for products too small to fill a large GPU even in 32×64 tiles (BERT's at a
//! few dozen tokens): the first kernel writes one partial product per slice, the
//! second adds them and the bias. CPU twin: `Linear::forward`.

use super::{KernelSpec, Launch, params, row_groups};
use crate::gpu::GpuError;

pub const SOURCE: &str = include_str!("linear_split.wgsl");
pub const SUM_SOURCE: &str = include_str!("linear_split_sum.wgsl");
pub const WORKGROUP_SIZE: [u32; 3] = [16, 8, 1];
pub const SUM_WORKGROUP_SIZE: [u32; 3] = [256, 1, 1];
/// `x`, `w`, then the partials; and for the sum, the partials, `b`, then `y`.
pub const STORAGE: usize = 3;
/// Rows and columns of `y` per workgroup of the first kernel.
pub const TILE_ROWS: u32 = 32;
pub const TILE_COLS: u32 = 64;
/// Slices K is cut into (fewer when K is short).
pub const SLICES: u32 = 4;
/// K per tile step: a slice is a whole number of them.
const BK: u32 = 16;

params! {
    /// `x` is `(rows × k)`, `w` is `(cols × k)`; each slice sums `k_slice` products.
    pub struct LinearSplitParams {
        pub rows: u32,
        pub k: u32,
        pub cols: u32,
        pub k_slice: u32,
    }
}

pub const SPEC: KernelSpec = KernelSpec {
    shared_consts: &[
        ("TILE_ROWS", TILE_ROWS),
        ("TILE_COLS", TILE_COLS),
        ("BK", BK),
    ],
    ..KernelSpec::new::<LinearSplitParams>("linear_split.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE)
};

pub const SUM_SPEC: KernelSpec = KernelSpec::new::<LinearSplitParams>(
    "linear_split_sum.wgsl",
    SUM_SOURCE,
    STORAGE,
    SUM_WORKGROUP_SIZE,
);

/// The parameters of a split product: K in at most [`SLICES`] slices of whole tiles.
fn split_params(rows: usize, k: usize, cols: usize) -> LinearSplitParams {
    let k = k as u32;
    let k_slice = k.div_ceil(SLICES).next_multiple_of(BK).max(BK);
    LinearSplitParams {
        rows: rows as u32,
        k,
        cols: cols as u32,
        k_slice,
    }
}

/// Slices a product of inner size `k` is cut into: the partials hold this many
/// `(rows × cols)` blocks.
pub fn slices(k: usize) -> usize {
    let p = split_params(1, k, 1);
    p.k.div_ceil(p.k_slice).max(1) as usize
}

/// The partial products: one workgroup per 32×64 block of `y` per slice.
pub(crate) fn launch(rows: usize, k: usize, cols: usize) -> Result<Launch, GpuError> {
    let params = split_params(rows, k, cols);
    Launch::checked(
        &params,
        [
            (cols as u32).div_ceil(TILE_COLS),
            (rows as u32).div_ceil(TILE_ROWS),
            slices(k) as u32,
        ],
    )
}

/// Their sum and the bias: 256 values of `y` per workgroup.
pub(crate) fn launch_sum(rows: usize, k: usize, cols: usize) -> Launch {
    let (_, groups) = row_groups((rows * cols).div_ceil(256));
    Launch::new(&split_params(rows, k, cols), groups)
}
