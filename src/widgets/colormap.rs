//! The app's one colour language (see lesson-style.md): one sequential scale for values in
//! 0–1 (attention weights, probabilities) and one diverging scale centred on zero for
//! signed values (activations, embeddings, gradients).

use egui::Color32;

/// How numbers map to colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Weights and probabilities: 0 → pale, 1 → dark.
    Probability,
    /// Any non-negative range `min..max`, same colours as [`Scale::Probability`].
    Sequential { min: f32, max: f32 },
    /// Signed values: `-max_abs` → blue, 0 → white, `+max_abs` → red.
    Diverging { max_abs: f32 },
}

impl Scale {
    /// A diverging scale wide enough for every value in `values`.
    pub fn diverging_for(values: &[f32]) -> Self {
        let max_abs = values
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0f32, |m, v| m.max(v.abs()));
        Self::Diverging {
            max_abs: if max_abs > 0.0 { max_abs } else { 1.0 },
        }
    }

    /// A sequential scale from the smallest to the largest finite value.
    pub fn sequential_for(values: &[f32]) -> Self {
        let (min, max) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        if min.is_finite() && max > min {
            Self::Sequential { min, max }
        } else {
            Self::Probability
        }
    }

    /// The ends of the scale, for the legend.
    pub fn range(&self) -> (f32, f32) {
        match *self {
            Self::Probability => (0.0, 1.0),
            Self::Sequential { min, max } => (min, max),
            Self::Diverging { max_abs } => (-max_abs, max_abs),
        }
    }

    /// The colour of `value` on a dark background: the sequential ramp runs the other
    /// way, so zero is dark and the largest value the brightest (a pale zero would be
    /// the brightest thing on a dark screen). The diverging scale is unchanged.
    pub fn color_on(&self, value: f32, dark: bool) -> Color32 {
        match self {
            Self::Probability | Self::Sequential { .. } if dark && value.is_finite() => {
                let (lo, hi) = self.range();
                let t = if hi > lo {
                    (value - lo) / (hi - lo)
                } else {
                    0.0
                };
                sequential(1.0 - t.clamp(0.0, 1.0))
            }
            _ => self.color(value),
        }
    }

    /// The colour of `value`. Non-finite values are grey so they stand out.
    pub fn color(&self, value: f32) -> Color32 {
        if !value.is_finite() {
            return Color32::from_gray(128);
        }
        let (lo, hi) = self.range();
        let t = if hi > lo {
            (value - lo) / (hi - lo)
        } else {
            0.0
        };
        match self {
            Self::Diverging { .. } => diverging(t),
            _ => sequential(t),
        }
    }
}

/// Pale yellow → green → blue → deep purple; `t` in 0..1, clamped.
pub fn sequential(t: f32) -> Color32 {
    const STOPS: [[u8; 3]; 5] = [
        [255, 252, 218],
        [161, 218, 180],
        [65, 182, 196],
        [34, 94, 168],
        [37, 30, 90],
    ];
    interpolate(&STOPS, t)
}

/// Blue → white → red; `t` = 0.5 is zero.
pub fn diverging(t: f32) -> Color32 {
    const STOPS: [[u8; 3]; 5] = [
        [33, 102, 172],
        [146, 197, 222],
        [247, 247, 247],
        [244, 165, 130],
        [178, 24, 43],
    ];
    interpolate(&STOPS, t)
}

fn interpolate(stops: &[[u8; 3]], t: f32) -> Color32 {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (stops.len() - 1) as f32;
    let i = (x.floor() as usize).min(stops.len() - 2);
    let f = x - i as f32;
    let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * f).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    Color32::from_rgb(mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2]))
}

/// Black or white, whichever reads better on `background`.
pub fn text_on(background: Color32) -> Color32 {
    let [r, g, b, _] = background.to_array();
    let luma = 0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32;
    if luma > 140.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brightness(c: Color32) -> u32 {
        u32::from(c.r()) + u32::from(c.g()) + u32::from(c.b())
    }

    #[test]
    fn on_a_dark_background_zero_attention_is_not_the_brightest() {
        let s = Scale::Probability;
        assert!(brightness(s.color_on(0.0, true)) < brightness(s.color_on(1.0, true)));
        assert_eq!(
            s.color_on(0.3, false),
            s.color(0.3),
            "light theme unchanged"
        );
        let d = Scale::Diverging { max_abs: 2.0 };
        assert_eq!(d.color_on(-1.0, true), d.color(-1.0));
    }

    #[test]
    fn diverging_is_white_at_zero_and_ends_differ() {
        let s = Scale::Diverging { max_abs: 2.0 };
        assert_eq!(s.color(0.0), Color32::from_rgb(247, 247, 247));
        assert_ne!(s.color(-2.0), s.color(2.0));
        assert_eq!(s.color(5.0), s.color(2.0), "values past the end clamp");
        assert_eq!(s.color(f32::NAN), Color32::from_gray(128));
    }

    #[test]
    fn sequential_darkens_monotonically() {
        let luma = |c: Color32| c.r() as u32 + c.g() as u32 + c.b() as u32;
        let mut last = u32::MAX;
        for i in 0..=10 {
            let l = luma(Scale::Probability.color(i as f32 / 10.0));
            assert!(l <= last, "step {i}");
            last = l;
        }
        assert_eq!(Scale::sequential_for(&[2.0, 4.0]).range(), (2.0, 4.0));
        assert_eq!(Scale::diverging_for(&[-3.0, 1.0]).range(), (-3.0, 3.0));
    }
}
