//! Reusable drawing for every lesson: colour scales, heatmaps, token strips and charts.
//! Widgets draw what they are given and never compute the maths they show.

pub mod bar;
pub mod chart;
pub mod chart_font;
pub mod chart_text;
pub mod colormap;
pub mod export;
pub mod fonts;
pub mod heatmap;
pub mod label_placer;
pub mod markdown;
pub mod matrix_image;
pub mod token_strip;
pub mod token_window;

pub use colormap::Scale;
pub use heatmap::Heatmap;
pub use token_strip::{TokenChip, token_strip, token_strip_linked};
