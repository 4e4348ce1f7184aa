//! The one range check every user-set number goes through before a model runs on it,
//! so a slider or a CLI flag can never feed NaN or a huge size into training.
//!
//! ```
//! use llm_lens::model::numerics::range::check_range;
//! assert!(check_range("scale", 0.5, 0.0, 10.0).is_ok());
//! assert!(check_range("scale", f64::NAN, 0.0, 10.0).is_err());
//! ```

/// A number outside its allowed range (or not finite). Each model's error type
/// turns it into its own variant, worded for that model's settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} must be a finite number between {min} and {max}, got {got}")]
pub struct OutOfRange {
    pub name: &'static str,
    pub got: f64,
    pub min: f64,
    pub max: f64,
}

/// `Ok` when `got` is finite and within `min..=max`.
pub fn check_range(name: &'static str, got: f64, min: f64, max: f64) -> Result<(), OutOfRange> {
    if got.is_finite() && got >= min && got <= max {
        Ok(())
    } else {
        Err(OutOfRange {
            name,
            got,
            min,
            max,
        })
    }
}
