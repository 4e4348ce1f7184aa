//! Every way a model folder can be broken gives its own clear error.

use crate::model_support;

use std::path::Path;

use llm_lens::model::bert::config::BertConfig;
use llm_lens::model::bert::model_dir::{Model, ModelError};
use llm_lens::model::bert::weights::{BertWeights, WeightsError};
use llm_lens::model::tokenize::WordPiece;
use llm_lens::model::tokenize::basic::BasicTokenizer;
use model_support::TempDir;
use safetensors::tensor::{Dtype, TensorView};

const VOCAB: &str = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncat\nsat\non\nmat\n.\n##s\n";

fn micro_config() -> BertConfig {
    BertConfig {
        vocab_size: 16,
        hidden_size: 8,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 32,
        ..BertConfig::tiny()
    }
}

/// A valid folder (config.json, vocab.txt, model.safetensors) to break.
pub(super) fn good_folder(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let weights = BertWeights::random(&micro_config(), 1).unwrap();
    let tok = WordPiece::from_vocab_txt(VOCAB, BasicTokenizer::uncased()).unwrap();
    Model::from_parts(weights, tok)
        .unwrap()
        .save(dir.path())
        .unwrap();
    dir
}

pub(super) fn load_err(dir: &Path) -> ModelError {
    match Model::load(dir) {
        Ok(_) => panic!("{} loaded although it is broken", dir.display()),
        Err(e) => e,
    }
}

/// Writes a safetensors file from (name, dtype, shape, bytes).
fn write_safetensors(path: &Path, tensors: &[(String, Dtype, Vec<usize>, Vec<u8>)]) {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
        .collect();
    std::fs::write(path, safetensors::serialize(views, None).unwrap()).unwrap();
}

fn converted(
    dtype: Dtype,
    replace_first_with: Option<Dtype>,
) -> Vec<(String, Dtype, Vec<usize>, Vec<u8>)> {
    let weights = BertWeights::random(&micro_config(), 1).unwrap();
    weights
        .named_tensors()
        .into_iter()
        .enumerate()
        .map(|(i, (name, shape, data))| {
            let dtype = if i == 0 {
                replace_first_with.unwrap_or(dtype)
            } else {
                dtype
            };
            let bytes: Vec<u8> = match dtype {
                Dtype::F16 => data
                    .iter()
                    .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
                    .collect(),
                Dtype::BF16 => data
                    .iter()
                    .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
                    .collect(),
                Dtype::F64 => data
                    .iter()
                    .flat_map(|v| (*v as f64).to_le_bytes())
                    .collect(),
                _ => data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            };
            (name, dtype, shape, bytes)
        })
        .collect()
}

#[test]
fn the_good_folder_loads_and_runs() {
    let dir = good_folder("good");
    let model = Model::load(dir.path()).unwrap();
    let t = model
        .trace("The cats sat.", None, &Default::default())
        .unwrap();
    assert_eq!(
        t.tokens,
        ["[CLS]", "the", "cat", "##s", "sat", ".", "[SEP]"]
    );
}

#[test]
fn missing_files() {
    let err = load_err(Path::new("/definitely/not/here"));
    assert!(matches!(err, ModelError::NotAFolder(_)), "{err}");

    for (file, expect) in [
        ("config.json", "config.json"),
        ("vocab.txt", "vocab.txt or tokenizer.json"),
        ("model.safetensors", "model.safetensors"),
    ] {
        let dir = good_folder("missing");
        std::fs::remove_file(dir.path().join(file)).unwrap();
        let err = load_err(dir.path());
        assert!(
            matches!(&err, ModelError::MissingFile { file, .. } if *file == expect),
            "{err}"
        );
        assert!(err.to_string().contains(expect));
    }
}

#[test]
fn pickle_only_checkpoint() {
    let dir = good_folder("pickle");
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    std::fs::write(dir.path().join("pytorch_model.bin"), b"\x80\x02pickle").unwrap();
    let err = load_err(dir.path());
    assert!(matches!(err, ModelError::PickleOnly(_)), "{err}");
    assert!(err.to_string().contains("pytorch_model.bin"));
}

