//! Bar-and-line charts with two value axes (the paper's Figure 1 layout): stacked bars per
//! category on the left axis, lines on the right axis. SVG only; PNG is rendered from it.

use std::fmt::Write;

use crate::svg::{Svg, esc};

/// One stacked-bar series (one component).
pub struct BarSeries<'a> {
    /// Legend label.
    pub label: &'a str,
    /// Fill colour.
    pub color: &'a str,
    /// One value per category (`None` = nothing drawn).
    pub values: Vec<Option<f64>>,
}

/// One line on the right axis.
pub struct LineSeries<'a> {
    /// Legend label.
    pub label: &'a str,
    /// Stroke colour.
    pub color: &'a str,
    /// Dashed?
    pub dashed: bool,
    /// One value per category (`None` breaks the line).
    pub values: Vec<Option<f64>>,
}

/// A chart of categories (years) with stacked bars and lines.
pub struct BarLineChart<'a> {
    /// Title.
    pub title: &'a str,
    /// Category labels (years).
    pub categories: Vec<String>,
    /// Left-axis label.
    pub left_label: &'a str,
    /// Right-axis label.
    pub right_label: &'a str,
    /// Bars.
    pub bars: Vec<BarSeries<'a>>,
    /// Lines.
    pub lines: Vec<LineSeries<'a>>,
}

/// "Nice" axis bounds and step covering [lo, hi]: the step is 1, 2, 2.5 or 5 times a power of
/// ten, giving at most 6 intervals; the bounds are multiples of the step.
pub fn nice_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    let (lo, hi) = if (hi - lo).abs() < 1e-12 {
        (lo.min(0.0), hi.max(1.0))
    } else {
        (lo, hi)
    };
    let span = hi - lo;
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// Ticks for data in [lo, hi] on a scale bounded by `range`: a nice axis ([`nice_axis`]) cut to
/// the range, so a 0–100 scale never shows 102.3. Returns the axis ends and the ticks.
pub fn axis_within(lo: f64, hi: f64, range: (f64, f64)) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = (lo.max(range.0), hi.min(range.1));
    let (lo, hi) = if hi > lo { (lo, hi) } else { range };
    let (a, b, step) = nice_axis(lo, hi);
    let (a, b) = (a.max(range.0), b.min(range.1));
    (a, b, ticks(a, b, step))
}

