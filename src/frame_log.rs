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
    /// Extra lines for the file (the live model panel's latency), set by the app.
    pub extra: String,
    /// Text typed into the sentence box during the measured frames, one character
    /// every [`TYPING_EVERY`] frames (`--frame-log-type`), as a learner would.
    typing: Vec<char>,
    /// Wall-clock time between measured frames (painting included, which on a software
    /// renderer under Xvfb costs far more than the app's own CPU time).
    wall_ms: Vec<f32>,
    last_frame: Option<web_time::Instant>,
}

/// Frames between two simulated keystrokes: about 10 characters a second at 60 fps.
pub const TYPING_EVERY: usize = 6;

impl FrameLog {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            frames: 0,
            cpu_ms: Vec::with_capacity(MEASURED),
            extra: String::new(),
            typing: Vec::new(),
            wall_ms: Vec::with_capacity(MEASURED),
            last_frame: None,
        }
    }

    /// Types `text` into the sentence box while measuring.
    pub fn with_typing(mut self, text: &str) -> Self {
        self.typing = text.chars().rev().collect();
        self
    }

    /// Whether the next recorded frame writes the file (then is the time to set `extra`).
    pub fn finishing(&self) -> bool {
        self.cpu_ms.len() + 1 >= MEASURED
    }

    /// The character to type this frame, if one is due.
    pub fn keystroke(&mut self) -> Option<char> {
        let due = self.frames > WARM_UP && self.frames.is_multiple_of(TYPING_EVERY);
        if due { self.typing.pop() } else { None }
    }

    /// Records one frame; returns true when done (the file is written).
    pub fn record(&mut self, ctx: &egui::Context, cpu_seconds: Option<f32>) -> bool {
        self.frames += 1;
        let now = web_time::Instant::now();
        if self.frames > WARM_UP {
            if let Some(s) = cpu_seconds {
                self.cpu_ms.push(s * 1e3);
            }
            if let Some(last) = self.last_frame {
                self.wall_ms.push((now - last).as_secs_f32() * 1e3);
            }
        }
        self.last_frame = Some(now);
        if self.cpu_ms.len() >= MEASURED {
            let wall = format!("wall-clock between frames: {}", summary(&mut self.wall_ms));
            let text = summary(&mut self.cpu_ms) + &wall + &self.extra;
            let _ = std::fs::write(&self.path, text);
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

/// The live model panel's passes: `passes N pass median X ms max Y ms; shown after
/// the pass median X ms max Y ms`.
pub fn latency_summary(timings: &[(std::time::Duration, std::time::Duration)]) -> String {
    if timings.is_empty() {
        return "panel passes 0\n".to_owned();
    }
    let mut pass: Vec<f32> = timings.iter().map(|t| t.0.as_secs_f32() * 1e3).collect();
    let mut shown: Vec<f32> = timings.iter().map(|t| t.1.as_secs_f32() * 1e3).collect();
    let stats = |v: &mut Vec<f32>| {
        v.sort_by(f32::total_cmp);
        (v[v.len() / 2], v[v.len() - 1])
    };
    let (pm, px) = stats(&mut pass);
    let (sm, sx) = stats(&mut shown);
    format!(
        "panel passes {} pass median {pm:.2} ms max {px:.2} ms; shown after the pass median {sm:.2} ms max {sx:.2} ms\n",
        timings.len()
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