#[test]
fn bad_config_json() {
    let dir = good_folder("badjson");
    let cfg = dir.path().join("config.json");
    std::fs::write(&cfg, "{ \"hidden_size\": 8,").unwrap();
    let err = load_err(dir.path());
    assert!(matches!(err, ModelError::Config { .. }), "{err}");
    assert!(err.to_string().contains("not valid JSON"), "{err}");

    std::fs::write(&cfg, r#"{"vocab_size": 16, "hidden_size": 8}"#).unwrap();
    assert!(
        load_err(dir.path())
            .to_string()
            .contains("num_hidden_layers")
    );

    let mut c = micro_config();
    c.num_attention_heads = 3;
    std::fs::write(&cfg, serde_json::to_string(&c).unwrap()).unwrap();
    assert!(load_err(dir.path()).to_string().contains("not divisible"));

    c = micro_config();
    c.hidden_size = 1 << 40;
    c.num_attention_heads = 1;
    std::fs::write(&cfg, serde_json::to_string(&c).unwrap()).unwrap();
    assert!(
        load_err(dir.path()).to_string().contains("parameters"),
        "no huge allocation"
    );

    let text = serde_json::to_string(&micro_config())
        .unwrap()
        .replace("\"gelu\"", "\"swish\"");
    std::fs::write(&cfg, text).unwrap();
    assert!(load_err(dir.path()).to_string().contains("swish"));
}

fn weights_err(dir: &Path) -> WeightsError {
    match load_err(dir) {
        ModelError::Weights { source, .. } => source,
        other => panic!("expected a weights error, got {other}"),
    }
}

#[test]
fn truncated_and_lying_safetensors() {
    let dir = good_folder("lying");
    let path = dir.path().join("model.safetensors");
    let good = std::fs::read(&path).unwrap();

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("tiny", good[..4].to_vec(), "shorter than its 8-byte header"),
        (
            "truncated",
            good[..good.len() / 2].to_vec(),
            "shorter than the header says",
        ),
        (
            "header past end",
            {
                let mut b = (good.len() as u64 * 2).to_le_bytes().to_vec();
                b.extend_from_slice(&good[8..]);
                b
            },
            "past the end",
        ),
        (
            "huge header",
            {
                let mut b = u64::MAX.to_le_bytes().to_vec();
                b.extend_from_slice(&good[8..]);
                b
            },
            "implausibly large",
        ),
        (
            "garbage header",
            {
                let mut b = 4u64.to_le_bytes().to_vec();
                b.extend_from_slice(b"nope");
                b
            },
            "not valid safetensors JSON",
        ),
        (
            "shape lies",
            {
                let header =
                    r#"{"x":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,4]}}"#;
                let mut b = (header.len() as u64).to_le_bytes().to_vec();
                b.extend_from_slice(header.as_bytes());
                b.extend_from_slice(&[0; 4]);
                b
            },
            "shape does not match",
        ),
    ];
    for (what, bytes, expect) in cases {
        std::fs::write(&path, bytes).unwrap();
        let err = weights_err(dir.path());
        assert!(matches!(err, WeightsError::BadFile(_)), "{what}: {err}");
        assert!(err.to_string().contains(expect), "{what}: {err}");
    }
}

#[test]
fn wrong_shapes_and_missing_tensors() {
    let dir = good_folder("shapes");
    let mut other = micro_config();
    other.intermediate_size = 12;
    BertWeights::random(&other, 1)
        .unwrap()
        .save(&dir.path().join("model.safetensors"))
        .unwrap();
    let err = weights_err(dir.path());
    assert!(
        matches!(&err, WeightsError::WrongShape { name, expected, found }
            if name == "bert.encoder.layer.0.intermediate.dense.weight"
            && expected == &[16, 8] && found == &[12, 8]),
        "{err}"
    );

    let mut fewer = micro_config();
    fewer.num_hidden_layers = 1;
    BertWeights::random(&fewer, 1)
        .unwrap()
        .save(&dir.path().join("model.safetensors"))
        .unwrap();
    let err = weights_err(dir.path());
    assert!(
        matches!(&err, WeightsError::Missing(n) if n.contains("encoder.layer.1")),
        "{err}"
    );
}

#[test]
fn dtypes() {
    let dir = good_folder("dtype");
    let path = dir.path().join("model.safetensors");
    write_safetensors(&path, &converted(Dtype::F32, Some(Dtype::F64)));
    let err = weights_err(dir.path());
    assert!(
        matches!(&err, WeightsError::UnsupportedDtype { dtype, .. } if dtype == "F64"),
        "{err}"
    );
    assert!(err.to_string().contains("only F32, F16 and BF16"));

    let reference = BertWeights::random(&micro_config(), 1).unwrap();
    for (dtype, tol) in [(Dtype::F16, 1e-3), (Dtype::BF16, 1e-2)] {
        write_safetensors(&path, &converted(dtype, None));
        let model = Model::load(dir.path()).unwrap();
        let diff = model
            .weights
            .embeddings
            .word
            .iter()
            .zip(&reference.embeddings.word)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(diff < tol, "{dtype:?}: {diff}");
    }
}

#[test]
fn tokenizer_problems() {
    let dir = good_folder("tok");
    std::fs::write(dir.path().join("vocab.txt"), "[PAD]\n[CLS]\n[SEP]\nthe\n").unwrap();
    let err = load_err(dir.path());
    assert!(err.to_string().contains("no [UNK] token"), "{err}");

    let many: String = (0..40).map(|i| format!("w{i}\n")).collect();
    std::fs::write(dir.path().join("vocab.txt"), format!("{VOCAB}{many}")).unwrap();
    let err = load_err(dir.path());
    assert!(
        matches!(
            err,
            ModelError::VocabMismatch {
                tokens: 52,
                vocab: 16
            }
        ),
        "{err}"
    );

    std::fs::write(
        dir.path().join("tokenizer.json"),
        r#"{"model": {"type": "BPE", "vocab": {}}}"#,
    )
    .unwrap();
    let err = load_err(dir.path());
    assert!(err.to_string().contains("only WordPiece"), "{err}");

    let huge_id = r#"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 4000000000}}}"#;
    std::fs::write(dir.path().join("tokenizer.json"), huge_id).unwrap();
    let err = load_err(dir.path());
    assert!(err.to_string().contains("token ids go up to"), "{err}");

    std::fs::write(dir.path().join("tokenizer.json"), "not json").unwrap();
    assert!(
        load_err(dir.path())
            .to_string()
            .contains("tokenizer.json is not valid")
    );
}
