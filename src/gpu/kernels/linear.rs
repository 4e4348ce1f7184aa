//! `linear.wgsl`: `y = x·Wᵀ + b`, register-tiled. CPU twin: `Linear::forward`.
//! [`Tile::for_shape`] picks it, `linear_m32.wgsl` or the split-K pair
//! (`linear_split.rs`) by the product's shape.

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

impl LinearParams {
    pub(crate) fn new(rows: usize, k: usize, cols: usize) -> Self {
        Self {
            rows: rows as u32,
            k: k as u32,
            cols: cols as u32,
            _pad: 0,
        }
    }
}

pub const SPEC: KernelSpec = KernelSpec {
    shared_consts: &[("TILE", TILE)],
    ..KernelSpec::new::<LinearParams>("linear.wgsl", SOURCE, STORAGE, WORKGROUP_SIZE)
};

/// The tilings of a linear product, each its own kernel with the same bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tile {
    /// `linear.wgsl`: 64×64 blocks of `y`.
    Square64,
    /// `linear_m32.wgsl`: 32×64 blocks, twice the workgroups for the same rows.
    Rows32,
    /// `linear_split.wgsl` then `linear_split_sum.wgsl`: 32×64 blocks with K cut in up
    /// to four slices, four times the workgroups again, for one extra pass over `y`.
    SplitK,
}

/// 64×64 tiles below which a product counts as skinny: a large GPU (an H200 has 132
/// multiprocessors) keeps several such workgroups in flight on each.
const SKINNY_TILES: u32 = 1024;
/// 32×64 tiles below which a product with a long K is split.
const SPLIT_TILES: u32 = 256;
/// Shortest K worth splitting: each slice still runs 12 or more 16-wide steps.
const SPLIT_MIN_K: usize = 768;
/// Most values of `y` a product [`Tile::for_shape`] splits can have (fewer than
/// [`SPLIT_TILES`] 32×64 blocks): what the forward pass's partials must hold per slice.
pub const SPLIT_MAX_OUTPUT: usize = (SPLIT_TILES * 32 * 64) as usize;

impl Tile {
    pub const ALL: [Self; 3] = [Self::Square64, Self::Rows32, Self::SplitK];

    /// "64x64", "32x64" (rows × columns of `y` per workgroup).
    pub fn name(self) -> &'static str {
        match self {
            Self::Square64 => "64x64",
            Self::Rows32 => "32x64",
            Self::SplitK => "32x64 split-K",
        }
    }

    /// The tiling for `(rows × k) · (cols × k)ᵀ`: 64×64 when there are enough of its
    /// tiles to fill a large GPU (its larger blocks reuse each loaded value more); else
    /// 32×64 (BERT at 32–256 tokens), split along K as well when even those are few
    /// and K is long (BERT-base at a few dozen tokens).
    pub fn for_shape(rows: usize, k: usize, cols: usize) -> Self {
        let (rows, cols) = (rows as u32, cols as u32);
        if rows.div_ceil(TILE) * cols.div_ceil(TILE) >= SKINNY_TILES {
            Self::Square64
        } else if k >= SPLIT_MIN_K && rows.div_ceil(32) * cols.div_ceil(64) < SPLIT_TILES {
            Self::SplitK
        } else {
            Self::Rows32
        }
    }

    /// The launch of this tiling's (first) kernel; split-K's sum is
    /// [`linear_split::launch_sum`](super::linear_split::launch_sum).
    pub(crate) fn launch(self, rows: usize, k: usize, cols: usize) -> Result<Launch, GpuError> {
        match self {
            Self::Square64 => Launch::checked(
                &LinearParams::new(rows, k, cols),
                [
                    (cols as u32).div_ceil(TILE),
                    (rows as u32).div_ceil(TILE),
                    1,
                ],
            ),
            Self::Rows32 => super::linear_m32::launch(rows, k, cols),
            Self::SplitK => super::linear_split::launch(rows, k, cols),
        }
    }
}

/// `(rows × k) · (cols × k)ᵀ + b` with the tiling [`Tile::for_shape`] picks.
pub(crate) fn launch(rows: usize, k: usize, cols: usize) -> Result<Launch, GpuError> {
    Tile::for_shape(rows, k, cols).launch(rows, k, cols)
}
