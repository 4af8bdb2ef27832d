//! Game trees as SVG: every node of a [`Game`], left to right, with one row per terminal node.
//!
//! Layout. Terminal nodes get one row each, in depth-first order (children in action order), so
//! nothing overlaps by construction however large the tree is. A decision or chance node sits
//! halfway between the rows of its first and last child; its column is its depth. An edge fans
//! out diagonally from the parent to the child's row, then runs horizontally to the child; the
//! action label (and a chance probability) sits on that horizontal stretch, whose length is
//! sized from the longest label entering the column. Each terminal is a small square at its own
//! depth with a dotted leader to a table on the right: outcome label, payoffs per player (summed
//! along the path, Gambit's rule), the probability under the equilibrium and, when one is
//! given, under the QRE (a bar and a number).
//!
//! Encodings. Decision nodes are circles coloured by player (numbered inside), chance nodes grey
//! (`C`); members of an information set with more than one node are joined by a dashed line in
//! the mover's colour. The equilibrium path — edges the equilibrium profile plays with
//! probability 1 (and chance edges of positive probability) from nodes it reaches — is drawn
//! bold in orange. With a QRE profile, other edges are shaded (and thickened) by the QRE
//! probability of the action. Tooltips give node, action and probability details.
//!
//! Text is not measured (see [`crate::svg`]): widths are estimated from character counts, with
//! a margin. The output depends only on the inputs (no hashing, no clocks).

use leverage_games::{Game, Mover, NodeId, Profile, reach_probabilities};

use crate::svg::Svg;

/// Player colours (the report's palette), by player index, cycled.
const PLAYER_COLORS: [&str; 6] = [
    "#c0392b", "#2e6da4", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d",
];
/// Chance nodes.
const CHANCE_COLOR: &str = "#9e9e9e";
/// The equilibrium path.
const SPE_COLOR: &str = "#e67e22";
/// Stroke width of the equilibrium path.
const SPE_WIDTH: f64 = 3.5;
/// Stroke width of the equilibrium's choices off its path.
const OFF_PATH_WIDTH: f64 = 1.6;
/// Dash pattern of information-set links.
const INFOSET_DASH: &str = "5 3";
/// Probabilities this close to 1 count as 1.
const SURE: f64 = 1.0 - 1e-9;

/// Sizes that shrink as the number of terminal rows grows.
struct Scale {
    /// Font size of labels.
    font: f64,
    /// Height of one terminal row.
    row: f64,
    /// Node radius.
    r: f64,
    /// Horizontal extent of the diagonal part of an edge.
    fan: f64,
}

fn scale(rows: usize) -> Scale {
    if rows <= 40 {
        Scale {
            font: 11.0,
            row: 22.0,
            r: 7.0,
            fan: 30.0,
        }
    } else if rows <= 100 {
        Scale {
            font: 9.5,
            row: 16.0,
            r: 5.5,
            fan: 24.0,
        }
    } else {
        Scale {
            font: 8.0,
            row: 12.0,
            r: 4.0,
            fan: 18.0,
        }
    }
}

/// A legend entry's sample.
enum Swatch {
    /// A square of a mover's colour.
    Square(&'static str),
    /// A line in the equilibrium's colour, of a width.
    Line(f64),
    /// Three short lines shaded by QRE probability.
    Shades,
}

impl Swatch {
    fn width(&self) -> f64 {
        match self {
            Swatch::Square(_) => 10.0,
            Swatch::Line(_) | Swatch::Shades => 22.0,
        }
    }
}

/// Estimated width of `s` at font size `size` (sans-serif, generous).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * 0.6
}

