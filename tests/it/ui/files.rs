//! Opening files as a learner would: dropping a model folder, a model's files as bytes
//! (as the browser gives them), word vectors or a text on the window sends each to the
//! lesson that takes it; anything else gets a one-line notice. The open dialogs are
//! answered with `files::dialog::script` ("the learner picked X"), and a dialog that
//! cannot be shown falls back to a typed path. A heatmap's menu saves it and says where.

use crate::common;
use crate::model_support::TempDir;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::files::Chosen;
use llm_lens::files::dialog::{self, Outcome};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::playground::{Playground, View};
use llm_lens::lessons::tokenisation::Tokenisation;
use llm_lens::lessons::tokenisation::training::TrainSource;
use llm_lens::lessons::word2vec::Word2vec;
use llm_lens::model::bert::config::BertConfig;
use llm_lens::model::bert::model_dir::Model;
use llm_lens::model::bert::weights::BertWeights;
use llm_lens::model::tokenize::WordPiece;
use llm_lens::model::tokenize::basic::BasicTokenizer;

const VOCAB: &str = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\ncat\nsat\non\nmat\n.\n";

/// A dropped file as egui hands it over: an absolute path (desktop), or a bare name
/// with its bytes (as in the browser).
#[derive(Debug)]
struct Dropped {
    path: PathBuf,
    bytes: Option<Vec<u8>>,
}

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.path
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        self.bytes.clone().ok_or_else(|| "no bytes".to_owned())
    }
}

fn on_disk(path: &Path) -> egui::DroppedFileHandle {
    Arc::new(Dropped {
        path: path.to_path_buf(),
        bytes: None,
    })
}

fn in_memory(name: &str, bytes: Vec<u8>) -> egui::DroppedFileHandle {
    Arc::new(Dropped {
        path: PathBuf::from(name),
        bytes: Some(bytes),
    })
}

/// A small model's folder (config.json, vocab.txt, model.safetensors).
fn model_folder(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let config = BertConfig {
        vocab_size: 16,
        hidden_size: 8,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 16,
        max_position_embeddings: 32,
        ..BertConfig::tiny()
    };
    let weights = BertWeights::random(&config, 5).expect("weights");
    let tok = WordPiece::from_vocab_txt(VOCAB, BasicTokenizer::uncased()).expect("vocab");
    Model::from_parts(weights, tok)
        .expect("model")
        .save(dir.path())
        .expect("save");
    dir
}

/// The app on the history lesson (nowhere near the files' lessons).
fn harness() -> Harness<'static, LensApp> {
    common::harness(common::app(Settings::default()))
}

fn drop_files(h: &mut Harness<'static, LensApp>, files: Vec<egui::DroppedFileHandle>) {
    h.input_mut().dropped_files = files;
    h.run_steps(1);
}

fn model_name(h: &Harness<'static, LensApp>) -> Option<String> {
    let st = common::lesson_ref::<Playground>(h);
    st.runner.model.as_ref().map(|m| m.name.clone())
}

/// Steps until the playground has a model named `name` (or a model error).
fn wait_for_model(h: &mut Harness<'static, LensApp>, name: &str) {
    let name = name.to_owned();
    common::step_while(h, Duration::from_secs(60), "loading the model", |h| {
        let st = common::lesson_ref::<Playground>(h);
        model_name(h).as_deref() != Some(name.as_str()) && st.runner.model_error.is_none()
    });
}

/// Steps until the playground has the model of folder `dir`, named after the folder.
fn expect_folder_model(h: &mut Harness<'static, LensApp>, dir: &std::path::Path) {
    let name = dir
        .file_name()
        .expect("named")
        .to_string_lossy()
        .into_owned();
    wait_for_model(h, &name);
    assert_eq!(model_name(h).as_deref(), Some(name.as_str()));
}

#[test]
fn a_dropped_model_folder_opens_in_the_playground() {
    let dir = model_folder("drop-folder");
    let mut h = harness();
    assert_ne!(h.state().lesson(), LessonId::Playground);
    drop_files(&mut h, vec![on_disk(dir.path())]);
    expect_folder_model(&mut h, dir.path());
    assert_eq!(h.state().lesson(), LessonId::Playground);
    let notice = h.state().drop_notice().unwrap_or_default().to_owned();
    assert!(notice.contains("playground"), "{notice}");
}

#[test]
fn a_model_dropped_as_bytes_loads_from_memory() {
    let dir = model_folder("drop-bytes");
    let files = ["config.json", "vocab.txt", "model.safetensors"]
        .map(|n| in_memory(n, std::fs::read(dir.path().join(n)).expect("read")))
        .to_vec();
    let mut h = harness();
    drop_files(&mut h, files);
    wait_for_model(&mut h, "your model (3 files)");
    assert_eq!(model_name(&h).as_deref(), Some("your model (3 files)"));
    assert_eq!(h.state().lesson(), LessonId::Playground);
}

