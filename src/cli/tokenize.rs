//! `llm-lens tokenize`: one tokeniser on one text, as JSON or a table.

use std::sync::atomic::AtomicBool;

use crate::model::text::bounded;
use crate::model::tokenize::WordPiece;
use crate::model::tokenize::bpe_train::{self, BpeConfig};
use crate::model::tokenize::char_word::{Unit, UnitTokenizer};
use crate::model::tokenize::pieces::TokenPieces;
use crate::model::tokenize::tiktoken_bpe::TiktokenBpe;
use crate::model::tokenize::unigram::{self, UnigramConfig};

/// A small built-in training text, used when `--vocab` is not given (the shipped
/// corpus will replace it).
pub const SAMPLE: &str = "We the People of the United States, in Order to form a more perfect \
Union, establish Justice, insure domestic Tranquility, provide for the common defence, promote \
the general Welfare, and secure the Blessings of Liberty to ourselves and our Posterity, do \
ordain and establish this Constitution for the United States of America. The President shall \
from time to time give to the Congress Information of the State of the Union, and recommend to \
their Consideration such Measures as he shall judge necessary and expedient.";

/// Largest training text (`--vocab` for chars, words, bpe and unigram).
pub const MAX_TRAINING_TEXT_BYTES: u64 = 256 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenizerKind {
    Chars,
    Words,
    Bpe,
    Wordpiece,
    Unigram,
    R50k,
    Cl100k,
    O200k,
}

#[derive(Debug, Clone, clap::Args)]
pub struct TokenizeArgs {
    /// Which tokeniser.
    #[arg(long, value_enum)]
    pub tokenizer: TokenizerKind,
    /// Training text for chars/words/bpe/unigram (default: a small built-in sample).
    #[arg(long)]
    pub vocab: Option<std::path::PathBuf>,
    /// Treat special tokens such as `<|endoftext|>` as special (default: plain text).
    #[arg(long)]
    pub special: bool,
    /// The text to tokenise (it may start with `-`).
    #[arg(
        long,
        allow_hyphen_values = true,
        required_unless_present = "text_file",
        conflicts_with = "text_file",
        default_value = ""
    )]
    pub text: String,
    /// Read the text from FILE instead (`-`: standard input), for texts longer than a
    /// command line allows.
    #[arg(long, value_name = "FILE|-")]
    pub text_file: Option<std::path::PathBuf>,
    /// Print `{"ids": [...], "tokens": [...], "offsets": [[start,end],...]}`.
    #[arg(long)]
    pub json: bool,
}

/// Tokenises `args.text` and prints the result.
pub fn run(args: &TokenizeArgs) -> Result<(), String> {
    let enc = encode(args)?;
    if args.json {
        crate::outln!("{}", to_json(&enc));
    } else {
        for i in 0..enc.len() {
            let (s, e) = enc.offsets[i];
            crate::outln!("{}\t{:?}\t{s}..{e}", enc.ids[i], enc.token_display(i));
        }
    }
    Ok(())
}

/// The encoding `run` prints.
pub fn encode(args: &TokenizeArgs) -> Result<TokenPieces, String> {
    let e = |e: crate::model::tokenize::TokenizeError| e.to_string();
    let text = super::text_input::resolve(&args.text, args.text_file.as_deref())?;
    let text = text.as_str();
    let corpus = || -> Result<String, String> {
        match &args.vocab {
            Some(path) => bounded::read_text(path, MAX_TRAINING_TEXT_BYTES)
                .map_err(|err| format!("cannot read {}: {err}", path.display())),
            None => {
                eprintln!("note: trained on the small built-in sample (pass --vocab FILE)");
                Ok(SAMPLE.to_string())
            }
        }
    };
    let tiktoken = |bpe: &TiktokenBpe| bpe.encode_with_special(text, args.special).map_err(e);
    match args.tokenizer {
        TokenizerKind::R50k => tiktoken(TiktokenBpe::r50k().map_err(e)?),
        TokenizerKind::Cl100k => tiktoken(TiktokenBpe::cl100k().map_err(e)?),
        TokenizerKind::O200k => tiktoken(TiktokenBpe::o200k().map_err(e)?),
        TokenizerKind::Chars => {
            Ok(UnitTokenizer::train(&corpus()?, Unit::Char, 1000, 1).encode(text))
        }
        TokenizerKind::Words => {
            Ok(UnitTokenizer::train(&corpus()?, Unit::Word, 10_000, 1).encode(text))
        }
        TokenizerKind::Bpe => {
            let config = BpeConfig {
                vocab_size: 1000,
                byte_level: true,
                special_tokens: vec!["<|endoftext|>".to_string()],
                min_pair_count: 2,
            };
            let model =
                bpe_train::train(&corpus()?, config, &AtomicBool::new(false), &mut |_, _| {})
                    .map_err(e)?;
            model
                .encode_with_merges(text, model.merges().len(), args.special)
                .map_err(e)
        }
        TokenizerKind::Wordpiece => {
            let path = args.vocab.as_ref().ok_or(
                "wordpiece needs --vocab FILE: a BERT vocab.txt or tokenizer.json".to_string(),
            )?;
            let wp = WordPiece::from_file(path).map_err(|err| err.to_string())?;
            let enc = if args.special {
                wp.encode(text)
            } else {
                // Without --special, no [CLS]/[SEP] around the text.
                let full = wp.encode(text);
                let keep: Vec<usize> = (0..full.ids.len())
                    .filter(|&i| !full.special_mask[i])
                    .collect();
                crate::model::tokenize::wordpiece::ModelInput {
                    ids: keep.iter().map(|&i| full.ids[i]).collect(),
                    tokens: keep.iter().map(|&i| full.tokens[i].clone()).collect(),
                    offsets: keep.iter().map(|&i| full.offsets[i]).collect(),
                    type_ids: keep.iter().map(|&i| full.type_ids[i]).collect(),
                    special_mask: vec![false; keep.len()],
                }
            };
            Ok(TokenPieces {
                special: enc.special_mask.clone(),
                ids: enc.ids,
                tokens: enc.tokens.into_iter().map(String::into_bytes).collect(),
                offsets: enc.offsets,
            })
        }
        TokenizerKind::Unigram => {
            let config = UnigramConfig {
                vocab_size: 300,
                ..UnigramConfig::default()
            };
            Ok(unigram::train(&corpus()?, &config).encode(text))
        }
    }
}

/// `{"ids": [...], "tokens": [...], "offsets": [[start,end],...]}`; tokens that are
/// not valid UTF-8 show their stray bytes as `<0xE2>`.
pub fn to_json(enc: &TokenPieces) -> String {
    serde_json::json!({
        "ids": enc.ids,
        "tokens": enc.tokens_display(),
        "offsets": enc.offsets.iter().map(|&(s, e)| [s, e]).collect::<Vec<_>>(),
    })
    .to_string()
}
