//! A model from files already in memory: in the browser a page cannot open a folder,
//! so the learner picks (or drops) `config.json`, the tokeniser and the weights as
//! files. The same checks, size limits and messages as [`Model::load`], through the
//! same parsers; only where the bytes come from differs.

use std::path::Path;

use super::model_dir::{MAX_CONFIG_BYTES, Model, ModelError, check_vocab, parse_config};
use super::weights::BertWeights;
use crate::model::text::bounded;
use crate::model::tokenize::WordPiece;

impl Model {
    /// Loads a model from `(file name, bytes)` pairs. Names are matched by their last
    /// component, so `bert/config.json` counts as `config.json`; `tokenizer.json` is
    /// preferred over `vocab.txt`, as in a folder.
    pub fn from_files(files: &[(&str, &[u8])]) -> Result<Self, ModelError> {
        let find = |name: &str| {
            files
                .iter()
                .find(|(n, _)| Path::new(n).file_name().is_some_and(|f| f == name))
                .map(|(_, bytes)| *bytes)
        };
        let config_bytes = find("config.json").ok_or(ModelError::MissingChosen {
            file: "config.json",
        })?;
        let config_path = Path::new("config.json");
        let text =
            bounded::text_within(config_bytes, MAX_CONFIG_BYTES).map_err(|e| ModelError::Read {
                path: config_path.to_path_buf(),
                message: e.to_string(),
            })?;
        let config = parse_config(config_path, &text)?;

        let Some((tok_name, tok_bytes)) = ["tokenizer.json", "vocab.txt"]
            .into_iter()
            .find_map(|name| find(name).map(|b| (name, b)))
        else {
            return Err(ModelError::MissingChosen {
                file: "vocab.txt or tokenizer.json",
            });
        };
        let tokenizer = WordPiece::from_named_bytes(tok_name, tok_bytes).map_err(|source| {
            ModelError::Tokenizer {
                path: tok_name.into(),
                source,
            }
        })?;
        check_vocab(&tokenizer, &config)?;

        let Some(weights_bytes) = find("model.safetensors") else {
            if find("pytorch_model.bin").is_some() {
                return Err(ModelError::PickleChosen);
            }
            return Err(ModelError::MissingChosen {
                file: "model.safetensors",
            });
        };
        let weights = BertWeights::from_named_bytes(&config, "model.safetensors", weights_bytes)
            .map_err(|source| ModelError::Weights {
                path: "model.safetensors".into(),
                source,
            })?;
        Ok(Self {
            config,
            weights,
            tokenizer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::BertConfig;
    use crate::model::bert::weights::WeightsError;
    use crate::model::tokenize::basic::BasicTokenizer;

    const VOCAB: &str = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncat\nsat\non\nmat\n.\n";

    fn config() -> BertConfig {
        BertConfig {
            vocab_size: 16,
            hidden_size: 8,
            num_hidden_layers: 1,
            num_attention_heads: 2,
            intermediate_size: 16,
            max_position_embeddings: 32,
            ..BertConfig::tiny()
        }
    }

    /// A good model's three files, as a folder would hold them.
    fn files() -> Vec<(&'static str, Vec<u8>)> {
        let weights = BertWeights::random(&config(), 3).unwrap();
        vec![
            ("config.json", serde_json::to_vec(&config()).unwrap()),
            ("vocab.txt", VOCAB.as_bytes().to_vec()),
            ("model.safetensors", weights.to_safetensors_bytes().unwrap()),
        ]
    }

    fn load(files: &[(&'static str, Vec<u8>)]) -> Result<Model, ModelError> {
        let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
        Model::from_files(&borrowed)
    }

    #[test]
    fn loads_the_same_model_as_its_parts() {
        let model = load(&files()).unwrap();
        let reference = Model::from_parts(
            BertWeights::random(&config(), 3).unwrap(),
            WordPiece::from_vocab_txt(VOCAB, BasicTokenizer::uncased()).unwrap(),
        )
        .unwrap();
        assert_eq!(model.config, reference.config);
        assert_eq!(
            model.weights.named_tensors(),
            reference.weights.named_tensors()
        );
        assert_eq!(
            model.encode("the cat sat", None).ids,
            reference.encode("the cat sat", None).ids
        );
    }

    #[test]
    fn names_with_folders_count_by_their_last_part() {
        let files = files();
        let named: Vec<(String, &[u8])> = files
            .iter()
            .map(|(n, b)| (format!("bert-tiny/{n}"), b.as_slice()))
            .collect();
        let borrowed: Vec<(&str, &[u8])> = named.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        assert!(Model::from_files(&borrowed).is_ok());
    }

    #[test]
    fn each_missing_file_is_named() {
        for (gone, wanted) in [
            ("config.json", "config.json"),
            ("vocab.txt", "vocab.txt or tokenizer.json"),
            ("model.safetensors", "model.safetensors"),
        ] {
            let kept: Vec<_> = files().into_iter().filter(|(n, _)| *n != gone).collect();
            match load(&kept) {
                Err(ModelError::MissingChosen { file }) => assert_eq!(file, wanted),
                other => panic!("without {gone}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn a_pickle_instead_of_safetensors_is_refused_by_name() {
        let mut files: Vec<_> = files()
            .into_iter()
            .filter(|(n, _)| *n != "model.safetensors")
            .collect();
        files.push(("pytorch_model.bin", vec![0x80, 2]));
        let e = load(&files).err().unwrap();
        assert!(matches!(e, ModelError::PickleChosen), "{e}");
    }

    #[test]
    fn corrupt_weights_say_so() {
        let mut files = files();
        let half = files[2].1.len() / 2;
        files[2].1.truncate(half);
        let e = load(&files).err().unwrap();
        assert!(
            matches!(
                e,
                ModelError::Weights {
                    source: WeightsError::BadFile(_),
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("model.safetensors"), "{e}");
    }

    #[test]
    fn a_config_that_is_not_json_or_too_large_is_refused() {
        let mut files = files();
        files[0].1 = b"{ not json".to_vec();
        let e = load(&files).err().unwrap();
        assert!(matches!(e, ModelError::Config { .. }), "{e}");
        files[0].1 = vec![b' '; MAX_CONFIG_BYTES as usize + 1];
        let e = load(&files).err().unwrap();
        assert!(e.to_string().contains("the limit is 1 MiB"), "{e}");
    }

    #[test]
    fn a_vocabulary_that_is_not_text_is_refused() {
        let mut files = files();
        files[1].1 = vec![b'a', b'\n', 0xff, 0xfe];
        let e = load(&files).err().unwrap();
        assert!(e.to_string().contains("line 2 is not UTF-8"), "{e}");
    }

    #[test]
    fn a_vocabulary_larger_than_the_model_is_refused() {
        let mut files = files();
        let many: String = (0..40).map(|i| format!("w{i}\n")).collect();
        files[1].1 = format!("{VOCAB}{many}").into_bytes();
        let e = load(&files).err().unwrap();
        assert!(matches!(e, ModelError::VocabMismatch { .. }), "{e}");
    }
}
