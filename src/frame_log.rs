//! `--frame-log FILE`: measures how long the app takes to draw a frame. The app repaints
//! continuously, records eframe's CPU time per frame (after a warm-up), writes the
//! median, p95 and maximum to FILE and closes. Used for the playground's frame-time
//! target, under Xvfb.

use std::path::PathBuf;

/// Frames ignored at the start (fonts, textures, first trace).
const WARM_UP: usize = 120;
/// Frames measured.
const MEASURED: usize = 600;

pub struct FrameLog {
    path: PathBuf,
    frames: usize,
    cpu_ms: Vec<f32>,
}

impl FrameLog {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            frames: 0,
            cpu_ms: Vec::with_capacity(MEASURED),
        }
    }

    /// Records one frame; returns true when done (the file is written).
    pub fn record(&mut self, ctx: &egui::Context, cpu_seconds: Option<f32>) -> bool {
        self.frames += 1;
        if self.frames > WARM_UP
            && let Some(s) = cpu_seconds
        {
            self.cpu_ms.push(s * 1e3);
        }
        if self.cpu_ms.len() >= MEASURED {
            let _ = std::fs::write(&self.path, summary(&mut self.cpu_ms));
            return true;
        }
        ctx.request_repaint();
        false
    }
}

/// `frames N median X ms p95 Y ms max Z ms`.
pub fn summary(ms: &mut [f32]) -> String {
    ms.sort_by(f32::total_cmp);
    let at = |q: f32| {
        ms.get(((ms.len() as f32 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f32::NAN)
    };
    format!(
        "frames {} median {:.2} ms p95 {:.2} ms max {:.2} ms\n",
        ms.len(),
        at(0.5),
        at(0.95),
        ms.last().copied().unwrap_or(f32::NAN)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentiles() {
        let mut v: Vec<f32> = (1..=100).map(|x| x as f32).collect();
        assert_eq!(
            super::summary(&mut v),
            "frames 100 median 51.00 ms p95 95.00 ms max 100.00 ms\n"
        );
    }
}
