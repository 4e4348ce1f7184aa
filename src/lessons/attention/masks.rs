//! Step "masks": the learner's words (each a fixed random vector, as in the
//! positional-encoding step) with optional [PAD]s; a causal mask (decoder, GPT)
//! or none (encoder, BERT), and the padding mask on or off. The weights show the
//! masked cells at exactly 0; below, how much the real words' outputs change
//! because of the padding.

use ndarray::Array2;

use crate::model::masks::{allowed, masked_attention};
use crate::model::positional::word_vector;
use crate::widgets::Heatmap;
use crate::widgets::colormap::Scale;

const D: usize = 8;
const MAX_WORDS: usize = 10;

pub struct State {
    pub causal: bool,
    pub pads: usize,
    pub mask_padding: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            causal: false,
            pads: 2,
            mask_padding: true,
        }
    }
}

fn embed(words: &[String]) -> Array2<f32> {
    Array2::from_shape_fn((words.len(), D), |(i, j)| word_vector(&words[i], D)[j])
}

pub fn show(ui: &mut egui::Ui, state: &mut State, sentence: &str) {
    let real: Vec<String> = crate::model::text::split_words(sentence)
        .into_iter()
        .map(|p| p.text.to_lowercase())
        .take(MAX_WORDS)
        .collect();
    ui.horizontal(|ui| {
        ui.selectable_value(&mut state.causal, false, "bidirectional (encoder, BERT)");
        ui.selectable_value(&mut state.causal, true, "causal (decoder, GPT)");
    });
    ui.horizontal(|ui| {
        let l = ui.label("[PAD]s");
        ui.add(egui::Slider::new(&mut state.pads, 0..=3))
            .labelled_by(l.id);
        ui.checkbox(&mut state.mask_padding, "mask the padding");
    });
    let mut words = real.clone();
    words.extend(std::iter::repeat_n("[PAD]".to_owned(), state.pads));
    let n = words.len();
    let keys: Vec<bool> = (0..n)
        .map(|j| j < real.len() || !state.mask_padding)
        .collect();
    let ok = allowed(n, state.causal, &keys);
    let x = embed(&words);
    let (w, y) = masked_attention(&x, &ok);
    let masked = ok.iter().filter(|a| !**a).count();
    ui.label(format!(
        "{masked} of {} cells masked: their scores are set to −∞ before the softmax, so their weight is exactly 0.",
        n * n
    ));
    let values: Vec<f32> = w.iter().copied().collect();
    Heatmap::new("masked attention weights", &values, n, n)
        .labels(&words, &words)
        .scale(Scale::Probability)
        .max_cell(28.0)
        .show_values(true)
        .unit("weight (row: the word reading)")
        .show(ui);
    // The real words alone, with the same mask kind, for comparison.
    let alone_ok = allowed(real.len(), state.causal, &vec![true; real.len()]);
    let (_, alone) = masked_attention(&embed(&real), &alone_ok);
    let change = (0..real.len())
        .flat_map(|i| (0..D).map(move |j| (i, j)))
        .map(|(i, j)| (y[[i, j]] - alone[[i, j]]).abs())
        .fold(0.0f32, f32::max);
    ui.label(if state.pads == 0 {
        "Add [PAD]s to see what the padding mask is for.".to_owned()
    } else if change < 1e-6 {
        format!(
            "Your words' outputs are exactly what they are without the {} [PAD]s: the mask hides them.",
            state.pads
        )
    } else {
        format!(
            "Your words' outputs changed by up to {change:.3} because they attended to the [PAD]s."
        )
    });
    if state.causal {
        ui.small("Causal: the first word can only attend to itself, so its output is its own vector; the last word sees everything before it.");
    }
}
