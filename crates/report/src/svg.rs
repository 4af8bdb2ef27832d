//! A few SVG primitives for charts that need exact control (dot plots on an issue's scale).
//! Text is left to the viewer's fonts, so nothing here measures glyphs.

use std::fmt::Write;

/// Escape text for XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document under construction.
pub struct Svg {
    body: String,
    width: f64,
    height: f64,
}

impl Svg {
    /// A blank drawing of the given size (px).
    pub fn new(width: f64, height: f64) -> Self {
        Self {
            body: String::new(),
            width,
            height,
        }
    }
    /// A line.
    pub fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let dash = dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""));
        let _ = writeln!(
            self.body,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>"
        );
    }
    /// A circle with a tooltip.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: &str, title: &str) {
        let _ = writeln!(
            self.body,
            "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r:.1}\" fill=\"{fill}\" fill-opacity=\"0.75\" stroke=\"#333\" stroke-width=\"0.5\"><title>{}</title></circle>",
            esc(title)
        );
    }
    /// Text; `anchor` is start, middle or end.
    pub fn text(&mut self, x: f64, y: f64, s: &str, size: f64, anchor: &str, fill: &str) {
        let _ = writeln!(
            self.body,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{fill}\">{}</text>",
            esc(s)
        );
    }
    /// A rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"/>"
        );
    }
    /// Text rotated by `angle` degrees around its anchor (middle-anchored).
    pub fn text_rotated(&mut self, x: f64, y: f64, s: &str, size: f64, angle: f64) {
        let _ = writeln!(
            self.body,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate({angle} {x:.1} {y:.1})\">{}</text>",
            esc(s)
        );
    }
    /// A label centred on `x` that turns inwards near the drawing's edges (`[0, width]`).
    pub fn text_within(&mut self, x: f64, y: f64, s: &str, size: f64, fill: &str, width: f64) {
        let anchor = anchor_within(x, s, size, 0.0, width);
        self.text(x, y, s, size, anchor, fill);
    }
    /// A rectangle with a tooltip.
    pub fn rect_titled(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, title: &str) {
        let _ = writeln!(
            self.body,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"><title>{}</title></rect>",
            esc(title)
        );
    }
    /// A polyline path (`d` in SVG path syntax), unfilled.
    pub fn path(&mut self, d: &str, stroke: &str, dash: Option<&str>) {
        let dash = dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""));
        let _ = writeln!(
            self.body,
            "<path d=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}/>",
            d.trim()
        );
    }
    /// A path with a stroke width and a tooltip.
    pub fn path_styled(
        &mut self,
        d: &str,
        stroke: &str,
        width: f64,
        dash: Option<&str>,
        title: &str,
    ) {
        let dash = dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""));
        let _ = writeln!(
            self.body,
            "<path d=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}><title>{}</title></path>",
            d.trim(),
            esc(title)
        );
    }
    /// A filled polygon (`points` as "x,y x,y …") with an opacity and a tooltip.
    pub fn polygon(&mut self, points: &str, fill: &str, opacity: f64, title: &str) {
        let _ = writeln!(
            self.body,
            "<polygon points=\"{}\" fill=\"{fill}\" fill-opacity=\"{opacity}\" stroke=\"none\"><title>{}</title></polygon>",
            points.trim(),
            esc(title)
        );
    }
    /// The finished document.
    pub fn finish(self, title: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{b}</svg>\n",
            w = self.width,
            h = self.height,
            t = esc(title),
            b = self.body
        )
    }
}

/// The `text-anchor` that keeps a label centred on `x` inside `[lo, hi]` (the drawing's width):
/// `middle` when it fits, else `start` or `end` at `x`.
pub fn anchor_within(x: f64, text: &str, size: f64, lo: f64, hi: f64) -> &'static str {
    let half = 0.55 * size * text.chars().count() as f64 / 2.0;
    if x + half > hi {
        "end"
    } else if x - half < lo {
        "start"
    } else {
        "middle"
    }
}