/// The multiples of `step` in [lo, hi] (a tolerance of 1 % of a step at each end).
pub fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(step > 0.0 && lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let first = (lo / step - 0.01).ceil() as i64;
    let last = (hi / step + 0.01).floor() as i64;
    (first..=last.min(first + 100))
        .map(|k| {
            let v = k as f64 * step;
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect()
}

/// Lower ends for two axes `(lo, hi)` that put zero at the same height: the axis with less
/// room below zero is extended down to the other's share of its height.
pub fn align_zeros(left: (f64, f64), right: (f64, f64)) -> (f64, f64) {
    let below = |(a, b): (f64, f64)| if b > a { (-a / (b - a)).max(0.0) } else { 0.0 };
    let f = below(left).max(below(right)).min(0.95);
    let down = |(a, b): (f64, f64)| {
        if b > 0.0 {
            a.min(-f / (1.0 - f) * b)
        } else {
            a
        }
    };
    (down(left), down(right))
}

/// A tick's label with as many decimals as the step needs, so two ticks never read the same.
pub fn tick_label(v: f64, step: f64) -> String {
    let mut d = 0;
    while d < 6 && ((step * 10f64.powi(d)).round() - step * 10f64.powi(d)).abs() > 1e-6 {
        d += 1;
    }
    format!("{v:.*}", d as usize)
}

impl BarLineChart<'_> {
    /// Render as SVG.
    pub fn svg(&self) -> String {
        let (w, h) = (860.0, 440.0);
        let (left, right, top, bottom) = (70.0, w - 70.0, 40.0, h - 90.0);
        let n = self.categories.len().max(1);
        // Stacked extents: positives up, negatives down.
        let mut lo: f64 = 0.0;
        let mut hi: f64 = 0.0;
        for i in 0..n {
            let (mut p, mut q) = (0.0, 0.0);
            for b in &self.bars {
                match b.values.get(i).copied().flatten() {
                    Some(v) if v >= 0.0 => p += v,
                    Some(v) => q += v,
                    None => {}
                }
            }
            hi = hi.max(p);
            lo = lo.min(q);
        }
        let (l0, l1, ls) = nice_axis(lo, hi);
        let line_vals: Vec<f64> = self
            .lines
            .iter()
            .flat_map(|l| l.values.iter().flatten().copied())
            .collect();
        let (r0, r1, rs) = nice_axis(
            line_vals.iter().copied().fold(0.0_f64, f64::min),
            line_vals.iter().copied().fold(0.0_f64, f64::max),
        );
        let (l0, r0) = align_zeros((l0, l1), (r0, r1));
        let yl = |v: f64| bottom - (v - l0) / (l1 - l0) * (bottom - top);
        let yr = |v: f64| bottom - (v - r0) / (r1 - r0) * (bottom - top);
        let slot = (right - left) / n as f64;
        let xc = |i: usize| left + slot * (i as f64 + 0.5);
        let mut s = Svg::new(w, h);
        s.text(w / 2.0, 22.0, self.title, 14.0, "middle", "#222");
        // Grid and left axis (a chart of lines alone has its grid on the right axis).
        let left_ticks = if self.bars.is_empty() {
            Vec::new()
        } else {
            ticks(l0, l1, ls)
        };
        for v in left_ticks {
            s.line(
                (left, yl(v)),
                (right, yl(v)),
                if v.abs() < 1e-12 { "#555" } else { "#e6e6e6" },
                1.0,
                None,
            );
            s.text(
                left - 6.0,
                yl(v) + 4.0,
                &tick_label(v, ls),
                11.0,
                "end",
                "#444",
            );
        }
        // Right axis ticks.
        for v in ticks(r0, r1, rs) {
            if self.bars.is_empty() {
                s.line(
                    (left, yr(v)),
                    (right, yr(v)),
                    if v.abs() < 1e-12 { "#555" } else { "#e6e6e6" },
                    1.0,
                    None,
                );
            }
            s.text(
                right + 6.0,
                yr(v) + 4.0,
                &tick_label(v, rs),
                11.0,
                "start",
                "#444",
            );
        }
        s.text_rotated(18.0, (top + bottom) / 2.0, self.left_label, 12.0, -90.0);
        s.text_rotated(w - 14.0, (top + bottom) / 2.0, self.right_label, 12.0, 90.0);
        // Bars.
        let bw = slot * 0.62;
        for i in 0..n {
            let (mut up, mut down) = (0.0, 0.0);
            for b in &self.bars {
                let Some(v) = b.values.get(i).copied().flatten() else {
                    continue;
                };
                let (y0, y1) = if v >= 0.0 {
                    let r = (yl(up + v), yl(up));
                    up += v;
                    r
                } else {
                    let r = (yl(down), yl(down + v));
                    down += v;
                    r
                };
                s.rect_titled(
                    xc(i) - bw / 2.0,
                    y0,
                    bw,
                    (y1 - y0).max(0.0),
                    b.color,
                    &format!("{} {}: {:.2}", self.categories[i], b.label, v),
                );
            }
        }
        // Category labels; a category with no value in any series says so rather than look
        // like a zero.
        for (i, c) in self.categories.iter().enumerate() {
            s.text(xc(i), bottom + 16.0, c, 11.0, "middle", "#444");
            let empty = self
                .bars
                .iter()
                .all(|b| b.values.get(i).copied().flatten().is_none())
                && self
                    .lines
                    .iter()
                    .all(|l| l.values.get(i).copied().flatten().is_none());
            if empty {
                s.text_rotated(xc(i) + 4.0, yl(0.0) - 30.0, "no data", 10.0, -90.0);
            }
        }
        // Lines.
        for l in &self.lines {
            let mut d = String::new();
            let mut pen_up = true;
            for i in 0..n {
                match l.values.get(i).copied().flatten() {
                    Some(v) => {
                        let _ = write!(
                            d,
                            "{}{:.1},{:.1} ",
                            if pen_up { "M" } else { "L" },
                            xc(i),
                            yr(v)
                        );
                        pen_up = false;
                        if !l.dashed {
                            s.circle(
                                xc(i),
                                yr(v),
                                3.0,
                                l.color,
                                &format!("{} {}: {:.2}", self.categories[i], l.label, v),
                            );
                        }
                    }
                    None => pen_up = true,
                }
            }
            s.path(&d, l.color, if l.dashed { Some("6,4") } else { None });
        }
        // Legend.
        let mut lx = left;
        let ly = h - 40.0;
        for b in &self.bars {
            s.rect(lx, ly - 10.0, 12.0, 12.0, b.color);
            s.text(lx + 16.0, ly, b.label, 11.0, "start", "#333");
            lx += 26.0 + 6.5 * b.label.chars().count() as f64;
        }
        for l in self.lines.iter().filter(|l| !l.label.is_empty()) {
            s.line(
                (lx, ly - 4.0),
                (lx + 22.0, ly - 4.0),
                l.color,
                2.0,
                if l.dashed { Some("6,4") } else { None },
            );
            s.text(lx + 26.0, ly, l.label, 11.0, "start", "#333");
            lx += 36.0 + 6.5 * l.label.chars().count() as f64;
        }
        s.finish(&esc(self.title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_line_up() {
        let (l0, r0) = align_zeros((-2.0, 6.0), (0.0, 10.0));
        assert_eq!(l0, -2.0);
        // Zero sits a quarter of the way up on both.
        assert!(((0.0 - r0) / (10.0 - r0) - 0.25).abs() < 1e-12, "{r0}");
        assert_eq!(align_zeros((0.0, 5.0), (0.0, 8.0)), (0.0, 0.0));
    }

    #[test]
    fn ticks_stay_in_range_and_read_differently() {
        // A band 25.0–25.2 once gave two ticks reading "25.1".
        let (_, _, t) = axis_within(25.0, 25.2, (0.0, 100.0));
        let step = t[1] - t[0];
        let labels: Vec<String> = t.iter().map(|v| tick_label(*v, step)).collect();
        let mut uniq = labels.clone();
        uniq.dedup();
        assert_eq!(uniq, labels);
        assert!(t.len() >= 2);
        // A padded band never runs past the scale: no 102.3 on 0–100.
        let (lo, hi, t) = axis_within(40.0, 102.3, (0.0, 100.0));
        assert!(
            lo >= 0.0 && hi <= 100.0 && t.iter().all(|v| *v <= 100.0),
            "{t:?}"
        );
        assert_eq!(t.last(), Some(&100.0));
        // Ticks are round: multiples of the step, not 0.1, 2.1, 4.1.
        let (_, _, t) = axis_within(0.1, 9.7, (0.0, 100.0));
        assert!(t.iter().all(|v| (v / 2.0).fract().abs() < 1e-9), "{t:?}");
        assert_eq!(tick_label(2.5, 2.5), "2.5");
        assert_eq!(tick_label(20.0, 5.0), "20");
        assert_eq!(tick_label(0.05, 0.05), "0.05");
    }

    #[test]
    fn nice_axes_cover_the_data() {
        let (lo, hi, step) = nice_axis(-3.8, 12.0);
        assert!(lo <= -3.8 && hi >= 12.0 && step > 0.0);
        assert!((hi - lo) / step <= 8.0);
        let (lo, hi, _) = nice_axis(0.0, 0.0);
        assert!(lo <= 0.0 && hi > 0.0);
    }

    #[test]
    fn chart_renders_bars_lines_and_legend() {
        let c = BarLineChart {
            title: "t",
            categories: vec!["2017".into(), "2018".into()],
            left_label: "USD bn",
            right_label: "% of GDP",
            bars: vec![BarSeries {
                label: "gas",
                color: "#c00",
                values: vec![Some(1.0), None],
            }],
            lines: vec![LineSeries {
                label: "total",
                color: "#000",
                dashed: false,
                values: vec![Some(2.0), Some(3.0)],
            }],
        };
        let svg = c.svg();
        assert_eq!(
            svg.matches("<rect x=").count(),
            1 + 1,
            "one bar and one legend swatch"
        );
        assert!(svg.contains("<path") && svg.contains(">gas<") && svg.contains("2018 total: 3.00"));
    }
}
