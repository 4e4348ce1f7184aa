//! A small, seedable random number generator (SplitMix64), so a run with a seed
//! and one thread is reproducible bit for bit on every platform.

/// SplitMix64 (Steele, Lea & Flood 2014): one add, two xor-shift-multiplies.
/// Fast enough to draw every window size, subsampling coin and negative.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// `seed` 0 is fine: the state is advanced before every output.
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// A generator for worker `stream` derived from one seed, so threads draw
    /// different numbers.
    pub fn for_stream(seed: u64, stream: u64) -> Rng {
        let mut base = Rng::new(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        Rng::new(base.next_u64())
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; bias below 2^-32 for the
    /// small `n` used here).
    #[inline(always)]
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * n as u64) >> 32) as u32
    }

    /// Uniform in `[0, 1)` with 24 random bits.
    #[inline(always)]
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u64 << 24) as f32)
    }
}
