//! word2vec's training data counted in steps (the browser's first steps of a run): the
//! same vocabulary and ids as [`TrainingData::build`] in one piece, on a real slice of
//! the built-in corpus.

use llm_lens::model::text::corpus::{Corpus, CorpusError};
use llm_lens::model::word2vec::TrainingData;
use llm_lens::model::word2vec::data::DataCounter;

/// The first addresses of the built-in corpus (about 300 kB) as a corpus of documents.
fn slice() -> Result<Corpus, CorpusError> {
    let mut text = String::new();
    for d in Corpus::builtin().documents() {
        if text.len() > 300_000 {
            break;
        }
        let year = d.year.unwrap_or(1790);
        let president = d.president.as_deref().unwrap_or("");
        text.push_str(&format!(
            "#doc\t{}\t{year}\t{president}\t{year}-01-01\t{}\t{}\n",
            d.id, d.kind, d.is_sotu
        ));
        text.push_str(&d.text);
        text.push('\n');
    }
    Corpus::from_text("slice", &text)
}

#[test]
fn data_counted_in_steps_is_the_one_piece_build() -> Result<(), CorpusError> {
    let corpus = slice()?;
    assert!(corpus.documents().len() > 3);
    for min_count in [1, 5] {
        let whole = TrainingData::build(&corpus, min_count);
        let mut counter = DataCounter::default();
        let mut steps = 1;
        while counter.count(&corpus, 4096) {
            steps += 1;
        }
        assert!(steps > 50, "{steps} steps");
        let stepped = counter.finish(min_count);
        assert_eq!(whole.vocab.words(), stepped.vocab.words());
        assert_eq!(whole.vocab.counts(), stepped.vocab.counts());
        assert_eq!(whole.ids, stepped.ids);
        assert_eq!(whole.ends, stepped.ends);
        assert_eq!(whole.raw_words, stepped.raw_words);
        assert!(whole.sentence_count() > 100);
    }
    Ok(())
}
