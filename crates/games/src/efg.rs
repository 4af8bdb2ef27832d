//! Gambit's extensive-form game format (`.efg`, version 2): reader and writer.
//!
//! The format (Gambit's documentation, "The extensive game (.efg) file format"):
//!
//! ```text
//! EFG 2 R "title" { "Player 1" "Player 2" } "optional comment"
//! c "node" 1 "infoset" { "Heads" 1/2 "Tails" 1/2 } 0
//! p "node" 1 1 "infoset" { "L" "R" } 0
//! t "node" 1 "outcome" { 1 -1 }
//! t "node" 2 "outcome" { -1, 1 }
//! ```
//!
//! Nodes come in preorder. `c` is a chance node (information set number, then the actions with
//! their probabilities), `p` a personal node (player number from 1, information set number per
//! player, actions), `t` a terminal node. Every node ends with an outcome number (`0`: none)
//! followed, on the outcome's first appearance, by its name and payoffs. An information set's
//! name and actions may be left out after its first appearance; a node that repeats them must
//! repeat them exactly. Numbers are integers, decimals or rationals (`1/3`); payoffs may be
//! separated by commas. Strings escape `"` and `\` with a backslash.
//!
//! The writer emits what Gambit 16 reads: information set and outcome details on first
//! appearance only, exact numbers as integers or `n/d`, the file numbers of information sets and
//! outcomes kept, so a file written by Gambit or by hand in that style reads and writes back
//! unchanged.

use crate::builder::{At, GameBuilder, GameError, InfosetRef, NodeRef};
use crate::game::{Game, Mover};
use crate::number::Number;
use std::collections::HashMap;
use std::fmt;

/// A problem with a `.efg` file, located by line and column (both from 1).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EfgError {
    /// The text does not follow the format.
    #[error("line {line}, column {column}: expected {expected}, found {found}{}", hint_suffix(.hint))]
    Syntax {
        /// Line (from 1).
        line: usize,
        /// Column (from 1, in characters).
        column: usize,
        /// What the reader expected there.
        expected: String,
        /// What it found.
        found: String,
        /// How to fix it (may be empty).
        hint: String,
    },
    /// The file is well formed but the game is not valid (every problem, each at the node
    /// line it concerns).
    #[error("the file describes an invalid game: {}", join_problems(.problems))]
    Invalid {
        /// The problems.
        problems: Vec<LocatedGameError>,
    },
}

/// A [`GameError`] at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedGameError {
    /// Line (from 1) of the node line concerned (1 if the problem concerns no node).
    pub line: usize,
    /// Column (from 1).
    pub column: usize,
    /// The problem.
    pub error: GameError,
}

impl fmt::Display for LocatedGameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.error
        )
    }
}

fn hint_suffix(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(" (hint: {hint})")
    }
}

