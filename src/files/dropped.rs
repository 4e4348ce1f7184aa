//! Files dropped on the window, and where they go: a model folder (or `config.json`
//! with its files) to the playground, a word-vectors file to word2vec's explore step,
//! a `vocab.txt` or `tokenizer.json` to the tokenisation lesson's BERT row, a plain
//! text to the tokenisation lesson as its training text. The reading (the
//! browser's bytes, a first look at a `.txt` file) runs as a [`Job::future`], never on
//! the UI thread; [`route`] decides from names and the first bytes alone.

use std::io::Read;
use std::sync::Arc;

use super::{Chosen, ChosenFile};
use crate::job::Job;
use crate::model::text::bounded;

/// Largest text taken as a training text: the tokenisation lesson shows it whole in
/// its text box, which must stay quick to lay out.
pub const MAX_CORPUS_BYTES: u64 = 1 << 20;

/// How much of a file [`route`] looks at to tell vectors from a text.
const SNIFF_BYTES: u64 = 4096;

/// Where a drop goes.
#[derive(Debug, Clone)]
pub enum Route {
    Model(Chosen),
    Vectors(ChosenFile),
    /// A BERT vocabulary (`vocab.txt` or `tokenizer.json`).
    Vocab(ChosenFile),
    /// A training text, already read (within [`MAX_CORPUS_BYTES`]).
    Corpus {
        name: String,
        text: String,
    },
    /// Nothing usable, and why, in one line.
    Refused(String),
}

/// Starts reading `files` (dropped this frame) and working out their [`Route`].
pub fn start(ctx: &egui::Context, files: Vec<egui::DroppedFileHandle>) -> Job<Route> {
    Job::future("dropped-files", Some(ctx), move |r| async move {
        let mut chosen = Vec::with_capacity(files.len());
        for f in &files {
            match read(f).await {
                Ok(c) => chosen.push(c),
                Err(e) => {
                    r.send(Route::Refused(e));
                    return;
                }
            }
        }
        r.send(route(chosen));
    })
}

/// A dropped file as a [`ChosenFile`]: on the desktop its path (read later, by the
/// loader, within its limits); in the browser, or without a real path, its bytes.
async fn read(file: &egui::DroppedFileHandle) -> Result<ChosenFile, String> {
    let path = file.path();
    let name = path.display().to_string();
    let failed = |e: String| format!("Cannot read {}: {e}", super::shorten(&name));
    #[cfg(not(target_arch = "wasm32"))]
    {
        if path.is_absolute() {
            return Ok(ChosenFile::Path(path.to_path_buf()));
        }
        let bytes: Arc<[u8]> = file.bytes().map_err(failed)?.into();
        Ok(ChosenFile::Bytes { name, bytes })
    }
    #[cfg(target_arch = "wasm32")]
    {
        // Refused before it is read: the page holds what it reads in memory.
        let size = file.web_file().map_or(0, |f| f.size().max(0.0) as u64);
        if size > super::web::MAX_WEB_FILE_BYTES {
            return Err(super::web::too_large(&name, size));
        }
        let bytes: Arc<[u8]> = file.bytes_async().await.map_err(failed)?.into();
        Ok(ChosenFile::Bytes { name, bytes })
    }
}

/// Where `files` go. A folder or a `config.json` is a model; otherwise one file, told
/// apart by its extension and, for text, its first line.
pub fn route(files: Vec<ChosenFile>) -> Route {
    if let Some(config) = files.iter().find(|f| f.name() == "config.json") {
        return match config {
            ChosenFile::Path(p) => match p.parent() {
                Some(dir) => Route::Model(Chosen::Folder(dir.to_path_buf())),
                None => Route::Refused("config.json has no folder around it.".to_owned()),
            },
            ChosenFile::Bytes { .. } => Route::Model(Chosen::Files(files)),
        };
    }
    if files.len() != 1 {
        return Route::Refused(if files.is_empty() {
            "Nothing readable was dropped.".to_owned()
        } else {
            "Drop one file at a time, or a model's folder (or its config.json with its files)."
                .to_owned()
        });
    }
    let Some(file) = files.into_iter().next() else {
        return Route::Refused("Nothing readable was dropped.".to_owned());
    };
    if let ChosenFile::Path(p) = &file
        && p.is_dir()
    {
        return Route::Model(Chosen::Folder(p.clone()));
    }
    let name = file.short_name();
    if matches!(file.name().as_str(), "vocab.txt" | "tokenizer.json") {
        return Route::Vocab(file);
    }
    match file.extension().as_str() {
        "bin" | "vec" => Route::Vectors(file),
        "safetensors" | "json" => Route::Refused(format!(
            "{name} is one file of a model: drop its folder, or config.json with its other files."
        )),
        "txt" | "text" | "md" | "" => match head(&file) {
            Ok(start) if looks_like_vectors(&start) => Route::Vectors(file),
            Ok(_) => corpus(&file),
            Err(e) => Route::Refused(format!("Cannot read {name}: {e}")),
        },
        _ => Route::Refused(format!(
            "{name} is not a model folder, a word-vectors file (.bin, .vec, .txt) or a plain text file."
        )),
    }
}