/// A probability for a label: up to three decimals, trailing zeros dropped.
fn short_prob(p: f64) -> String {
    let s = format!("{p:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A probability in the table.
fn table_prob(p: f64) -> String {
    if p >= 0.9995 {
        "1".to_string()
    } else if p > 0.0 && p < 0.0005 {
        "<0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

fn mover_color(m: Mover) -> &'static str {
    match m {
        Mover::Chance => CHANCE_COLOR,
        Mover::Player(i) => PLAYER_COLORS[i % PLAYER_COLORS.len()],
    }
}

/// Grey for improbable actions to dark slate for sure ones.
fn shade(q: f64) -> String {
    let q = if q.is_finite() {
        q.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let lerp = |a: f64, b: f64| (a + (b - a) * q).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(215.0, 44.0),
        lerp(215.0, 62.0),
        lerp(215.0, 80.0)
    )
}

/// The probability with which the edge into `child` is taken at its parent: the chance
/// probability, or the profile's (`None` without a profile for a personal move).
fn edge_prob(game: &Game, profile: Option<&Profile>, child: NodeId) -> Option<f64> {
    let node = game.node(child);
    let parent = node.parent?;
    let h = game.node(parent).infoset?;
    let inf = game.infoset(h);
    let a = node.action_in_parent as usize;
    match inf.mover {
        Mover::Chance => inf.probs.get(a).map(|p| p.value()),
        Mover::Player(_) => profile.map(|p| p.prob(h, a)),
    }
}

/// Reach probabilities of a profile, or `None` if it does not fit the game.
fn reach(game: &Game, profile: Option<&Profile>) -> Option<Vec<f64>> {
    profile.and_then(|p| reach_probabilities(game, p).ok())
}

/// The edges (by child node) on the equilibrium path: from a node the profile reaches, an action
/// it plays with probability 1 or a chance move of positive probability.
fn equilibrium_edges(game: &Game, profile: &Profile, reach: &[f64]) -> Vec<bool> {
    let mut on = vec![false; game.num_nodes()];
    for (i, node) in game.nodes().iter().enumerate() {
        let Some(parent) = node.parent else { continue };
        if reach[parent.index()] <= 0.0 {
            continue;
        }
        let child = NodeId(i as u32);
        let chance = game.mover(parent) == Some(Mover::Chance);
        if let Some(p) = edge_prob(game, Some(profile), child) {
            on[i] = if chance { p > 0.0 } else { p >= SURE };
        }
    }
    on
}

/// The text on an edge: the action, and the probability of a chance move.
fn edge_label(game: &Game, child: NodeId) -> String {
    let node = game.node(child);
    let Some(h) = node.parent.and_then(|p| game.node(p).infoset) else {
        return String::new();
    };
    let inf = game.infoset(h);
    let a = node.action_in_parent as usize;
    let action = inf.actions.get(a).cloned().unwrap_or_default();
    match inf.mover {
        Mover::Chance => match inf.probs.get(a) {
            Some(p) => format!("{action} ({})", short_prob(p.value())),
            None => action,
        },
        Mover::Player(_) => action,
    }
}

/// The name of a terminal node: its outcome's label, else its own label, else its number.
fn terminal_label(game: &Game, id: NodeId) -> String {
    let node = game.node(id);
    if let Some(o) = node.outcome {
        let l = &game.outcome(o).label;
        if !l.is_empty() {
            return l.clone();
        }
    }
    if !node.label.is_empty() {
        return node.label.clone();
    }
    format!("node {}", id.0)
}

fn mover_name(game: &Game, m: Mover) -> String {
    match m {
        Mover::Chance => "chance".to_string(),
        Mover::Player(i) => game
            .players()
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("player {}", i + 1)),
    }
}

/// The game tree as an SVG document.
///
/// `spe` is the equilibrium whose path is drawn bold (any behaviour profile of the game: the
/// edges it plays with probability 1 from the nodes it reaches, and chance moves of positive
/// probability from those nodes), and whose outcome probabilities fill the table's `SPE`
/// column. `qre` (e.g. a logit QRE's profile) shades the edges by action probability and adds
/// a `QRE` column with each terminal's probability. A profile that does not fit the game is
/// ignored. `title` heads the drawing. Same inputs, same bytes.
pub fn tree_svg(game: &Game, spe: Option<&Profile>, qre: Option<&Profile>, title: &str) -> String {
    let n = game.num_nodes();
    let nodes = game.nodes();

    // Depths (parents come before their children in the arena).
    let mut depth = vec![0usize; n];
    for i in 1..n {
        if let Some(p) = nodes[i].parent {
            depth[i] = depth[p.index()] + 1;
        }
    }
    let max_depth = depth.iter().copied().max().unwrap_or(0);

    // Rows: terminals in depth-first order; an inner node halfway between its first and last
    // child (children after parents, so one reverse pass settles them).
    let mut row = vec![0.0f64; n];
    let mut terminals: Vec<NodeId> = Vec::new();
    let mut stack = vec![game.root()];
    while let Some(v) = stack.pop() {
        let ch = game.children(v);
        if ch.is_empty() {
            row[v.index()] = terminals.len() as f64;
            terminals.push(v);
        } else {
            stack.extend(ch.iter().rev().copied());
        }
    }
    for i in (0..n).rev() {
        let ch = game.children(NodeId(i as u32));
        if let (Some(first), Some(last)) = (ch.first(), ch.last()) {
            row[i] = (row[first.index()] + row[last.index()]) / 2.0;
        }
    }

    let sc = scale(terminals.len());
    let f = sc.font;

    let spe_reach = reach(game, spe);
    let spe = spe.filter(|_| spe_reach.is_some());
    let qre_reach = reach(game, qre);
    let qre = qre.filter(|_| qre_reach.is_some());
    let on_path = match (spe, &spe_reach) {
        (Some(p), Some(r)) => equilibrium_edges(game, p, r),
        _ => vec![false; n],
    };
    // The equilibrium's choices where play does not go (what makes it subgame-perfect).
    let off_path: Vec<bool> = (0..n)
        .map(|i| {
            let child = NodeId(i as u32);
            !on_path[i]
                && matches!(
                    nodes[i].parent.and_then(|p| game.mover(p)),
                    Some(Mover::Player(_))
                )
                && edge_prob(game, spe, child).is_some_and(|p| p >= SURE)
        })
        .collect();

    // Columns: the gap after depth d fits the longest label of an edge leaving depth d.
    let labels: Vec<String> = (0..n).map(|i| edge_label(game, NodeId(i as u32))).collect();
    let mut label_w = vec![0.0f64; max_depth + 1];
    for i in 1..n {
        let d = depth[i] - 1;
        label_w[d] = label_w[d].max(text_width(&labels[i], f));
    }
    let left = 20.0 + sc.r;
    let mut col_x = vec![left; max_depth + 1];
    for d in 1..=max_depth {
        let gap = sc.fan + 6.0 + label_w[d - 1].max(3.0 * f) + 6.0 + sc.r;
        col_x[d] = col_x[d - 1] + gap;
    }

    // The table of terminals.
    let table_x = col_x[max_depth] + sc.r + 18.0;
    let term_labels: Vec<String> = terminals.iter().map(|&t| terminal_label(game, t)).collect();
    let label_col_w = term_labels
        .iter()
        .map(|l| text_width(l, f))
        .fold(text_width("outcome", f), f64::max);
    let np = game.num_players();
    let payoffs: Vec<Vec<String>> = terminals
        .iter()
        .map(|&t| {
            game.path_payoffs(t)
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect()
        })
        .collect();
    let mut col_right = Vec::with_capacity(np);
    let mut x = table_x + label_col_w + 10.0;
    for p in 0..np {
        let w = payoffs
            .iter()
            .map(|v| text_width(&v[p], f))
            .fold(text_width(&game.players()[p], f), f64::max);
        x += w + 12.0;
        col_right.push(x);
    }
    let spe_right = spe.map(|_| {
        x += text_width("0.000", f).max(text_width("SPE", f)) + 14.0;
        x
    });
    let bar_max = 5.0 * f;
    let qre_left = qre.map(|_| {
        let l = x + 14.0;
        x = l + bar_max + 6.0 + text_width("<0.001", f);
        l
    });
    // The legend: movers, chance, the equilibrium path, QRE shading.
    let mut legend: Vec<(Swatch, String)> = (0..np)
        .map(|p| {
            let m = Mover::Player(p);
            (Swatch::Square(mover_color(m)), mover_name(game, m))
        })
        .collect();
    if game.infosets().iter().any(|h| h.mover == Mover::Chance) {
        legend.push((Swatch::Square(CHANCE_COLOR), "chance".to_string()));
    }
    if spe.is_some() {
        legend.push((Swatch::Line(SPE_WIDTH), "equilibrium path".to_string()));
        if off_path.iter().any(|&b| b) {
            legend.push((
                Swatch::Line(OFF_PATH_WIDTH),
                "its choices off the path".to_string(),
            ));
        }
    }
    if qre.is_some() {
        legend.push((
            Swatch::Shades,
            "other edges: QRE action probability (light to dark)".to_string(),
        ));
    }
    let legend_w: f64 = legend
        .iter()
        .map(|(sw, l)| sw.width() + 5.0 + text_width(l, 11.0) + 14.0)
        .sum();
    let width = (x + 16.0)
        .max(16.0 + legend_w)
        .max(16.0 + text_width(title, 15.0))
        .max(360.0)
        .ceil();

    // Vertical placement: title, legend, column headings, rows.
    let title_y = 22.0;
    let legend_y = 44.0;
    let header_y = legend_y + 26.0;
    let top = header_y + 8.0;
    let y_of = |r: f64| top + sc.row * (r + 0.5);
    let height = (top + sc.row * terminals.len() as f64 + 16.0).ceil();
    let pos = |i: usize| (col_x[depth[i]], y_of(row[i]));

    let mut svg = Svg::new(width, height);
    svg.text(16.0, title_y, title, 15.0, "start", "#222");

    // Legend.
    let mut lx = 16.0;
    for (swatch, label) in &legend {
        match swatch {
            Swatch::Square(c) => svg.rect_titled(lx, legend_y - 9.0, 10.0, 10.0, c, label),
            Swatch::Line(w) => svg.line(
                (lx, legend_y - 4.0),
                (lx + 22.0, legend_y - 4.0),
                SPE_COLOR,
                *w,
                None,
            ),
            Swatch::Shades => {
                for (k, q) in [0.1, 0.5, 1.0].into_iter().enumerate() {
                    let x0 = lx + 8.0 * k as f64;
                    svg.line(
                        (x0, legend_y - 4.0),
                        (x0 + 7.0, legend_y - 4.0),
                        &shade(q),
                        1.0 + 1.5 * q,
                        None,
                    );
                }
            }
        }
        let sw = swatch.width();
        svg.text(lx + sw + 5.0, legend_y, label, 11.0, "start", "#333");
        lx += sw + 5.0 + text_width(label, 11.0) + 14.0;
    }

    // Column headings.
    svg.line(
        (table_x, header_y + 4.0),
        (x, header_y + 4.0),
        "#ccc",
        1.0,
        None,
    );
    svg.text(table_x, header_y, "outcome", f, "start", "#444");
    for (p, &r) in col_right.iter().enumerate() {
        svg.text(r, header_y, &game.players()[p], f, "end", "#444");
    }
    if let Some(r) = spe_right {
        svg.text(r, header_y, "SPE", f, "end", "#444");
    }
    if let Some(l) = qre_left {
        svg.text(l, header_y, "QRE", f, "start", "#444");
    }

    // Edges: ordinary ones first, the equilibrium path over them.
    let edge_d = |i: usize| {
        let parent = nodes[i].parent.map_or(0, NodeId::index);
        let (px, py) = pos(parent);
        let (cx, cy) = pos(i);
        format!(
            "M{px:.1} {py:.1} L{:.1} {cy:.1} H{:.1}",
            px + sc.fan,
            cx - sc.r
        )
    };
    let edge_title = |i: usize| {
        let parent = nodes[i].parent.map_or(0, NodeId::index);
        let who = game
            .mover(NodeId(parent as u32))
            .map_or_else(String::new, |m| mover_name(game, m));
        let mut t = format!("{who}: {}", labels[i]);
        if on_path[i] {
            t.push_str("; on the equilibrium path");
        } else if off_path[i] {
            t.push_str("; the equilibrium's choice off its path");
        }
        if let (Some(q), Some(Mover::Player(_))) = (qre, game.mover(NodeId(parent as u32))) {
            if let Some(p) = edge_prob(game, Some(q), NodeId(i as u32)) {
                t.push_str(&format!("; QRE probability {p:.3}"));
            }
        }
        t
    };
    for i in 1..n {
        if on_path[i] {
            continue;
        }
        let child = NodeId(i as u32);
        let (stroke, w) = match (qre, game.mover(nodes[i].parent.unwrap_or(child))) {
            _ if off_path[i] => (SPE_COLOR.to_string(), OFF_PATH_WIDTH),
            (Some(_), Some(Mover::Player(_))) => {
                let q = edge_prob(game, qre, child).unwrap_or(0.0);
                (shade(q), 1.0 + 1.5 * q)
            }
            _ => ("#8a8a8a".to_string(), 1.3),
        };
        svg.path_styled(&edge_d(i), &stroke, w, None, &edge_title(i));
    }
    for (i, _) in on_path.iter().enumerate().filter(|(_, on)| **on) {
        svg.path_styled(&edge_d(i), SPE_COLOR, SPE_WIDTH, None, &edge_title(i));
    }

    // Information sets with more than one node: dashed links between consecutive members,
    // bowed to the left, each set of a column a little further, so sets whose members share a
    // column stay apart.
    let mut bows = vec![0usize; max_depth + 1];
    for h in game.infosets() {
        if h.nodes.len() < 2 {
            continue;
        }
        let col = depth[h.nodes[0].index()];
        let bow = 2.0 * (sc.r * 1.6 + sc.r * 1.2 * bows[col] as f64);
        bows[col] += 1;
        let mut members: Vec<usize> = h.nodes.iter().map(|v| v.index()).collect();
        members.sort_by(|a, b| row[*a].total_cmp(&row[*b]).then(a.cmp(b)));
        let who = mover_name(game, h.mover);
        let tip = if h.label.is_empty() {
            format!("information set of {who} ({} nodes)", members.len())
        } else {
            format!(
                "information set of {who}: {} ({} nodes)",
                h.label,
                members.len()
            )
        };
        for w in members.windows(2) {
            let (x1, y1) = pos(w[0]);
            let (x2, y2) = pos(w[1]);
            let (mx, my) = ((x1 + x2) / 2.0 - bow, (y1 + y2) / 2.0);
            let d = format!("M{x1:.1} {y1:.1} Q{mx:.1} {my:.1} {x2:.1} {y2:.1}");
            svg.path_styled(&d, mover_color(h.mover), 1.6, Some(INFOSET_DASH), &tip);
        }
    }

    // Edge labels, on the horizontal part of each edge.
    for i in 1..n {
        if labels[i].is_empty() {
            continue;
        }
        let parent = nodes[i].parent.map_or(0, NodeId::index);
        let (px, _) = pos(parent);
        let (_, cy) = pos(i);
        let fill = if on_path[i] { "#7a3e00" } else { "#444" };
        svg.text(px + sc.fan + 5.0, cy - 3.5, &labels[i], f, "start", fill);
    }

    // Terminals: marker, leader to the table, the table's row.
    for (k, &t) in terminals.iter().enumerate() {
        let i = t.index();
        let (tx, ty) = pos(i);
        let reached = spe_reach.as_ref().is_some_and(|r| r[i] > 0.0);
        let lead = if reached { SPE_COLOR } else { "#c8c8c8" };
        if tx + sc.r + 4.0 < table_x - 6.0 {
            svg.line(
                (tx + sc.r + 2.0, ty),
                (table_x - 6.0, ty),
                lead,
                1.0,
                Some("1 3"),
            );
        }
        let mut tip = format!("{}: {}", term_labels[k], payoffs[k].join(", "));
        if let Some(r) = &spe_reach {
            tip.push_str(&format!("; SPE probability {:.3}", r[i]));
        }
        if let Some(r) = &qre_reach {
            tip.push_str(&format!("; QRE probability {:.3}", r[i]));
        }
        let s = sc.r * 1.3;
        let fill = if reached { SPE_COLOR } else { "#555" };
        svg.rect_titled(tx - s / 2.0, ty - s / 2.0, s, s, fill, &tip);
        let text_y = ty + f * 0.35;
        let label_fill = if reached { "#7a3e00" } else { "#222" };
        svg.text(table_x, text_y, &term_labels[k], f, "start", label_fill);
        for (p, &r) in col_right.iter().enumerate() {
            svg.text(r, text_y, &payoffs[k][p], f, "end", "#222");
        }
        if let (Some(r), Some(reach)) = (spe_right, &spe_reach) {
            if reach[i] > 0.0 {
                svg.text(r, text_y, &table_prob(reach[i]), f, "end", "#7a3e00");
            }
        }
        if let (Some(l), Some(reach)) = (qre_left, &qre_reach) {
            let p = reach[i].clamp(0.0, 1.0);
            let h = (sc.row * 0.45).min(9.0);
            svg.rect(l, ty - h / 2.0, bar_max, h, "#f0f0f0");
            if p > 0.0 {
                svg.rect(l, ty - h / 2.0, (bar_max * p).max(0.5), h, "#34495e");
            }
            svg.text(
                l + bar_max + 5.0,
                text_y,
                &table_prob(reach[i]),
                f,
                "start",
                "#222",
            );
        }
    }

    // Decision and chance nodes, over the edges.
    for (i, node) in nodes.iter().enumerate() {
        let Some(h) = node.infoset else { continue };
        let inf = game.infoset(h);
        let (cx, cy) = pos(i);
        let who = mover_name(game, inf.mover);
        let mut tip = match (inf.label.is_empty(), node.label.is_empty()) {
            (false, _) => format!("{who} — {}", inf.label),
            (true, false) => format!("{who} — {}", node.label),
            (true, true) => who.clone(),
        };
        tip.push_str(&format!(" (node {i})"));
        svg.circle(cx, cy, sc.r, mover_color(inf.mover), &tip);
        let mark = match inf.mover {
            Mover::Chance => "C".to_string(),
            Mover::Player(p) => (p + 1).to_string(),
        };
        let size = (sc.r * 1.35).round();
        let ink = if inf.mover == Mover::Chance {
            "#222"
        } else {
            "white"
        };
        svg.text(cx, cy + size * 0.36, &mark, size, "middle", ink);
    }

    svg.finish(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use leverage_games::templates::{CrisisInputs, UltimatumInputs, crisis, try_ultimatum};
    use leverage_games::{At, BackwardInduction, GameBuilder, logit_at};

    fn ultimatum() -> Game {
        try_ultimatum(&UltimatumInputs::example()).expect("default inputs are valid")
    }

    /// Balanced root element, and every `&` starts an entity.
    fn assert_well_formed(s: &str) {
        assert!(s.starts_with("<svg "), "starts with <svg");
        assert!(s.trim_end().ends_with("</svg>"), "ends with </svg>");
        assert_eq!(s.matches("<svg").count(), 1);
        assert_eq!(s.matches("</svg>").count(), 1);
        for (i, _) in s.match_indices('&') {
            let rest = &s[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| rest.starts_with(e)),
                "unescaped & at {i}: {}",
                &rest[..rest.len().min(20)]
            );
        }
        // Every opened element is closed, one per line as the writer emits them.
        for line in s.lines() {
            let opens = line.matches("<title>").count();
            assert_eq!(opens, line.matches("</title>").count(), "{line}");
            assert_eq!(
                line.matches("<text").count(),
                line.matches("</text>").count(),
                "{line}"
            );
        }
    }

    fn count_circles(s: &str) -> usize {
        s.matches("<circle").count()
    }

    fn bold_segments(s: &str) -> usize {
        s.lines()
            .filter(|l| {
                l.starts_with("<path")
                    && l.contains(&format!(
                        "stroke=\"{SPE_COLOR}\" stroke-width=\"{SPE_WIDTH}\""
                    ))
            })
            .count()
    }

    /// Edges of the equilibrium path counted independently: walk from the root following the
    /// pure choice at decision nodes and every positive chance branch.
    fn spe_path_edges(game: &Game, spe: &Profile) -> usize {
        let mut count = 0;
        let mut stack = vec![game.root()];
        while let Some(v) = stack.pop() {
            let Some(h) = game.node(v).infoset else {
                continue;
            };
            let inf = game.infoset(h);
            let ch = game.children(v);
            match inf.mover {
                Mover::Chance => {
                    for (a, c) in ch.iter().enumerate() {
                        if inf.probs[a].value() > 0.0 {
                            count += 1;
                            stack.push(*c);
                        }
                    }
                }
                Mover::Player(_) => {
                    let a = spe.pure_choice(h).expect("a pure equilibrium");
                    count += 1;
                    stack.push(ch[a]);
                }
            }
        }
        count
    }

    #[test]
    fn ultimatum_renders_every_node_and_label() {
        let game = ultimatum();
        assert_eq!(game.num_nodes(), 35);
        let spe = BackwardInduction::default().solve_values(&game).unwrap();
        let qre = logit_at(&game, 1.0).unwrap();
        let s = tree_svg(
            &game,
            Some(&spe.profile),
            Some(&qre.profile),
            "Integration ultimatum",
        );
        assert_well_formed(&s);
        let inner = game.nodes().iter().filter(|n| n.infoset.is_some()).count();
        assert_eq!(inner, 15);
        assert_eq!(count_circles(&s), inner);
        let terminals: Vec<NodeId> = game.terminals().collect();
        assert_eq!(terminals.len(), 20);
        for t in terminals {
            let label = &game.outcome(game.node(t).outcome.unwrap()).label;
            assert!(
                s.contains(&format!(">{}</text>", crate::svg::esc(label))),
                "{label}"
            );
        }
        for a in ["Demand", "Accept", "Capitulate", "Intervene"] {
            assert!(s.contains(&format!(">{a}</text>")), "{a}");
        }
        // The chance edges carry their probabilities.
        let p = UltimatumInputs::example().p_support();
        assert!(s.contains(&format!(">Support ({})</text>", short_prob(p))));
        assert!(s.contains(&format!(">NoSupport ({})</text>", short_prob(1.0 - p))));
        // QRE column and bars.
        assert!(s.contains(">QRE</text>"));
        assert!(s.contains(">SPE</text>"));
    }

    #[test]
    fn bold_path_is_the_equilibrium_path() {
        let game = ultimatum();
        let spe = BackwardInduction::default().solve_values(&game).unwrap();
        let s = tree_svg(&game, Some(&spe.profile), None, "ultimatum");
        let expected = spe_path_edges(&game, &spe.profile);
        assert!(expected >= 1);
        assert_eq!(bold_segments(&s), expected);
        // Without an equilibrium nothing is bold.
        let plain = tree_svg(&game, None, None, "ultimatum");
        assert_eq!(bold_segments(&plain), 0);
        assert!(!plain.contains(">SPE</text>"));
        assert_well_formed(&plain);
    }

    #[test]
    fn bold_path_follows_chance_branches() {
        // Chance first, then one decision per branch: the path has 4 edges.
        let mut b = GameBuilder::new("chance first", ["A"]);
        let root = b.chance(At::Root, "nature", [("H", 1), ("T", 0)]);
        let a = b.decision(At::Child(root, 0), 0, "a", &["x", "y"]);
        let c = b.decision(At::Child(root, 1), 0, "c", &["x", "y"]);
        b.leaf(At::Child(a, 0), "ax", [1]);
        b.leaf(At::Child(a, 1), "ay", [2]);
        b.leaf(At::Child(c, 0), "cx", [3]);
        b.leaf(At::Child(c, 1), "cy", [0]);
        let game = b.build().unwrap();
        let spe = BackwardInduction::default().solve_values(&game).unwrap();
        let s = tree_svg(&game, Some(&spe.profile), None, "t");
        // H (p = 1) then y; T has probability 0, so neither it nor what follows is bold.
        assert_eq!(bold_segments(&s), 2);
        assert_eq!(spe_path_edges(&game, &spe.profile), 2);
        assert!(s.contains(">H (1)</text>"));
        assert!(s.contains(">T (0)</text>"));
    }

    #[test]
    fn multi_node_information_set_draws_a_dashed_link() {
        let game = crisis(&CrisisInputs::reference(), "Challenger", "Defender").unwrap();
        let multi: usize = game
            .infosets()
            .iter()
            .filter(|h| h.nodes.len() > 1)
            .map(|h| h.nodes.len() - 1)
            .sum();
        assert!(multi > 0);
        let s = tree_svg(&game, None, None, "crisis");
        assert_well_formed(&s);
        let dashed = s
            .lines()
            .filter(|l| {
                l.starts_with("<path")
                    && l.contains(&format!("stroke-dasharray=\"{INFOSET_DASH}\""))
            })
            .count();
        assert_eq!(dashed, multi);
        assert!(s.contains("information set of Challenger"));
        // A perfect-information game has none.
        let u = tree_svg(&ultimatum(), None, None, "u");
        assert!(!u.contains(&format!("stroke-dasharray=\"{INFOSET_DASH}\"")));
    }

    #[test]
    fn three_players_text_is_escaped_and_output_is_deterministic() {
        let mut b = GameBuilder::new("three", ["Ann & Co", "<Bob>", "Cy \"C\""]);
        let root = b.decision(At::Root, 0, "first", &["L&R", "R"]);
        let h = b.infoset(1, "Bob's set", &["a", "b"]);
        let n1 = b.node(At::Child(root, 0), "", h);
        let n2 = b.node(At::Child(root, 1), "", h);
        let c = b.decision(At::Child(n1, 0), 2, "cy", &["u", "d"]);
        b.leaf(At::Child(c, 0), "war & peace", [1, 2, 3]);
        b.leaf(At::Child(c, 1), "x<y", [0, 0, 0]);
        b.leaf(At::Child(n1, 1), "o'1", [1, 1, 1]);
        b.leaf(At::Child(n2, 0), "o2", [2, 2, 2]);
        b.leaf(At::Child(n2, 1), "o3", [3, 3, 3]);
        let game = b.build().unwrap();
        let title = "A & B <tree>";
        let s = tree_svg(&game, None, None, title);
        assert_well_formed(&s);
        assert!(s.contains("war &amp; peace"));
        assert!(s.contains("x&lt;y"));
        assert!(s.contains("&lt;Bob&gt;"));
        assert!(s.contains("A &amp; B &lt;tree&gt;"));
        for color in &PLAYER_COLORS[..3] {
            assert!(s.contains(&format!("fill=\"{color}\"")), "{color}");
        }
        assert_eq!(count_circles(&s), 4);
        assert_eq!(s, tree_svg(&game, None, None, title));
        // A profile of another game is ignored rather than a panic.
        let other = BackwardInduction::default()
            .solve_values(&ultimatum())
            .unwrap();
        let t = tree_svg(&game, Some(&other.profile), Some(&other.profile), title);
        assert_eq!(t, s);
    }

    #[test]
    fn large_tree_keeps_one_row_per_terminal() {
        // A complete binary tree of depth 8: 511 nodes, 256 terminals.
        let mut b = GameBuilder::new("big", ["A", "B"]);
        let mut frontier = vec![b.decision(At::Root, 0, "d0", &["l", "r"])];
        for d in 1..8 {
            let mut next = Vec::new();
            for (k, &v) in frontier.iter().enumerate() {
                for a in 0..2 {
                    let label = format!("d{d}n{k}{a}");
                    next.push(b.decision(At::Child(v, a), d % 2, label, &["l", "r"]));
                }
            }
            frontier = next;
        }
        let mut t = 0;
        for &v in &frontier {
            for a in 0..2 {
                b.leaf(At::Child(v, a), format!("t{t}"), [t, -t]);
                t += 1;
            }
        }
        let game = b.build().unwrap();
        assert_eq!(game.num_nodes(), 511);
        let spe = BackwardInduction::default().solve_values(&game).unwrap();
        let qre = logit_at(&game, 0.5).unwrap();
        let s = tree_svg(&game, Some(&spe.profile), Some(&qre.profile), "big");
        assert_well_formed(&s);
        assert_eq!(count_circles(&s), 255);
        assert_eq!(bold_segments(&s), 8);
        // Terminal labels sit on distinct rows at least one row height apart.
        let sc = scale(256);
        let mut ys: Vec<f64> = s
            .lines()
            .filter(|l| l.starts_with("<text") && l.contains(">t") && l.ends_with("</text>"))
            .filter_map(|l| {
                let y = l.split("y=\"").nth(1)?.split('"').next()?;
                y.parse().ok()
            })
            .collect();
        assert_eq!(ys.len(), 256);
        ys.sort_by(f64::total_cmp);
        for w in ys.windows(2) {
            assert!(w[1] - w[0] >= sc.row - 0.11, "{} {}", w[0], w[1]);
        }
    }

    #[test]
    fn single_terminal_game_renders() {
        let mut b = GameBuilder::new("trivial", ["A"]);
        b.leaf(At::Root, "only", [0]);
        let game = b.build().unwrap();
        let s = tree_svg(&game, None, None, "trivial");
        assert_well_formed(&s);
        assert_eq!(count_circles(&s), 0);
        assert!(s.contains(">only</text>"));
    }

    #[test]
    fn helpers() {
        assert_eq!(short_prob(0.405), "0.405");
        assert_eq!(short_prob(0.5), "0.5");
        assert_eq!(short_prob(1.0), "1");
        assert_eq!(short_prob(0.0), "0");
        assert_eq!(table_prob(1.0 - 1e-12), "1");
        assert_eq!(table_prob(1e-7), "<0.001");
        assert_eq!(table_prob(0.0), "0.000");
        assert_eq!(shade(0.0), "#d7d7d7");
        assert_eq!(shade(1.0), "#2c3e50");
    }
}