fn join_problems(p: &[LocatedGameError]) -> String {
    p.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl EfgError {
    /// Line of the (first) problem.
    pub fn line(&self) -> usize {
        match self {
            EfgError::Syntax { line, .. } => *line,
            EfgError::Invalid { problems } => problems.first().map_or(1, |p| p.line),
        }
    }

    /// Column of the (first) problem.
    pub fn column(&self) -> usize {
        match self {
            EfgError::Syntax { column, .. } => *column,
            EfgError::Invalid { problems } => problems.first().map_or(1, |p| p.column),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num(String),
    Str(String),
    LBrace,
    RBrace,
    Comma,
    Eof,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{}`", clip(w)),
            Tok::Num(n) => format!("the number `{}`", clip(n)),
            Tok::Str(s) => format!("the string \"{}\"", clip(s)),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Eof => "the end of the file".into(),
        }
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    col: usize,
    peeked: Option<(Tok, usize, usize)>,
}

type PResult<T> = Result<T, EfgError>;

fn syntax(
    line: usize,
    column: usize,
    expected: impl Into<String>,
    found: impl Into<String>,
    hint: impl Into<String>,
) -> EfgError {
    EfgError::Syntax {
        line,
        column,
        expected: expected.into(),
        found: found.into(),
        hint: hint.into(),
    }
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            chars: text.chars().peekable(),
            line: 1,
            col: 1,
            peeked: None,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn lex(&mut self) -> PResult<(Tok, usize, usize)> {
        while let Some(&c) = self.chars.peek() {
            if c.is_whitespace() || c == '\u{feff}' {
                self.bump();
            } else {
                break;
            }
        }
        let (line, col) = (self.line, self.col);
        let Some(&c) = self.chars.peek() else {
            return Ok((Tok::Eof, line, col));
        };
        let tok = match c {
            '{' => {
                self.bump();
                Tok::LBrace
            }
            '}' => {
                self.bump();
                Tok::RBrace
            }
            ',' => {
                self.bump();
                Tok::Comma
            }
            '"' => {
                self.bump();
                let mut s = String::new();
                loop {
                    match self.bump() {
                        None => {
                            return Err(syntax(
                                line,
                                col,
                                "a closing `\"` for the string that starts here",
                                "the end of the file",
                                "close the string; write a quote inside a string as \\\"",
                            ));
                        }
                        Some('"') => break,
                        Some('\\') => match self.bump() {
                            Some(e) => s.push(e),
                            None => {
                                return Err(syntax(
                                    line,
                                    col,
                                    "a closing `\"` for the string that starts here",
                                    "the end of the file",
                                    "close the string",
                                ));
                            }
                        },
                        Some(ch) => s.push(ch),
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                let mut s = String::new();
                while let Some(&d) = self.chars.peek() {
                    if d.is_ascii_alphanumeric() || matches!(d, '.' | '/' | '-' | '+') {
                        s.push(d);
                        self.bump();
                    } else {
                        break;
                    }
                }
                Tok::Num(s)
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut s = String::new();
                while let Some(&d) = self.chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        s.push(d);
                        self.bump();
                    } else {
                        break;
                    }
                }
                Tok::Word(s)
            }
            other => {
                return Err(syntax(
                    line,
                    col,
                    "a string, a number, a word, `{` or `}`",
                    format!("the character {other:?}"),
                    "text labels must be in double quotes",
                ));
            }
        };
        Ok((tok, line, col))
    }

    fn peek(&mut self) -> PResult<&(Tok, usize, usize)> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn next(&mut self) -> PResult<(Tok, usize, usize)> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }
}

struct Reader<'a> {
    lx: Lexer<'a>,
}

