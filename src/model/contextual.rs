//! Why a word needs its context: the *static* vector of a word (its row of the
//! model's input word-embedding table, the same in every sentence) against its
//! *contextual* vector (the last layer's hidden state at that word, which attention
//! has mixed with the rest of the sentence). A word cut into several WordPiece
//! pieces gets the mean of its pieces' vectors, both static and contextual.

use std::ops::Range;

use ndarray::{ArrayView2, s};

use crate::model::bert::pretrained::PretrainedBert;
use crate::model::text::quote::quote;
use crate::model::tokenize::ModelInput;

/// One word of an encoded input: its text as the tokeniser saw it and its pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The pieces joined without their `##` (the original text for `[UNK]`).
    pub text: String,
    /// Token positions of its pieces.
    pub pieces: Range<usize>,
}

/// Groups an input's tokens into words: a piece starting with `##` continues the
/// word before it. The `[CLS]`/`[SEP]` the tokeniser added are left out.
pub fn words(input: &ModelInput, text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    for (i, token) in input.tokens.iter().enumerate() {
        if input.special_mask.get(i).copied().unwrap_or(true) {
            continue;
        }
        if let Some(rest) = token.strip_prefix("##")
            && let Some(last) = out.last_mut()
            && last.pieces.end == i
        {
            last.text.push_str(rest);
            last.pieces.end = i + 1;
            continue;
        }
        // An unknown word keeps its own spelling, so two different ones never match.
        let spelled = if token == "[UNK]" {
            input
                .offsets
                .get(i)
                .and_then(|&(a, b)| text.get(a..b))
                .map(str::to_lowercase)
                .unwrap_or_else(|| token.clone())
        } else {
            token.clone()
        };
        out.push(Word {
            text: spelled,
            pieces: i..i + 1,
        });
    }
    out
}

/// A word's two vectors in one sentence, each `(hidden)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The word's WordPiece pieces.
    pub pieces: Vec<String>,
    /// Mean of the pieces' rows of the input word-embedding table.
    pub static_vec: Vec<f32>,
    /// Mean of the last layer's hidden states at the pieces.
    pub contextual: Vec<f32>,
}

/// Where a word was looked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(Reading),
    /// The sentence does not contain the word.
    Absent,
    /// The word is only past the model's positions, which [`PretrainedBert::fit`] cuts.
    PastTheEnd {
        max: usize,
    },
}

/// Mean of `rows` of `m` `(tokens × hidden)`, as a `(hidden)` vector.
fn mean_rows(m: ArrayView2<'_, f32>, rows: Range<usize>) -> Vec<f32> {
    let n = rows.len().max(1) as f32;
    let picked = m.slice(s![rows, ..]); // (pieces × hidden)
    picked.sum_axis(ndarray::Axis(0)).mapv(|v| v / n).to_vec()
}

/// The static vector of the pieces `ids`: the mean of their rows of the table.
pub fn static_vector(bert: &PretrainedBert, ids: &[u32]) -> Result<Vec<f32>, String> {
    let table = &bert.model.weights.embeddings.word; // (vocab × hidden)
    let mut sum = vec![0.0f32; table.ncols()];
    for &id in ids {
        let row = table
            .outer_iter()
            .nth(id as usize)
            .ok_or_else(|| format!("token id {id} is outside the embedding table"))?;
        for (s, v) in sum.iter_mut().zip(row) {
            *s += v;
        }
    }
    let n = ids.len().max(1) as f32;
    Ok(sum.into_iter().map(|v| v / n).collect())
}

/// Reads `text` with the model and returns the first occurrence of `word` (as
/// [`words`] spells it) with both of its vectors.
pub fn read_word(bert: &PretrainedBert, text: &str, word: &str) -> Result<Lookup, String> {
    let full = bert.model.encode(text, None);
    let input = bert.fit(full.clone());
    let Some(found) = words(&input, text).into_iter().find(|w| w.text == word) else {
        let later = words(&full, text).iter().any(|w| w.text == word);
        return Ok(if later {
            Lookup::PastTheEnd {
                max: bert.max_tokens(),
            }
        } else {
            Lookup::Absent
        });
    };
    let trace = bert.run_masked(&input, None)?;
    let last = trace
        .layers
        .last()
        .map(|l| l.output.view()) // (tokens × hidden)
        .ok_or("the model has no layers")?;
    let ids = &input.ids[found.pieces.clone()];
    Ok(Lookup::Found(Reading {
        pieces: input.tokens[found.pieces.clone()].to_vec(),
        static_vec: static_vector(bert, ids)?,
        contextual: mean_rows(last, found.pieces),
    }))
}