/// Positions for labels stacked along one axis (e.g. names at the right end of lines), moved
/// apart so that each is at least `gap` from the next, as little as possible, and kept within
/// `[lo, hi]` when there is room. Returned in the input's order.
pub fn spread(positions: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by(|&a, &b| positions[a].total_cmp(&positions[b]).then(a.cmp(&b)));
    let mut y: Vec<f64> = order.iter().map(|&i| positions[i].max(lo)).collect();
    for k in 1..y.len() {
        y[k] = y[k].max(y[k - 1] + gap);
    }
    if let Some(&last) = y.last() {
        if last > hi {
            let n = y.len();
            y[n - 1] = hi;
            for k in (0..n - 1).rev() {
                y[k] = y[k].min(y[k + 1] - gap);
            }
        }
    }
    let mut out = vec![0.0; positions.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = y[k];
    }
    out
}

/// Places point labels so that they do not overlap one another: each label tries the right of
/// its point, then the left, above, below, and further away, and takes the first free place.
/// Text extents are estimated from the font size (0.55 em a character, 1.1 em a line).
#[derive(Debug, Default)]
pub struct LabelPlacer {
    boxes: Vec<(f64, f64, f64, f64)>,
}

impl LabelPlacer {
    /// Where to write `text` (font size `size`) for a point at (`x`, `y`) with radius `r`:
    /// the text's anchor point and its `text-anchor`.
    pub fn place(
        &mut self,
        x: f64,
        y: f64,
        r: f64,
        text: &str,
        size: f64,
    ) -> (f64, f64, &'static str) {
        let w = 0.55 * size * text.chars().count() as f64;
        let h = 1.1 * size;
        let gap = r + 2.0;
        let mut candidates: Vec<(f64, f64, &'static str)> = vec![
            (x + gap, y + 0.35 * size, "start"),
            (x - gap, y + 0.35 * size, "end"),
            (x, y - gap - 0.2 * size, "middle"),
            (x, y + gap + 0.9 * size, "middle"),
        ];
        for k in 1..=8 {
            let d = k as f64 * h;
            candidates.push((x + gap, y + 0.35 * size + d, "start"));
            candidates.push((x + gap, y + 0.35 * size - d, "start"));
        }
        let bbox = |(tx, ty, anchor): (f64, f64, &str)| {
            let x0 = match anchor {
                "start" => tx,
                "end" => tx - w,
                _ => tx - w / 2.0,
            };
            (x0, ty - 0.85 * size, x0 + w, ty - 0.85 * size + h)
        };
        let free = |b: (f64, f64, f64, f64), boxes: &[(f64, f64, f64, f64)]| {
            boxes
                .iter()
                .all(|o| b.2 <= o.0 || o.2 <= b.0 || b.3 <= o.1 || o.3 <= b.1)
        };
        let pick = candidates
            .iter()
            .copied()
            .find(|&c| free(bbox(c), &self.boxes))
            .unwrap_or(candidates[0]);
        self.boxes.push(bbox(pick));
        pick
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_near_an_edge_turn_inwards() {
        assert_eq!(
            anchor_within(795.0, "status quo 100", 10.0, 0.0, 800.0),
            "end"
        );
        assert_eq!(
            anchor_within(3.0, "status quo 0", 10.0, 0.0, 800.0),
            "start"
        );
        assert_eq!(
            anchor_within(400.0, "status quo 50", 10.0, 0.0, 800.0),
            "middle"
        );
    }

    #[test]
    fn spread_keeps_order_and_gap() {
        let y = spread(&[50.0, 50.0, 50.0, 10.0, 52.0], 10.0, 0.0, 100.0);
        let mut sorted = y.clone();
        sorted.sort_by(f64::total_cmp);
        for w in sorted.windows(2) {
            assert!(w[1] - w[0] >= 10.0 - 1e-9, "{y:?}");
        }
        assert_eq!(y[3], 10.0);
        // Against the top end: pushed back inside.
        let y = spread(&[99.0, 99.0, 99.0], 10.0, 0.0, 100.0);
        assert!(y.iter().all(|v| *v <= 100.0), "{y:?}");
    }

    #[test]
    fn placed_labels_do_not_overlap() {
        let mut p = LabelPlacer::default();
        let mut boxes = Vec::new();
        for k in 0..12 {
            // Twelve points on top of one another.
            let (x, y, a) = p.place(100.0, 100.0 + 0.1 * k as f64, 5.0, "Actor name", 9.0);
            boxes.push((x, y, a));
        }
        let pb = &p.boxes;
        for i in 0..pb.len() {
            for j in i + 1..pb.len() {
                let (a, b) = (pb[i], pb[j]);
                assert!(
                    a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1,
                    "labels {i} and {j} overlap"
                );
            }
        }
    }
}