impl Reader<'_> {
    fn string(&mut self, what: &str, hint: &str) -> PResult<String> {
        match self.lx.next()? {
            (Tok::Str(s), _, _) => Ok(s),
            (t, l, c) => Err(syntax(l, c, what, t.describe(), hint)),
        }
    }

    fn opt_string(&mut self) -> PResult<Option<String>> {
        if matches!(self.lx.peek()?.0, Tok::Str(_)) {
            if let (Tok::Str(s), _, _) = self.lx.next()? {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    fn lbrace(&mut self, what: &str, hint: &str) -> PResult<()> {
        match self.lx.next()? {
            (Tok::LBrace, _, _) => Ok(()),
            (t, l, c) => Err(syntax(l, c, what, t.describe(), hint)),
        }
    }

    fn count(&mut self, what: &str, hint: &str) -> PResult<(usize, usize, usize)> {
        match self.lx.next()? {
            (Tok::Num(n), l, c) => match n.parse::<usize>() {
                Ok(v) if n.bytes().all(|b| b.is_ascii_digit()) && v < u32::MAX as usize => {
                    Ok((v, l, c))
                }
                _ => Err(syntax(
                    l,
                    c,
                    what,
                    format!("the number `{}`", clip(&n)),
                    hint,
                )),
            },
            (t, l, c) => Err(syntax(l, c, what, t.describe(), hint)),
        }
    }

    fn number(&mut self, what: &str) -> PResult<Number> {
        match self.lx.next()? {
            (Tok::Num(n), l, c) => Number::parse(&n).ok_or_else(|| {
                syntax(
                    l,
                    c,
                    what,
                    format!("`{}`", clip(&n)),
                    "numbers are integers (-4), decimals (0.25) or fractions (1/3)",
                )
            }),
            (t, l, c) => Err(syntax(
                l,
                c,
                what,
                t.describe(),
                "numbers are integers (-4), decimals (0.25) or fractions (1/3)",
            )),
        }
    }

    fn skip_commas(&mut self) -> PResult<()> {
        while matches!(self.lx.peek()?.0, Tok::Comma) {
            self.lx.next()?;
        }
        Ok(())
    }

    /// `{ "a" "b" }` or, for chance, `{ "a" 1/2 "b" 1/2 }`.
    fn action_list(&mut self, chance: bool) -> PResult<(Vec<String>, Vec<Number>)> {
        let mut actions = Vec::new();
        let mut probs = Vec::new();
        loop {
            self.skip_commas()?;
            match self.lx.next()? {
                (Tok::RBrace, _, _) => break,
                (Tok::Str(s), _, _) => {
                    actions.push(s);
                    if chance {
                        self.skip_commas()?;
                        probs.push(self.number("the probability of the chance action just named")?);
                    }
                }
                (t, l, c) => {
                    return Err(syntax(
                        l,
                        c,
                        if chance {
                            "an action label in quotes followed by its probability, or `}`"
                        } else {
                            "an action label in quotes, or `}`"
                        },
                        t.describe(),
                        "action lists look like { \"Left\" \"Right\" } (chance: { \"Heads\" 1/2 \"Tails\" 1/2 })",
                    ));
                }
            }
        }
        Ok((actions, probs))
    }
}

struct OutcomeInfo {
    id: crate::game::OutcomeId,
    payoffs: Vec<Number>,
    line: usize,
}

impl Game {
    /// Reads a game in Gambit's `.efg` format. Never panics; every error has a line, a column,
    /// what was expected and a hint.
    pub fn from_efg(text: &str) -> Result<Game, EfgError> {
        let mut r = Reader {
            lx: Lexer::new(text),
        };
        let header_hint =
            "a .efg file starts with: EFG 2 R \"title\" { \"Player 1\" \"Player 2\" }";
        match r.lx.next()? {
            (Tok::Word(w), _, _) if w == "EFG" => {}
            (t, l, c) => return Err(syntax(l, c, "`EFG`", t.describe(), header_hint)),
        }
        match r.lx.next()? {
            (Tok::Num(n), _, _) if n == "2" => {}
            (t, l, c) => {
                return Err(syntax(
                    l,
                    c,
                    "the format version `2`",
                    t.describe(),
                    "only version 2 of the format (Gambit 0.97 and later) is read",
                ));
            }
        }
        match r.lx.next()? {
            (Tok::Word(w), _, _) if w == "R" || w == "D" => {}
            (t, l, c) => {
                return Err(syntax(
                    l,
                    c,
                    "`R` (rational) or `D` (decimal)",
                    t.describe(),
                    header_hint,
                ));
            }
        }
        let title = r.string("the game's title in quotes", header_hint)?;
        r.lbrace("`{` opening the list of player names", header_hint)?;
        let mut players = Vec::new();
        loop {
            r.skip_commas()?;
            match r.lx.next()? {
                (Tok::RBrace, _, _) => break,
                (Tok::Str(s), _, _) => players.push(s),
                (t, l, c) => {
                    return Err(syntax(
                        l,
                        c,
                        "a player name in quotes, or `}`",
                        t.describe(),
                        header_hint,
                    ));
                }
            }
        }
        if players.is_empty() {
            let (_, l, c) = r.lx.peek()?.clone();
            return Err(syntax(
                l,
                c,
                "at least one player",
                "an empty player list",
                header_hint,
            ));
        }
        let np = players.len();
        let mut b = GameBuilder::new(title, players);
        if let Some(comment) = r.opt_string()? {
            b.comment(comment);
        }

        let mut positions: Vec<(usize, usize)> = Vec::new();
        // Open parents: (node, next action, number of actions).
        let mut open: Vec<(NodeRef, usize, usize)> = Vec::new();
        let mut infosets: HashMap<(usize, usize), InfosetRef> = HashMap::new();
        let mut outcomes: HashMap<usize, OutcomeInfo> = HashMap::new();
        let mut root_done = false;
        let node_hint = "node lines start with c (chance), p (personal) or t (terminal)";
        loop {
            let (tok, line, col) = r.lx.next()?;
            let kind = match tok {
                Tok::Eof if root_done && open.is_empty() => break,
                Tok::Eof => {
                    let expected = if !root_done {
                        "the root node (a line starting with c, p or t)".to_string()
                    } else {
                        let (parent, action, _) = open[open.len() - 1];
                        let pline = positions.get(parent.0).map_or(0, |p| p.0);
                        format!(
                            "the node below action {} of the node on line {pline}",
                            action + 1
                        )
                    };
                    return Err(syntax(
                        line,
                        col,
                        expected,
                        "the end of the file",
                        "the tree is incomplete: every action of every c and p node needs a node below it, in preorder",
                    ));
                }
                Tok::Word(w)
                    if (w == "c" || w == "p" || w == "t") && !(root_done && open.is_empty()) =>
                {
                    w
                }
                t if root_done && open.is_empty() => {
                    return Err(syntax(
                        line,
                        col,
                        "the end of the file",
                        t.describe(),
                        "the tree is already complete: every action of every node has a node below it",
                    ));
                }
                t => {
                    return Err(syntax(
                        line,
                        col,
                        "a node line (`c`, `p` or `t`)",
                        t.describe(),
                        node_hint,
                    ));
                }
            };
            let at = if !root_done {
                root_done = true;
                At::Root
            } else {
                let top = open.len() - 1;
                let (parent, action, total) = open[top];
                if action + 1 == total {
                    open.pop();
                } else {
                    open[top].1 += 1;
                }
                At::Child(parent, action)
            };
            let label = r.string(
                "the node's label in quotes (may be \"\")",
                "write \"\" for a node without a label",
            )?;
            let node = match kind.as_str() {
                "t" => b.terminal(at, label, None),
                "c" | "p" => {
                    let chance = kind == "c";
                    let player = if chance {
                        0
                    } else {
                        let (pl, l, c) = r.count(
                            "the player's number (1 for the first player)",
                            "personal nodes read: p \"label\" player infoset \"infoset label\" { actions } outcome",
                        )?;
                        if pl == 0 || pl > np {
                            return Err(syntax(
                                l,
                                c,
                                format!("a player number from 1 to {np}"),
                                format!("`{pl}`"),
                                "chance nodes are written with `c`, not as player 0",
                            ));
                        }
                        pl
                    };
                    let (number, _, _) = r.count(
                        "the information set's number (a whole number)",
                        "information sets are numbered per player; a number seen before joins that set",
                    )?;
                    let h_label = r.opt_string()?;
                    let list = if matches!(r.lx.peek()?.0, Tok::LBrace) {
                        r.lx.next()?;
                        Some(r.action_list(chance)?)
                    } else {
                        None
                    };
                    match (infosets.get(&(player, number)), list) {
                        (Some(&h), None) => b.node(at, label, h),
                        (Some(&h), Some((actions, probs))) => {
                            let probs = chance.then_some(probs);
                            b.node_declaring(at, label, h, actions, probs)
                        }
                        (None, Some((actions, probs))) => {
                            let h_label = h_label.unwrap_or_default();
                            let h = if chance {
                                b.chance_infoset_numbered(number, h_label, actions, probs)
                            } else {
                                b.infoset_numbered(player - 1, number, h_label, actions)
                            };
                            infosets.insert((player, number), h);
                            b.node(at, label, h)
                        }
                        (None, None) => {
                            let (t, l, c) = r.lx.peek()?.clone();
                            return Err(syntax(
                                l,
                                c,
                                "`{` and the information set's actions",
                                t.describe(),
                                format!(
                                    "information set {number} of {} appears here for the first time, so its actions must be listed",
                                    if chance {
                                        "chance".to_string()
                                    } else {
                                        format!("player {player}")
                                    }
                                ),
                            ));
                        }
                    }
                }
                _ => unreachable!("checked above"),
            };
            positions.push((line, col));
            let actions = b.child_slots(node);
            if actions > 0 && kind != "t" {
                open.push((node, 0, actions));
            }

            // Outcome.
            let (k, _, _) = r.count(
                "the outcome number (0 for none)",
                "every node line ends with an outcome number, then on first use its name and payoffs: 1 \"Win\" { 1 -1 }",
            )?;
            if k == 0 {
                continue;
            }
            let o_label = r.opt_string()?;
            let payoffs = if matches!(r.lx.peek()?.0, Tok::LBrace) {
                let (_, l0, c0) = r.lx.next()?;
                let mut v = Vec::new();
                loop {
                    r.skip_commas()?;
                    if let (Tok::RBrace, l, c) = r.lx.peek()?.clone() {
                        r.lx.next()?;
                        if v.len() != np {
                            return Err(syntax(
                                l,
                                c,
                                format!("{np} payoffs, one per player"),
                                format!("{} payoff(s) before `}}`", v.len()),
                                "list one payoff for each player, in the header's order",
                            ));
                        }
                        break;
                    }
                    if v.len() == np {
                        let (t, l, c) = r.lx.peek()?.clone();
                        return Err(syntax(
                            l,
                            c,
                            format!("`}}` after {np} payoffs, one per player"),
                            t.describe(),
                            "list one payoff for each player, in the header's order",
                        ));
                    }
                    v.push(r.number("a payoff (a number) or `}`")?);
                }
                Some((v, l0, c0))
            } else {
                None
            };
            let o = match (outcomes.get(&k), payoffs) {
                (Some(info), None) => info.id,
                (Some(info), Some((v, l, c))) => {
                    if v != info.payoffs {
                        return Err(syntax(
                            l,
                            c,
                            format!("the payoffs outcome {k} was given on line {}", info.line),
                            "different payoffs",
                            "an outcome's payoffs are given once; use a new outcome number for other payoffs",
                        ));
                    }
                    info.id
                }
                (None, Some((v, l, _))) => {
                    let id = b.outcome_numbered(k, o_label.unwrap_or_default(), v.clone());
                    outcomes.insert(
                        k,
                        OutcomeInfo {
                            id,
                            payoffs: v,
                            line: l,
                        },
                    );
                    id
                }
                (None, None) => {
                    let (t, l, c) = r.lx.peek()?.clone();
                    return Err(syntax(
                        l,
                        c,
                        format!("the name and payoffs of outcome {k}, e.g. \"War\" {{ -1 -2 }}"),
                        t.describe(),
                        format!(
                            "outcome {k} appears here for the first time, so its payoffs must be given"
                        ),
                    ));
                }
            };
            b.set_outcome(node, Some(o));
        }
        b.build().map_err(|errors| EfgError::Invalid {
            problems: errors
                .into_iter()
                .map(|error| {
                    let (line, column) = error
                        .node()
                        .and_then(|n| positions.get(n).copied())
                        .unwrap_or((1, 1));
                    LocatedGameError {
                        line,
                        column,
                        error,
                    }
                })
                .collect(),
        })
    }

    /// Writes the game in Gambit's `.efg` format (version 2, rational), which Gambit 16 reads.
    pub fn to_efg(&self) -> String {
        let mut s = String::with_capacity(64 + self.num_nodes() * 32);
        s.push_str("EFG 2 R ");
        quote(&mut s, &self.title);
        s.push_str(" {");
        for p in &self.players {
            s.push(' ');
            quote(&mut s, p);
        }
        s.push_str(" }\n");
        quote(&mut s, &self.comment);
        s.push('\n');
        let mut seen_infoset = vec![false; self.infosets.len()];
        let mut seen_outcome = vec![false; self.outcomes.len()];
        for node in &self.nodes {
            match node.infoset {
                None => {
                    s.push_str("t ");
                    quote(&mut s, &node.label);
                }
                Some(h) => {
                    let inf = &self.infosets[h.index()];
                    match inf.mover {
                        Mover::Chance => {
                            s.push_str("c ");
                            quote(&mut s, &node.label);
                            s.push_str(&format!(" {}", inf.number));
                        }
                        Mover::Player(p) => {
                            s.push_str("p ");
                            quote(&mut s, &node.label);
                            s.push_str(&format!(" {} {}", p + 1, inf.number));
                        }
                    }
                    if !seen_infoset[h.index()] {
                        seen_infoset[h.index()] = true;
                        s.push(' ');
                        quote(&mut s, &inf.label);
                        s.push_str(" {");
                        for (a, label) in inf.actions.iter().enumerate() {
                            s.push(' ');
                            quote(&mut s, label);
                            if inf.mover == Mover::Chance {
                                s.push_str(&format!(" {}", inf.probs[a]));
                            }
                        }
                        s.push_str(" }");
                    }
                }
            }
            match node.outcome {
                None => s.push_str(" 0\n"),
                Some(o) => {
                    let out = &self.outcomes[o.index()];
                    s.push_str(&format!(" {}", out.number));
                    if !seen_outcome[o.index()] {
                        seen_outcome[o.index()] = true;
                        s.push(' ');
                        quote(&mut s, &out.label);
                        s.push_str(" {");
                        for p in &out.payoffs {
                            s.push_str(&format!(" {p}"));
                        }
                        s.push_str(" }");
                    }
                    s.push('\n');
                }
            }
        }
        s
    }
}

fn quote(s: &mut String, text: &str) {
    s.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
}