#[test]
fn corrupt_model_bytes_say_so_and_keep_the_old_model() {
    let dir = model_folder("drop-corrupt");
    let mut weights = std::fs::read(dir.path().join("model.safetensors")).expect("read");
    weights.truncate(weights.len() / 3);
    let files = vec![
        in_memory(
            "config.json",
            std::fs::read(dir.path().join("config.json")).expect("read"),
        ),
        in_memory("vocab.txt", VOCAB.as_bytes().to_vec()),
        in_memory("model.safetensors", weights),
    ];
    let mut h = harness();
    drop_files(&mut h, files);
    common::step_while(&mut h, Duration::from_secs(60), "the model error", |h| {
        common::lesson_ref::<Playground>(h)
            .runner
            .model_error
            .is_none()
    });
    let error = common::lesson_ref::<Playground>(&h)
        .runner
        .model_error
        .clone()
        .unwrap_or_default();
    assert!(error.contains("model.safetensors"), "{error}");
    assert_ne!(model_name(&h).as_deref(), Some("your model (3 files)"));
}

#[test]
fn dropped_vectors_open_in_word2vec_explore() {
    let dir = TempDir::new("drop-vectors");
    let path = dir.path().join("tiny.vec.txt");
    std::fs::write(
        &path,
        "3 2\nking 0.9 0.8\nqueen 0.85 0.9\ncarrot -0.7 0.1\n",
    )
    .expect("write");
    let mut h = harness();
    drop_files(&mut h, vec![on_disk(&path)]);
    common::step_while(
        &mut h,
        Duration::from_secs(60),
        "loading the vectors",
        |h| {
            let w = common::lesson_ref::<Word2vec>(h);
            w.explore.loaded.is_none() && w.explore.load_error.is_none()
        },
    );
    let w = common::lesson_ref::<Word2vec>(&h);
    let (name, vectors) = w.explore.loaded.as_ref().expect("loaded");
    assert_eq!((name.as_str(), vectors.len()), ("tiny.vec.txt", 3));
    assert_eq!(h.state().lesson(), LessonId::Word2vec);
}

#[test]
fn a_dropped_text_becomes_the_tokenisers_training_text() {
    let text = "Four score and seven years ago our fathers brought forth a new nation.";
    let mut h = harness();
    drop_files(
        &mut h,
        vec![in_memory("speech.txt", text.as_bytes().to_vec())],
    );
    common::step_while(&mut h, Duration::from_secs(30), "routing the text", |h| {
        h.state().lesson() != LessonId::Tokenisation
    });
    let t = common::lesson_ref::<Tokenisation>(&h);
    assert_eq!(t.store.source, TrainSource::Own(text.to_owned()));
}

#[test]
fn an_unrecognised_drop_says_so_and_goes_nowhere() {
    let mut h = harness();
    let before = h.state().lesson();
    let name = format!("{}.png", "holiday".repeat(20));
    drop_files(&mut h, vec![in_memory(&name, vec![0x89, b'P', b'N', b'G'])]);
    common::step_while(&mut h, Duration::from_secs(30), "the notice", |h| {
        h.state()
            .drop_notice()
            .is_none_or(|n| n.starts_with("Reading"))
    });
    let notice = h.state().drop_notice().unwrap_or_default().to_owned();
    assert!(notice.contains("is not a model folder"), "{notice}");
    assert!(notice.chars().count() < 160, "{notice}");
    assert_eq!(h.state().lesson(), before);
    h.run_steps(2);
    h.get_by_label_contains("is not a model folder");
}

fn playground_overview() -> Harness<'static, LensApp> {
    let settings = common::settings_at_view::<Playground>(View::Overview, "the cat sat");
    common::harness(common::app(settings))
}

#[test]
fn the_open_dialog_loads_the_folder_the_learner_picked() {
    let dir = model_folder("dialog-folder");
    let mut h = playground_overview();
    dialog::script(
        &h.ctx,
        Outcome::Chosen(Chosen::Folder(dir.path().to_path_buf())),
    );
    h.get_by_label(dialog::MODEL_BUTTON).click();
    h.run_steps(2);
    expect_folder_model(&mut h, dir.path());
}

#[test]
fn without_a_dialog_the_typed_path_is_offered() {
    let dir = model_folder("dialog-missing");
    let mut h = playground_overview();
    dialog::script(&h.ctx, Outcome::Unavailable);
    h.get_by_label(dialog::MODEL_BUTTON).click();
    h.run_steps(1);
    common::step_while(&mut h, Duration::from_secs(30), "the dialog", |h| {
        common::lesson_ref::<Playground>(h)
            .runner
            .dialog_note
            .is_none()
    });
    h.run_steps(2);
    h.get_by_label_contains("No file dialog could be shown here");
    assert!(common::lesson_ref::<Playground>(&h).runner.typing_path);
    common::lesson::<Playground>(&mut h).runner.folder = dir.path().display().to_string();
    h.run_steps(1);
    h.get_by_label("Open").click();
    h.run_steps(2);
    expect_folder_model(&mut h, dir.path());
}

