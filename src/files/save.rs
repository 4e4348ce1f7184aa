//! Where an export goes: on the desktop a file in the export folder, in the browser a
//! download (a page cannot write files). The one place that tells the two apart.

use std::path::{Path, PathBuf};

/// Gives `bytes` to the learner as `name`: written into `dir` on the desktop, offered
/// as a download in the browser. Returns the line the pane shows.
pub fn deliver(dir: &Path, name: &str, bytes: &[u8]) -> Result<String, String> {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = dir;
        super::web::download(name, bytes, mime(name))?;
        Ok(format!(
            "Downloaded {}",
            crate::model::text::quote::shorten(name)
        ))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let path = write_in(dir, name, bytes)?;
        Ok(format!("Saved {}", path.display()))
    }
}

/// Writes `bytes` as `dir/name`, making `dir` first (the desktop's exports, tests).
pub fn write_in(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The download's type, by its extension.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn mime(name: &str) -> &'static str {
    match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("csv") => "text/csv",
        _ => "application/octet-stream",
    }
}
