//! `llm-lens neighbours`: nearest words by cosine similarity in a vectors file.

use crate::model::word2vec::{Embeddings, VectorsError};
use std::path::PathBuf;

/// Print the words nearest to WORD in a word2vec (text or binary) or GloVe file.
#[derive(clap::Args, Debug, Clone)]
pub struct NeighboursArgs {
    /// A vectors file: word2vec's text or binary format (told apart by content), or GloVe's
    /// header-less text.
    #[arg(long)]
    pub vectors: PathBuf,
    #[arg(long, allow_hyphen_values = true)]
    pub word: String,
    /// Number of neighbours.
    #[arg(short = 'k', long = "k", default_value_t = 10)]
    pub k: usize,
    /// Print `{"word": .., "neighbours": [{"word": .., "similarity": ..}]}`.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &NeighboursArgs) -> Result<(), String> {
    let vectors = Embeddings::load(&args.vectors, &mut |_| true).map_err(|e| match e {
        // These already name the file.
        VectorsError::File { .. } | VectorsError::Io { .. } => e.to_string(),
        _ => format!("{}: {e}", args.vectors.display()),
    })?;
    let word = args.word.to_lowercase();
    let word = if vectors.index(&args.word).is_some() {
        args.word.clone()
    } else {
        word
    };
    let neighbours = vectors.nearest(&word, args.k).map_err(|e| e.to_string())?;
    if args.json {
        let json = serde_json::json!({ "word": word, "neighbours": neighbours });
        crate::outln!("{json}");
    } else {
        for n in &neighbours {
            crate::outln!("{:<20} {:.4}", n.word, n.similarity);
        }
    }
    Ok(())
}
