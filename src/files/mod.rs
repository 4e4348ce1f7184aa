//! Files the learner opens: chosen in a dialog ([`dialog`]: the system's on the desktop,
//! the browser's file picker on the web) or dropped on the window ([`dropped`]). Both
//! end as [`Chosen`], which the lessons' loaders take: on the desktop a path (each
//! loader reads it within its own limits), in the browser the bytes (a page sees no
//! paths). Exports leave through [`save`]: a file on the desktop, a download on the web.

pub mod dialog;
pub mod dropped;
pub mod save;
#[cfg(target_arch = "wasm32")]
mod web;

use std::path::PathBuf;
use std::sync::Arc;

use crate::model::text::quote::shorten;

/// One file the learner chose.
#[derive(Debug, Clone)]
pub enum ChosenFile {
    /// On the desktop: where it is; the loader reads it.
    Path(PathBuf),
    /// In the browser (or dropped without a path): its name and contents.
    Bytes { name: String, bytes: Arc<[u8]> },
}

impl ChosenFile {
    /// The file's name without its folder, cut for messages.
    pub fn short_name(&self) -> String {
        shorten(&self.name())
    }

    /// The file's name without its folder.
    pub fn name(&self) -> String {
        match self {
            ChosenFile::Path(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
            ChosenFile::Bytes { name, .. } => std::path::Path::new(name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone()),
        }
    }

    /// The extension, lower-cased ("" when none).
    pub fn extension(&self) -> String {
        std::path::Path::new(&self.name())
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    }
}

/// What a dialog or a drop gave.
#[derive(Debug, Clone)]
pub enum Chosen {
    /// A folder on the desktop (a model folder).
    Folder(PathBuf),
    /// One file or several (in the browser, a model's files one by one).
    Files(Vec<ChosenFile>),
}