#[test]
fn a_text_file_chosen_in_the_dialog_becomes_the_training_text() {
    let dir = TempDir::new("dialog-text");
    let path = dir.path().join("address.txt");
    let text = "We hold these truths to be self-evident, that all men are created equal.";
    std::fs::write(&path, text).expect("write");
    let settings = common::settings_at_view::<Tokenisation>(
        llm_lens::lessons::tokenisation::View::SideBySide,
        "the cat sat",
    );
    let mut h = common::harness(common::app(settings));
    dialog::script(
        &h.ctx,
        Outcome::Chosen(Chosen::Files(vec![llm_lens::files::ChosenFile::Path(path)])),
    );
    h.get_by_label("Open a text file…").click();
    h.run_steps(1);
    common::step_while(&mut h, Duration::from_secs(30), "reading the text", |h| {
        common::lesson_ref::<Tokenisation>(h).store.source == TrainSource::Builtin
    });
    let t = common::lesson_ref::<Tokenisation>(&h);
    assert_eq!(t.store.source, TrainSource::Own(text.to_owned()));
}

#[test]
fn vectors_chosen_in_the_browser_load_from_their_bytes() {
    let settings = common::settings_at_view::<Word2vec>(
        llm_lens::lessons::word2vec::View::Explore,
        "the cat sat",
    );
    let mut h = common::harness(common::app(settings));
    let vectors = "king 0.9 0.8\nqueen 0.85 0.9\ncarrot -0.7 0.1\nleek -0.6 0.2\n";
    dialog::script(
        &h.ctx,
        Outcome::Chosen(Chosen::Files(vec![llm_lens::files::ChosenFile::Bytes {
            name: "glove.txt".to_owned(),
            bytes: vectors.as_bytes().into(),
        }])),
    );
    h.get_by_label("Choose file…").click();
    h.run_steps(1);
    common::step_while(
        &mut h,
        Duration::from_secs(30),
        "loading the vectors",
        |h| {
            let w = common::lesson_ref::<Word2vec>(h);
            w.explore.loaded.is_none() && w.explore.load_error.is_none()
        },
    );
    let w = common::lesson_ref::<Word2vec>(&h);
    let (name, loaded) = w.explore.loaded.as_ref().expect("loaded");
    assert_eq!((name.as_str(), loaded.len()), ("glove.txt", 4));
}

#[test]
fn a_dropped_vocabulary_adds_a_bert_row_and_the_dialog_takes_one_too() {
    let mut h = harness();
    drop_files(
        &mut h,
        vec![in_memory("vocab.txt", VOCAB.as_bytes().to_vec())],
    );
    common::step_while(&mut h, Duration::from_secs(30), "the vocabulary", |h| {
        let t = common::lesson_ref::<Tokenisation>(h);
        t.store.bert.is_none() && t.store.bert_error.is_none()
    });
    assert_eq!(h.state().lesson(), LessonId::Tokenisation);
    let t = common::lesson_ref::<Tokenisation>(&h);
    let (name, wp) = t.store.bert.as_ref().expect("a vocabulary");
    assert_eq!((name.as_str(), wp.vocab_size()), ("vocab.txt", 11));

    let dir = TempDir::new("dialog-vocab");
    let path = dir.path().join("vocab.txt");
    std::fs::write(&path, format!("{VOCAB}dog\n")).expect("write");
    dialog::script(
        &h.ctx,
        Outcome::Chosen(Chosen::Files(vec![llm_lens::files::ChosenFile::Path(path)])),
    );
    h.run_steps(2);
    h.get_by_label("Open a BERT vocabulary…").click();
    h.run_steps(1);
    common::step_while(
        &mut h,
        Duration::from_secs(30),
        "the chosen vocabulary",
        |h| {
            let t = common::lesson_ref::<Tokenisation>(h);
            t.store
                .bert
                .as_ref()
                .is_some_and(|b| b.1.vocab_size() == 11)
                && t.store.bert_error.is_none()
        },
    );
    let t = common::lesson_ref::<Tokenisation>(&h);
    assert_eq!(t.store.bert.as_ref().map(|b| b.1.vocab_size()), Some(12));
}

#[test]
fn a_heatmaps_menu_saves_it_and_says_where() {
    let dir = TempDir::new("export-menu");
    let settings = common::settings_at_view::<Playground>(View::Embeddings, "the cat sat");
    let mut h = common::harness(common::app(settings));
    llm_lens::widgets::export::set_export_dir(&h.ctx, dir.path().to_path_buf());
    common::step_while(&mut h, Duration::from_secs(60), "the trace", |h| {
        common::lesson_ref::<Playground>(h).runner.last.is_none()
    });
    h.run_steps(3);
    h.get_all_by_label_contains("token embeddings")
        .last()
        .expect("the token embeddings heatmap")
        .click_secondary();
    h.run();
    h.get_by_label("Save values as CSV").click();
    h.run_steps(3);
    h.get_by_label_contains("Saved ");
    let saved: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the export folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(
        saved[0].starts_with("token-embeddings") && saved[0].ends_with(".csv"),
        "{saved:?}"
    );
}
