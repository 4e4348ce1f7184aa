//! Model folders a hostile user could pick, beyond the broken ones of `bad_folders`:
//! huge keys in tokenizer.json, folders and FIFOs under file names, extra bytes after
//! the tensors, and configs that parse but make no sense. Each is a short error.

use super::bad_folders::{good_folder, load_err};

/// The error of loading `dir`, checked to be one short line.
fn short_err(dir: &std::path::Path) -> String {
    let msg = load_err(dir).to_string();
    assert!(
        msg.len() <= 400 && !msg.contains('\n'),
        "{} bytes: {}…",
        msg.len(),
        &msg[..400.min(msg.len())]
    );
    msg
}

#[test]
fn a_huge_key_in_tokenizer_json_is_quoted_short() {
    // Before: the message quoted the whole 30 MB key.
    let dir = good_folder("hugekey");
    let key = "k".repeat(30 << 20);
    let json = format!(r#"{{"model": {{"type": "WordPiece", "vocab": {{"{key}": "one"}}}}}}"#);
    std::fs::write(dir.path().join("tokenizer.json"), json).unwrap();
    let msg = short_err(dir.path());
    assert!(
        msg.contains("not a small integer") && msg.contains('…'),
        "{msg}"
    );
    // With a valid id, the length itself is refused, stating the limit.
    let json = format!(
        r#"{{"model": {{"type": "WordPiece", "vocab": {{"{}": 0}}}}}}"#,
        &key[..2 << 20]
    );
    std::fs::write(dir.path().join("tokenizer.json"), json).unwrap();
    let msg = short_err(dir.path());
    assert!(msg.contains("limit is 1024"), "{msg}");
    let kind = format!(r#"{{"model": {{"type": "{key}"}}}}"#);
    std::fs::write(dir.path().join("tokenizer.json"), kind).unwrap();
    assert!(short_err(dir.path()).contains("only WordPiece"));
}

#[test]
fn folders_under_file_names_are_not_reported_missing() {
    let dir = good_folder("dirnames");
    let weights = dir.path().join("model.safetensors");
    std::fs::remove_file(&weights).unwrap();
    std::fs::create_dir(&weights).unwrap();
    let msg = short_err(dir.path());
    assert!(
        msg.contains("is a folder") && !msg.contains("has no"),
        "{msg}"
    );
}

#[test]
fn extra_bytes_after_the_tensors_are_not_called_short() {
    let dir = good_folder("extra");
    let path = dir.path().join("model.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(&[0; 16]);
    std::fs::write(&path, bytes).unwrap();
    let msg = short_err(dir.path());
    assert!(
        msg.contains("longer than") && msg.contains("extra bytes"),
        "{msg}"
    );
}

fn edit_config(dir: &std::path::Path, key: &str, value: serde_json::Value) {
    let path = dir.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config[key] = value;
    std::fs::write(path, config.to_string()).unwrap();
}

#[test]
fn configs_that_make_no_sense_are_refused() {
    let dir = good_folder("nonsense");
    edit_config(dir.path(), "num_hidden_layers", 0.into());
    assert!(short_err(dir.path()).contains("num_hidden_layers must be at least 1"));

    // The checkpoint has 2 layers; a config asking for 1 would drop layer 1 silently.
    edit_config(dir.path(), "num_hidden_layers", 1.into());
    let msg = short_err(dir.path());
    assert!(
        msg.contains("checkpoint has 2 layers") && msg.contains("1..=1"),
        "{msg}"
    );
    edit_config(dir.path(), "num_hidden_layers", 2.into());

    for eps in [1e-50, 1e300] {
        edit_config(dir.path(), "layer_norm_eps", eps.into());
        let msg = short_err(dir.path());
        assert!(msg.contains("layer_norm_eps"), "{eps}: {msg}");
    }
}

#[test]
fn huge_finite_weights_are_refused_instead_of_giving_nan_traces() {
    // Found by the safetensors fuzz target: a weight of 1e30 loaded, and the forward
    // pass overflowed to NaN.
    use llm_lens::model::bert::model_dir::Model;
    let dir = good_folder("hugeweight");
    let mut model = Model::load(dir.path()).unwrap();
    model.weights.embeddings.word[[0, 0]] = 1e30;
    model.save(dir.path()).unwrap();
    let msg = short_err(dir.path());
    assert!(
        msg.contains("beyond") && msg.contains("word_embeddings"),
        "{msg}"
    );
}

#[test]
fn library_messages_quoting_the_config_are_cut() {
    // Found by the config fuzz target: serde quoted a 1 KB unknown variant whole.
    let dir = good_folder("variant");
    edit_config(dir.path(), "hidden_act", "g".repeat(5000).into());
    assert!(short_err(dir.path()).contains("unknown variant"));
}
