//! The browser's side of files: reading what its picker gave, and downloads.

use std::sync::Arc;

use wasm_bindgen::JsCast;

use super::dialog::Outcome;
use super::{Chosen, ChosenFile};
use crate::model::text::bounded;
use crate::model::text::quote::shorten;

/// Largest file the page reads into memory: wasm32 has 4 GiB in all, and the model
/// must fit beside its file.
pub const MAX_WEB_FILE_BYTES: u64 = 1 << 30;

/// Why a file of `size` bytes is not read, in one line.
pub fn too_large(name: &str, size: u64) -> String {
    format!(
        "{} is {}; the browser version reads files up to {}.",
        shorten(name),
        bounded::bytes(size),
        bounded::bytes(MAX_WEB_FILE_BYTES)
    )
}

/// The picked files' bytes, each checked against [`MAX_WEB_FILE_BYTES`] before it is read.
pub async fn read_picked(handles: Vec<rfd::FileHandle>) -> Outcome {
    let mut files = Vec::with_capacity(handles.len());
    for h in handles {
        let size = h.inner().size().max(0.0) as u64;
        if size > MAX_WEB_FILE_BYTES {
            return Outcome::Refused(too_large(&h.file_name(), size));
        }
        let bytes: Arc<[u8]> = h.read().await.into();
        files.push(ChosenFile::Bytes {
            name: h.file_name(),
            bytes,
        });
    }
    Outcome::Chosen(Chosen::Files(files))
}

/// Offers `bytes` as a download named `name` (a Blob and a clicked `<a download>`).
pub fn download(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let js = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("the page has no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(js)?
        .dyn_into()
        .map_err(|_| "cannot make a link".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Freed once the download has surely started, not at once (Firefox needs the URL
    // a moment after the click).
    let window = web_sys::window().ok_or("the page has no window")?;
    let revoke = js_sys::Function::new_with_args("u", "URL.revokeObjectURL(u)");
    window
        .set_timeout_with_callback_and_timeout_and_arguments_1(&revoke, 60_000, &url.into())
        .map_err(js)?;
    Ok(())
}
