//! Decoding: ids back to text, and what the trip loses. Byte-level BPE stores bytes, so
//! concatenating its tokens gives back the input exactly; WordPiece stores normalised
//! pieces, so its text comes back lower-cased (if uncased), without accents, and with
//! spaces guessed from the word boundaries it kept.
//!
//! ```
//! use llm_lens::model::tokenize::{basic::BasicTokenizer, wordpiece::WordPiece};
//! use llm_lens::model::tokenize::decode::wordpiece_decode;
//! let wp = WordPiece::from_vocab_txt("[UNK]\n[CLS]\n[SEP]\ncafe\nis\nopen\n##s\n.\n", BasicTokenizer::uncased())?;
//! let enc = wp.encode("Café   opens.");
//! assert_eq!(wordpiece_decode(&wp, &enc.ids), "cafe opens.");
//! # Ok::<(), llm_lens::model::tokenize::TokenizeError>(())
//! ```

use unicode_normalization::UnicodeNormalization;

use super::wordpiece::WordPiece;

/// Ids back to text as BERT tokenisers do: special tokens dropped, `##` pieces glued to
/// the previous one, other pieces separated by one space, then the space before
/// punctuation that ends a phrase removed (`bank .` → `bank.`).
pub fn wordpiece_decode(wp: &WordPiece, ids: &[u32]) -> String {
    let mut out = String::new();
    for &id in ids {
        let Some(tok) = wp.id_to_token(id) else {
            continue;
        };
        if is_added_special(tok) {
            continue;
        }
        match tok.strip_prefix("##") {
            Some(rest) => out.push_str(rest),
            None => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(tok);
            }
        }
    }
    clean_up_spaces(&out)
}

/// The markers a BERT tokeniser adds around the text; `[UNK]` stays, since it stands
/// for text.
fn is_added_special(tok: &str) -> bool {
    matches!(tok, "[CLS]" | "[SEP]" | "[PAD]")
}

/// Removes the space that piece-joining put before closing punctuation and English
/// contractions (`do n't` → `don't` is out of reach: BERT cut `don ' t`).
fn clean_up_spaces(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in [
        (" .", "."),
        (" ,", ","),
        (" !", "!"),
        (" ?", "?"),
        (" ;", ";"),
        (" :", ":"),
        (" ' ", "'"),
        (" )", ")"),
        ("( ", "("),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// What a round trip changed, each found by comparing the input with the output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundTrip {
    pub exact: bool,
    /// Upper-case letters in the input that came back lower-case.
    pub case_lost: usize,
    /// Characters that lost an accent (a combining mark under NFD).
    pub accents_lost: usize,
    /// Whether the spacing differs once case and accents are set aside.
    pub spaces_changed: bool,
    /// Whether more than case, accents and spacing changed (e.g. `[UNK]`, or compatibility
    /// forms such as full-width letters).
    pub other_changed: bool,
    /// `[UNK]` pieces in the output: text the vocabulary could not write at all.
    pub unknown: usize,
}

fn strip_accents(s: &str) -> String {
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

/// Compares `input` with `decoded` to name what was lost.
pub fn compare(input: &str, decoded: &str) -> RoundTrip {
    let exact = input == decoded;
    let case_lost = if exact {
        0
    } else {
        // `[UNK]` is the tokeniser's marker, not the learner's capitals.
        let lower_out = !decoded.replace("[UNK]", "").chars().any(char::is_uppercase);
        if lower_out {
            input.chars().filter(|c| c.is_uppercase()).count()
        } else {
            0
        }
    };
    let accents_lost = if exact {
        0
    } else {
        let out_marks = decoded
            .nfd()
            .filter(|c| unicode_normalization::char::is_combining_mark(*c))
            .count();
        let in_marks = input
            .nfd()
            .filter(|c| unicode_normalization::char::is_combining_mark(*c))
            .count();
        in_marks.saturating_sub(out_marks)
    };
    let unknown = decoded.matches("[UNK]").count();
    let plain = |s: &str| strip_accents(&s.to_lowercase());
    let squash = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let (a, b) = (plain(input), plain(decoded));
    let (sa, sb) = (squash(&a), squash(&b));
    // Once case and accents are set aside, the same characters spaced differently.
    let spaces_changed = !exact && sa == sb && a != b;
    let other_changed = !exact && sa != sb;
    RoundTrip {
        exact,
        case_lost,
        accents_lost,
        spaces_changed,
        other_changed,
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tokenize::bert_base::bert_base_uncased;

    #[test]
    fn bert_loses_case_accents_and_spaces() {
        let wp = bert_base_uncased();
        let text = "The Café  opened (again), didn't it?";
        let back = wordpiece_decode(wp, &wp.encode(text).ids);
        assert_eq!(back, "the cafe opened (again), didn't it?");
        let rt = compare(text, &back);
        assert!(!rt.exact);
        assert_eq!((rt.case_lost, rt.accents_lost, rt.unknown), (2, 1, 0));
        assert!(rt.spaces_changed && !rt.other_changed);
    }

    #[test]
    fn an_exact_trip_loses_nothing() {
        let rt = compare("Déjà vu", "Déjà vu");
        assert_eq!(
            rt,
            RoundTrip {
                exact: true,
                ..RoundTrip::default()
            }
        );
        let rt = compare("a b", "ab");
        assert!(rt.spaces_changed && rt.case_lost == 0 && !rt.other_changed);
        let rt = compare("A 银 b", "a [UNK] b");
        assert!(rt.other_changed && !rt.spaces_changed && rt.unknown == 1);
        assert_eq!(rt.case_lost, 1);
    }
}
