//! Chart text where plotters cannot draw it. In the browser plotters measures text in
//! the page's DOM and has no way to draw it into a bitmap (it panics), so the bitmap
//! backend is wrapped and text is rasterised here with ab_glyph from the app's own
//! DejaVu Sans, with the same layout plotters uses on the desktop: charts read the same
//! on both. The desktop keeps plotters' own text (see `chart::Raster`).

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// A backend that draws text itself and everything else through `inner`.
pub struct GlyphText<B> {
    inner: B,
    /// DejaVu Sans; None only if the shipped font failed to parse: text is then left out.
    font: Option<FontRef<'static>>,
    /// The UI's face, for text whose style names [`super::chart_font::UI`].
    ui_font: Option<FontRef<'static>>,
}

impl<B: DrawingBackend> GlyphText<B> {
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            font: FontRef::try_from_slice(super::fonts::DEJAVU_SANS).ok(),
            ui_font: FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok(),
        }
    }

    /// The face a style asks for: the UI's by its family name, else DejaVu Sans.
    fn face<TStyle: BackendTextStyle>(&self, style: &TStyle) -> Option<&FontRef<'static>> {
        if style.family().as_str() == super::chart_font::UI {
            self.ui_font.as_ref().or(self.font.as_ref())
        } else {
            self.font.as_ref()
        }
    }
}

/// Width and height of `text` at `size` px, as plotters' ab_glyph font lays it out.
fn layout(font: &FontRef<'static>, size: f64, text: &str) -> (i32, i32) {
    let scaled = font.as_scaled(size as f32);
    let mut width = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        width += scaled.h_advance(id);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        prev = Some(id);
    }
    (width as i32, (size / 1.24) as i32)
}

impl<B: DrawingBackend> DrawingBackend for GlyphText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (w, h) = match self.face(style) {
            Some(font) => layout(font, style.size(), text),
            None => (0, 0),
        };
        Ok((w.max(0) as u32, h.max(0) as u32))
    }

    /// plotters' own text drawing (anchor, then rotation), with ab_glyph's coverage as
    /// the pixel's alpha.
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        let Some(font) = self.face(style).cloned() else {
            return Ok(());
        };
        if color.alpha == 0.0 {
            return Ok(());
        }
        let size = style.size();
        let (width, height) = layout(&font, size, text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let scaled = font.as_scaled(size as f32);
        let mut x_shift = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                x_shift += scaled.kern(p, id);
            }
            prev = Some(id);
            if let Some(outline) = scaled.outline_glyph(scaled.scaled_glyph(c)) {
                let rect = outline.px_bounds();
                let y_shift = ((size as f32) / 2.0 + rect.min.y) as i32;
                let mut pixels = Vec::new();
                outline.draw(|x, y, a| pixels.push((x as i32, y as i32, a)));
                for (x, y, a) in pixels {
                    let (x, y) = trans.transform(x + x_shift as i32 + dx, y + y_shift + dy);
                    let (x, y) = (pos.0 + x, pos.1 + y);
                    if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                        let pixel = BackendColor {
                            alpha: color.alpha * f64::from(a),
                            rgb: color.rgb,
                        };
                        self.inner.draw_pixel((x, y), pixel)?;
                    }
                }
            }
            x_shift += scaled.h_advance(id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// The wrapper draws text (the browser's case) where plotters' own would, at about
    /// the same place and size: the same chart differs from plotters' by few pixels.
    #[test]
    fn text_drawn_by_the_wrapper_lands_where_plotters_puts_it() {
        let (w, h) = (200u32, 60u32);
        fn draw<B: DrawingBackend>(root: DrawingArea<B, plotters::coord::Shift>) {
            root.fill(&WHITE).ok();
            let font = ("sans-serif", 20).into_font();
            root.draw(&Text::new("Loss 0.25", (10, 10), font)).ok();
            root.present().ok();
        }
        crate::widgets::chart_font::ensure_registered();
        let mut ours = vec![0u8; (w * h * 3) as usize];
        draw(GlyphText::new(BitMapBackend::with_buffer(&mut ours, (w, h))).into_drawing_area());
        let mut theirs = vec![0u8; (w * h * 3) as usize];
        draw(BitMapBackend::with_buffer(&mut theirs, (w, h)).into_drawing_area());
        let inked = ours.iter().filter(|&&v| v < 128).count();
        assert!(
            inked > 100,
            "the wrapper drew no text ({inked} dark values)"
        );
        let differ = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
        assert!(
            differ * 20 < inked,
            "{differ} values differ of {inked} inked"
        );
    }
}