/// A reference word read on its own (`[CLS] word [SEP]`): its static vector and
/// its contextual vector with no other word to mix in.
pub fn read_alone(bert: &PretrainedBert, word: &str) -> Result<Reading, String> {
    let input = bert.model.encode(word, None);
    let first = words(&input, word)
        .into_iter()
        .next()
        .ok_or_else(|| format!("{} has no tokens", quote(word)))?;
    match read_word(bert, word, &first.text)? {
        Lookup::Found(r) => Ok(r),
        _ => Err(format!("{} could not be read", quote(word))),
    }
}

/// Cosine similarity, clamped to [−1, 1]; 0 when either vector is all zeros.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 || !(ab / (aa * bb).sqrt()).is_finite() {
        return 0.0;
    }
    (ab / (aa * bb).sqrt()).clamp(-1.0, 1.0) as f32
}

/// Largest absolute difference between two vectors (`f32::INFINITY` if their
/// lengths differ).
pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tokenize::WordPiece;
    use crate::model::tokenize::basic::BasicTokenizer;

    const RIVER: &str = "Write a poem about a man fishing on a river bank.";
    const MONEY: &str = "Write a poem about a man withdrawing money from a bank.";

    fn found(l: Lookup) -> Reading {
        match l {
            Lookup::Found(r) => r,
            other => panic!("bank not found: {other:?}"),
        }
    }

    #[test]
    fn pieces_group_into_words_and_unknown_words_keep_their_spelling() {
        let wp = WordPiece::from_vocab_txt(
            "[UNK]\n[CLS]\n[SEP]\nbank\n##s\nriver\n",
            BasicTokenizer::uncased(),
        )
        .unwrap();
        let text = "Banks river zzz";
        let input = wp.encode(text);
        assert_eq!(
            input.tokens,
            ["[CLS]", "bank", "##s", "river", "[UNK]", "[SEP]"]
        );
        let w = words(&input, text);
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["banks", "river", "zzz"]);
        assert_eq!(w[0].pieces, 1..3);
    }

    #[test]
    fn static_vectors_are_the_table_row_and_contextual_ones_the_last_layer() {
        let bert = PretrainedBert::builtin().expect("the shipped model loads");
        let (a, b) = (
            found(read_word(&bert, RIVER, "bank").unwrap()),
            found(read_word(&bert, MONEY, "bank").unwrap()),
        );
        // Static: the embedding row, bit for bit, in both sentences.
        let input = bert.fit(bert.model.encode(RIVER, None));
        let at = input.tokens.iter().position(|t| t == "bank").unwrap();
        let row = bert
            .model
            .weights
            .embeddings
            .word
            .row(input.ids[at] as usize)
            .to_vec();
        assert_eq!(a.static_vec, row);
        assert_eq!(a.static_vec, b.static_vec);
        // …which is also what the forward pass looked up.
        let trace = bert.run_masked(&input, None).unwrap();
        assert_eq!(trace.embeddings.token.row(at).to_vec(), row);
        // Contextual: the last layer's row, and not the same in the other sentence.
        let last = &trace.layers.last().unwrap().output;
        assert_eq!(a.contextual, last.row(at).to_vec());
        assert!(max_diff(&a.contextual, &b.contextual) > 1e-3);
        // Every cosine the view prints is a cosine.
        let money = read_alone(&bert, "money").unwrap();
        for r in [&a, &b] {
            for c in [
                cosine(&r.static_vec, &money.static_vec),
                cosine(&r.contextual, &money.contextual),
            ] {
                assert!((-1.0..=1.0).contains(&c), "{c}");
            }
        }
        assert_eq!(read_word(&bert, RIVER, "money").unwrap(), Lookup::Absent);
    }

    #[test]
    fn a_split_word_averages_its_pieces_and_a_cut_word_says_so() {
        let bert = PretrainedBert::builtin().expect("the shipped model loads");
        let text = "zqxjv bank";
        let input = bert.model.encode(text, None);
        let w = words(&input, text);
        let first = &w[0];
        assert!(first.pieces.len() > 1, "{:?}", input.tokens);
        let r = found(read_word(&bert, text, &first.text).unwrap());
        let ids = &input.ids[first.pieces.clone()];
        let table = &bert.model.weights.embeddings.word;
        for (j, v) in r.static_vec.iter().enumerate() {
            let mean = ids.iter().map(|&i| table[[i as usize, j]]).sum::<f32>() / ids.len() as f32;
            assert!((v - mean).abs() < 1e-6);
        }
        let long = format!("{} river", "word ".repeat(600));
        assert!(matches!(
            read_word(&bert, &long, "river").unwrap(),
            Lookup::PastTheEnd { .. }
        ));
    }

    #[test]
    fn cosine_of_a_vector_with_itself_is_one() {
        let v = [0.3f32, -1.2, 4.0, 0.0];
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-6);
        let neg: Vec<f32> = v.iter().map(|x| -x).collect();
        assert!((cosine(&v, &neg) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&v, &[0.0; 4]), 0.0);
    }
}
