//! A vectorisable `exp` for the softmax and GELU loops of the CPU forward pass.

/// `eˣ` in f32 without a libm call, so loops over it vectorise (the GELU and
/// softmax loops were the slowest part of the pass with libm's `exp`).
/// Relative error below 2·10⁻⁷ for `x ≥ −60`; below that it returns exactly 0:
/// e⁻⁶⁰ ≈ 10⁻²⁶ is invisible next to the other terms of a softmax or GELU, and
/// tinier values would become subnormal floats downstream, which made the
/// matrix products of a real model several times slower.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³: adding and subtracting it rounds to an integer
    const LN2_HI: f32 = 0.693_359_4; // ln 2 split in two so that k·LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    let input = x;
    let x = x.clamp(-87.0, 88.0);
    let k = (x * std::f32::consts::LOG2_E + ROUND) - ROUND; // nearest integer to x/ln2
    let r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ ln2/2
    // Taylor series of eʳ to r⁷: truncation error < 3·10⁻⁹ on |r| ≤ 0.35.
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    // 2ᵏ from its exponent bits, k ∈ [−126, 127] after the clamp. Adding
    // ROUND puts the integer k + 127 in the low mantissa bits; the shift moves
    // it into the exponent field and drops ROUND's own bits (no float→int
    // conversion, which would stop vectorisation).
    let scale = f32::from_bits((k + (127.0 + ROUND)).to_bits() << 23);
    if input < -60.0 { 0.0 } else { p * scale }
}
