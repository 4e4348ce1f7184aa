//! The file eframe keeps settings and the window's geometry in (`app.ron`), checked
//! before eframe reads it. eframe reads whatever is there: a FIFO would block the start,
//! a huge file fill memory, and a saved position of −1e9 or a size of NaN opened the
//! window off-screen or at 64×64. The geometry is clamped here and written back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::text::bounded;

/// A settings file larger than this is not ours.
pub const MAX_SETTINGS_BYTES: u64 = 16 << 20;
/// The smallest window the app lays out well (as `with_min_inner_size`).
pub const MIN_SIZE: [f32; 2] = [640.0, 420.0];
/// Size used when the saved one is not a number.
pub const DEFAULT_SIZE: [f32; 2] = [1280.0, 800.0];
/// Larger than any monitor; eframe then shrinks the window to the largest monitor.
const MAX_SIDE: f32 = 16384.0;
/// Saved positions beyond this (pixels) are dropped: the window manager places it.
const MAX_POSITION: f32 = 32768.0;

/// egui-winit's `WindowGeometry`, field for field, so its RON can be read and fixed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Geometry {
    outer_position_pixels: Option<egui::Pos2>,
    scale_factor: f32,
    inner_size_points: egui::Vec2,
}

/// egui-winit's `WindowSettings`, field for field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Window {
    normal_geometry: Geometry,
    fullscreen: bool,
    maximized: bool,
}

/// Geometry a window can open with: a finite size at least [`MIN_SIZE`], a position on
/// any plausible monitor (else none), a scale factor eframe can divide by.
fn clamp(mut w: Window) -> Window {
    let g = &mut w.normal_geometry;
    let side = |x: f32, min: f32, default: f32| {
        if x.is_finite() {
            x.clamp(min, MAX_SIDE)
        } else {
            default
        }
    };
    g.inner_size_points = egui::vec2(
        side(g.inner_size_points.x, MIN_SIZE[0], DEFAULT_SIZE[0]),
        side(g.inner_size_points.y, MIN_SIZE[1], DEFAULT_SIZE[1]),
    );
    if !(g.scale_factor.is_finite() && (0.25..=8.0).contains(&g.scale_factor)) {
        g.scale_factor = 1.0;
    }
    let on_screen = |x: f32| x.is_finite() && x.abs() <= MAX_POSITION;
    if g.outer_position_pixels
        .is_some_and(|p| !(on_screen(p.x) && on_screen(p.y)))
    {
        g.outer_position_pixels = None;
    }
    w
}

/// The text of an `app.ron` with its window geometry clamped, or `None` when there is
/// nothing to change (or nothing we can read: eframe then starts from defaults).
pub fn repaired(text: &str) -> Option<String> {
    let mut kv: HashMap<String, String> = ron::from_str(text).ok()?;
    let window: Window = ron::from_str(kv.get("window")?).ok()?;
    let fixed = clamp(window);
    // NaN != NaN, so compare the RON: a NaN size always counts as changed.
    let before = ron::to_string(&window).ok()?;
    let after = ron::to_string(&fixed).ok()?;
    if before == after {
        return None;
    }
    kv.insert("window".into(), after);
    ron::ser::to_string_pretty(&kv, Default::default()).ok()
}

/// What went wrong with the settings file, in one line for stderr.
fn refuse(path: &Path, why: &dyn std::fmt::Display) -> String {
    format!(
        "settings file {} not used: {why}; moved aside, starting with default settings",
        path.display()
    )
}

/// Checks the settings file of `app_id` before eframe opens it: a non-regular or
/// oversized file is renamed to `app.ron.rejected`, bad geometry is clamped in place.
/// Returns a notice for the learner when something was changed.
pub fn check(app_id: &str) -> Option<String> {
    let path = eframe::storage_dir(app_id)?.join("app.ron");
    check_path(&path)
}

/// [`check`] on a given path (tests use a temporary one).
pub fn check_path(path: &Path) -> Option<String> {
    std::fs::symlink_metadata(path).ok()?;
    match bounded::read_text(path, MAX_SETTINGS_BYTES) {
        Ok(text) => {
            let fixed = repaired(&text)?;
            std::fs::write(path, fixed).ok()?;
            Some(
                "the saved window position or size was off-screen or not a number; it was reset"
                    .into(),
            )
        }
        Err(bounded::BoundedError::Io(_)) => None,
        Err(e) => {
            let aside = PathBuf::from(format!("{}.rejected", path.display()));
            let _ = std::fs::rename(path, aside);
            Some(refuse(path, &e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_ron(pos: &str, size: &str) -> String {
        let window = format!(
            "(normal_geometry:(outer_position_pixels:{pos},scale_factor:1.0,inner_size_points:{size}),fullscreen:false,maximized:false)"
        );
        let kv = HashMap::from([("window".to_string(), window), ("app".into(), "()".into())]);
        ron::to_string(&kv).unwrap()
    }

    fn window_of(text: &str) -> Window {
        let kv: HashMap<String, String> = ron::from_str(text).unwrap();
        assert_eq!(kv["app"], "()", "other keys are kept");
        ron::from_str(&kv["window"]).unwrap()
    }

    #[test]
    fn sane_geometry_is_left_alone() {
        let text = app_ron("Some((x:100.0,y:50.0))", "(x:1000.0,y:700.0)");
        assert_eq!(repaired(&text), None);
    }

    #[test]
    fn off_screen_huge_and_nan_geometry_is_clamped() {
        let text = app_ron("Some((x:-1e9,y:0.0))", "(x:1e9,y:1e9)");
        let w = window_of(&repaired(&text).unwrap());
        assert_eq!(w.normal_geometry.outer_position_pixels, None);
        assert_eq!(
            w.normal_geometry.inner_size_points,
            egui::vec2(MAX_SIDE, MAX_SIDE)
        );

        let text = app_ron("None", "(x:NaN,y:10.0)");
        let w = window_of(&repaired(&text).unwrap());
        assert_eq!(
            w.normal_geometry.inner_size_points,
            egui::vec2(1280.0, 420.0)
        );
    }

    #[test]
    fn a_pipe_or_folder_is_moved_aside_not_read() {
        let dir = std::env::temp_dir().join(format!("llm-lens-settings-{}", std::process::id()));
        let path = dir.join("app.ron");
        std::fs::create_dir_all(&path).unwrap();
        let notice = check_path(&path).unwrap();
        assert!(
            notice.contains("folder") && notice.contains("moved aside"),
            "{notice}"
        );
        assert!(!path.exists() && dir.join("app.ron.rejected").exists());
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(check_path(&path), None, "no file, nothing to say");
    }
}