/// The first [`SNIFF_BYTES`] of a file.
fn head(file: &ChosenFile) -> Result<Vec<u8>, String> {
    match file {
        ChosenFile::Path(p) => {
            let (f, _) = bounded::open_regular(p, u64::MAX).map_err(|e| e.to_string())?;
            let mut start = Vec::new();
            f.take(SNIFF_BYTES)
                .read_to_end(&mut start)
                .map_err(|e| e.to_string())?;
            Ok(start)
        }
        ChosenFile::Bytes { bytes, .. } => {
            Ok(bytes[..bytes.len().min(SNIFF_BYTES as usize)].to_vec())
        }
    }
}

/// Whether a text starts like word vectors: a `COUNT DIM` header (word2vec), or a word
/// followed by at least two numbers (GloVe).
fn looks_like_vectors(start: &[u8]) -> bool {
    let end = start
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(start.len());
    let line = String::from_utf8_lossy(&start[..end]);
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    let header = fields.len() == 2 && fields.iter().all(|f| f.parse::<u64>().is_ok());
    let glove = fields.len() >= 3 && fields[1..].iter().all(|f| f.parse::<f32>().is_ok());
    header || glove
}

/// A text file as a training text, within [`MAX_CORPUS_BYTES`].
pub fn corpus(file: &ChosenFile) -> Route {
    let name = file.short_name();
    let text = match file {
        ChosenFile::Path(p) => bounded::read_text(p, MAX_CORPUS_BYTES),
        ChosenFile::Bytes { bytes, .. } => bounded::text_within(bytes, MAX_CORPUS_BYTES),
    };
    match text {
        Ok(text) if text.trim().is_empty() => Route::Refused(format!("{name} is empty.")),
        Ok(text) => Route::Corpus {
            name: file.name(),
            text,
        },
        Err(e) => Route::Refused(format!("{name} is not usable as a training text: {e}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(name: &str, content: &str) -> ChosenFile {
        ChosenFile::Bytes {
            name: name.to_owned(),
            bytes: content.as_bytes().into(),
        }
    }

    #[test]
    fn routes_by_name_and_first_line() {
        let model = route(vec![bytes("config.json", "{}"), bytes("vocab.txt", "a")]);
        assert!(matches!(model, Route::Model(Chosen::Files(f)) if f.len() == 2));
        assert!(matches!(
            route(vec![bytes("v.txt", "2 3\na 1 2 3\nb 1 2 3\n")]),
            Route::Vectors(_)
        ));
        assert!(matches!(
            route(vec![bytes("glove.txt", "the 0.1 -0.2 0.3\n")]),
            Route::Vectors(_)
        ));
        assert!(matches!(
            route(vec![bytes("g.bin", "\x01")]),
            Route::Vectors(_)
        ));
        assert!(matches!(
            route(vec![bytes("vocab.txt", "[PAD]\n")]),
            Route::Vocab(_)
        ));
        let Route::Corpus { name, text } = route(vec![bytes("speech.txt", "Four score and seven")])
        else {
            panic!("a text is a corpus");
        };
        assert_eq!(
            (name.as_str(), text.as_str()),
            ("speech.txt", "Four score and seven")
        );
    }

    #[test]
    fn refusals_name_the_file_briefly() {
        let long = format!("{}.png", "x".repeat(300));
        let Route::Refused(m) = route(vec![bytes(&long, "")]) else {
            panic!("an image is refused");
        };
        assert!(m.chars().count() < 140, "{m}");
        assert!(matches!(route(vec![]), Route::Refused(_)));
        assert!(matches!(
            route(vec![bytes("a.txt", "x"), bytes("b.txt", "y")]),
            Route::Refused(_)
        ));
        assert!(matches!(
            route(vec![bytes("model.safetensors", "")]),
            Route::Refused(_)
        ));
        let big = "a".repeat(MAX_CORPUS_BYTES as usize + 1);
        let Route::Refused(m) = route(vec![bytes("big.txt", &big)]) else {
            panic!("a text over the limit is refused");
        };
        assert!(m.contains("the limit is 1 MiB"), "{m}");
    }
}
