//! Scenario rules: a small expression language over the named state variables of a case.
//!
//! A `[[scenario]]` may carry `rule = "econ_integration >= 60 && military_integration < 40"`. The
//! simulation classifies the state at the horizon into the scenario whose rule holds. This module
//! has the whole language:
//!
//! - a hand-written lexer and a precedence-climbing parser ([`parse`]) that keep byte offsets, so
//!   every error says what was expected at which column of the rule;
//! - name resolution and type checking against the declared `[[state]]` ids ([`compile`]), with
//!   constant folding, into a flat [`CompiledRule`] whose [`CompiledRule::eval`] allocates nothing;
//! - a canonical printer (`Display` on [`Expr`] and [`CompiledRule`]);
//! - the partition check ([`check_partition`]): no state where two rules hold, none where no rule
//!   holds.
//!
//! Grammar (lowest precedence first; binary operators are left-associative, comparisons do not
//! chain):
//!
//! ```text
//! rule    = or
//! or      = and { "||" and }
//! and     = cmp { "&&" cmp }
//! cmp     = sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//! sum     = product { ("+" | "-") product }
//! product = unary { ("*" | "/") unary }
//! unary   = ("!" | "-") unary | primary
//! primary = number | identifier | "true" | "false" | "(" rule ")"
//! ```
//!
//! Values are numbers or truth values. A number where a truth value is needed (a bare identifier,
//! arithmetic) means "is not zero"; a truth value where a number is needed is an error.

use std::fmt;
use std::ops::Range;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// Binding strength: `||` 1, `&&` 2, comparisons 3, `+ -` 4, `* /` 5.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => 3,
            BinOp::Add | BinOp::Sub => 4,
            BinOp::Mul | BinOp::Div => 5,
        }
    }
    /// How it is written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
    /// Whether it compares two numbers.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 3
    }
    fn is_logic(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }
    fn cmp(self, a: f64, b: f64) -> bool {
        match self {
            BinOp::Lt => a < b,
            BinOp::Le => a <= b,
            BinOp::Gt => a > b,
            BinOp::Ge => a >= b,
            BinOp::Eq => a == b,
            _ => a != b,
        }
    }
    fn arith(self, a: f64, b: f64) -> f64 {
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            _ => a / b,
        }
    }
}

/// What an expression node is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A state variable, by name.
    Var(String),
    /// `-x`
    Neg(Box<Expr>),
    /// `!x`
    Not(Box<Expr>),
    /// `a op b`
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

/// A parsed rule: a tree whose every node keeps its byte range in the rule text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// The node.
    pub kind: ExprKind,
    /// Byte range in the rule text (empty for nodes made in code).
    pub span: Range<usize>,
}

/// A problem in a rule, located by byte range in the rule text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    /// What is wrong.
    pub message: String,
    /// Byte range in the rule text.
    pub span: Range<usize>,
    /// What was expected there.
    pub expected: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl RuleError {
    fn new(span: Range<usize>, message: impl Into<String>, expected: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            span,
            expected: expected.into(),
            hint: None,
        }
    }
    fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
    /// 1-based column (in characters) of the problem in `rule`.
    pub fn column(&self, rule: &str) -> usize {
        let mut off = self.span.start.min(rule.len());
        while !rule.is_char_boundary(off) {
            off -= 1;
        }
        rule[..off].chars().count() + 1
    }
}

/// A rule of a named scenario that does not compile (see [`crate::Case::compiled_rules`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRuleError {
    /// The scenario's id.
    pub scenario: String,
    /// The rule's text.
    pub rule: String,
    /// What is wrong.
    pub error: RuleError,
}

impl fmt::Display for ScenarioRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the rule of scenario `{}`, column {}: {}",
            self.scenario,
            self.error.column(&self.rule),
            self.error.message
        )
    }
}

impl std::error::Error for ScenarioRuleError {}

// ------------------------------------------------------------------------------------------ lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Num(f64),
    Ident(&'a str),
    Op(BinOp),
    Not,
    LParen,
    RParen,
    End,
}

fn describe(t: &Tok<'_>) -> String {
    match t {
        Tok::Num(x) => format!("the number {x}"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Op(op) => format!("`{}`", op.symbol()),
        Tok::Not => "`!`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::End => "the end of the rule".into(),
    }
}

fn lex(src: &str) -> Result<Vec<(Tok<'_>, Range<usize>)>, RuleError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i < b.len() && b[i] == b'.' {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
                return Err(RuleError::new(
                    start..i + 1,
                    format!("`{}` is not a number", &src[start..=i]),
                    "a number such as 60, 0.5 or 1e3",
                )
                .hint("identifiers start with a letter or `_`; put an operator between a number and a name"));
            }
            let text = &src[start..i];
            let x: f64 = text.parse().unwrap_or(f64::NAN);
            if !x.is_finite() {
                return Err(RuleError::new(
                    start..i,
                    format!("the number `{text}` is too large"),
                    "a finite number",
                ));
            }
            out.push((Tok::Num(x), start..i));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(&src[start..i]), start..i));
            continue;
        }
        let next = b.get(i + 1).copied();
        let (tok, len) = match (c, next) {
            (b'<', Some(b'=')) => (Tok::Op(BinOp::Le), 2),
            (b'>', Some(b'=')) => (Tok::Op(BinOp::Ge), 2),
            (b'=', Some(b'=')) => (Tok::Op(BinOp::Eq), 2),
            (b'!', Some(b'=')) => (Tok::Op(BinOp::Ne), 2),
            (b'&', Some(b'&')) => (Tok::Op(BinOp::And), 2),
            (b'|', Some(b'|')) => (Tok::Op(BinOp::Or), 2),
            (b'<', _) => (Tok::Op(BinOp::Lt), 1),
            (b'>', _) => (Tok::Op(BinOp::Gt), 1),
            (b'+', _) => (Tok::Op(BinOp::Add), 1),
            (b'-', _) => (Tok::Op(BinOp::Sub), 1),
            (b'*', _) => (Tok::Op(BinOp::Mul), 1),
            (b'/', _) => (Tok::Op(BinOp::Div), 1),
            (b'!', _) => (Tok::Not, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'=', _) => {
                return Err(RuleError::new(
                    i..i + 1,
                    "`=` is not an operator of rules",
                    "`==` to compare, or `<=`, `>=`",
                )
                .hint("write `==` for equality"));
            }
            (b'&', _) => {
                return Err(
                    RuleError::new(i..i + 1, "a single `&`", "`&&` (and)").hint("write `&&`")
                );
            }
            (b'|', _) => {
                return Err(
                    RuleError::new(i..i + 1, "a single `|`", "`||` (or)").hint("write `||`")
                );
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(RuleError::new(
                    i..i + ch.len_utf8(),
                    format!("unexpected character {ch:?}"),
                    "a number, a state variable, an operator (+ - * / < <= > >= == != && || !) or a parenthesis",
                ));
            }
        };
        out.push((tok, i..i + len));
        i += len;
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

// ----------------------------------------------------------------------------------------- parser

/// Deepest nesting a rule may have (parentheses, unary operators and operator chains).
pub const MAX_DEPTH: usize = 100;

struct Parser<'a> {
    toks: Vec<(Tok<'a>, Range<usize>)>,
    pos: usize,
}

const OPERAND: &str = "a number, a state variable, `true`, `false`, `!`, `-` or `(`";

impl<'a> Parser<'a> {
    fn peek(&self) -> &(Tok<'a>, Range<usize>) {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn bump(&mut self) -> (Tok<'a>, Range<usize>) {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn expr(&mut self, min_prec: u8, nest: usize) -> Result<(Expr, usize), RuleError> {
        let (mut lhs, mut d) = self.unary(nest)?;
        loop {
            let (tok, span) = self.peek().clone();
            let Tok::Op(op) = tok else { break };
            if op.precedence() < min_prec {
                break;
            }
            self.bump();
            let (rhs, rd) = self.expr(op.precedence() + 1, nest)?;
            let start = lhs.span.start;
            let end = rhs.span.end;
            d = 1 + d.max(rd);
            if d > MAX_DEPTH {
                return Err(RuleError::new(
                    span,
                    format!("the rule nests more than {MAX_DEPTH} levels deep"),
                    "a shorter rule",
                )
                .hint("split the condition, or simplify it"));
            }
            lhs = Expr {
                kind: ExprKind::Bin(op, Box::new(lhs), Box::new(rhs)),
                span: start..end,
            };
            if op.is_comparison() {
                if let (Tok::Op(next), nspan) = self.peek().clone() {
                    if next.is_comparison() {
                        return Err(RuleError::new(
                            nspan,
                            format!(
                                "comparisons cannot be chained (`{}` after `{}`)",
                                next.symbol(),
                                op.symbol()
                            ),
                            "`&&`, `||`, `)` or the end of the rule",
                        )
                        .hint("write `a < b && b < c` rather than `a < b < c`"));
                    }
                }
            }
        }
        Ok((lhs, d))
    }

    fn unary(&mut self, nest: usize) -> Result<(Expr, usize), RuleError> {
        let (tok, span) = self.bump();
        if nest > MAX_DEPTH {
            return Err(RuleError::new(
                span,
                format!("the rule nests more than {MAX_DEPTH} levels deep"),
                "a shorter rule",
            )
            .hint("remove redundant parentheses or operators"));
        }
        match tok {
            Tok::Num(x) => Ok((
                Expr {
                    kind: ExprKind::Num(x),
                    span,
                },
                1,
            )),
            Tok::Ident(s) => {
                let kind = match s {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    _ => ExprKind::Var(s.to_string()),
                };
                Ok((Expr { kind, span }, 1))
            }
            Tok::Not | Tok::Op(BinOp::Sub) => {
                let (x, d) = self.unary(nest + 1)?;
                let s = span.start..x.span.end;
                let kind = if tok == Tok::Not {
                    ExprKind::Not(Box::new(x))
                } else {
                    ExprKind::Neg(Box::new(x))
                };
                Ok((Expr { kind, span: s }, d + 1))
            }
            Tok::LParen => {
                let (inner, d) = self.expr(0, nest + 1)?;
                let (close, cspan) = self.bump();
                if close != Tok::RParen {
                    return Err(RuleError::new(
                        cspan,
                        format!("expected `)`, found {}", describe(&close)),
                        format!("`)` to close the `(` at byte {}", span.start),
                    )
                    .hint("every `(` needs a matching `)`"));
                }
                // Parentheses only group: the node keeps its own span.
                Ok((inner, d))
            }
            other => Err(RuleError::new(
                span,
                format!("expected an operand, found {}", describe(&other)),
                OPERAND,
            )
            .hint(match other {
                Tok::End => "the rule ends too early: complete the condition",
                Tok::RParen => "there is nothing between the parentheses, or a `)` too many",
                _ => "an operator needs something on both sides",
            })),
        }
    }
}

/// Parse a rule's text into an expression tree (names unresolved).
pub fn parse(src: &str) -> Result<Expr, RuleError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    if p.peek().0 == Tok::End {
        return Err(RuleError::new(0..src.len(), "the rule is empty", OPERAND)
            .hint("write a condition such as `econ_integration >= 60`, or `true`"));
    }
    let (e, _) = p.expr(0, 0)?;
    let (tok, span) = p.bump();
    if tok != Tok::End {
        let mut err = RuleError::new(
            span,
            format!(
                "expected an operator or the end of the rule, found {}",
                describe(&tok)
            ),
            "an operator (+ - * / < <= > >= == != && ||) or the end of the rule",
        );
        err = match tok {
            Tok::Ident("and") => err.hint("write `&&` for \"and\""),
            Tok::Ident("or") => err.hint("write `||` for \"or\""),
            Tok::RParen => err.hint("this `)` closes no `(`"),
            _ => err.hint("two operands need an operator between them"),
        };
        return Err(err);
    }
    Ok(e)
}

// ---------------------------------------------------------------------------------------- printer

fn fmt_num(x: f64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if x < 0.0 || (x == 0.0 && x.is_sign_negative()) {
        // A folded negative constant: print it so that it reads back as the same value.
        write!(f, "(-{})", -x)
    } else {
        write!(f, "{x}")
    }
}

impl Expr {
    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        match &self.kind {
            ExprKind::Num(x) => fmt_num(*x, f),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Var(v) => write!(f, "{v}"),
            ExprKind::Neg(x) => {
                f.write_str("-")?;
                x.fmt_prec(f, 6)
            }
            ExprKind::Not(x) => {
                f.write_str("!")?;
                x.fmt_prec(f, 6)
            }
            ExprKind::Bin(op, a, b) => {
                let p = op.precedence();
                let paren = p < min;
                if paren {
                    f.write_str("(")?;
                }
                a.fmt_prec(f, if op.is_comparison() { p + 1 } else { p })?;
                write!(f, " {} ", op.symbol())?;
                b.fmt_prec(f, p + 1)?;
                if paren {
                    f.write_str(")")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Expr {
    /// The canonical form: single spaces around binary operators, parentheses only where needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, 0)
    }
}

// --------------------------------------------------------------------------------------- compiler

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Const(f64),
    Truth(bool),
    Var(u32),
    Neg(u32),
    Not(u32),
    /// A number used as a truth value: `x != 0`.
    NonZero(u32),
    Arith(BinOp, u32, u32),
    Cmp(BinOp, u32, u32),
    And(u32, u32),
    Or(u32, u32),
}

/// A rule resolved against the state variables and folded, ready to evaluate fast.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRule {
    ops: Vec<Op>,
    root: u32,
    expr: Expr,
    text: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Num,
    Bool,
}

struct Compiler<'n> {
    names: &'n [&'n str],
    ops: Vec<Op>,
}

impl Compiler<'_> {
    fn push(&mut self, op: Op) -> u32 {
        self.ops.push(op);
        (self.ops.len() - 1) as u32
    }
    fn constant(&self, i: u32) -> Option<f64> {
        match self.ops[i as usize] {
            Op::Const(x) => Some(x),
            _ => None,
        }
    }
    fn truth(&self, i: u32) -> Option<bool> {
        match self.ops[i as usize] {
            Op::Truth(b) => Some(b),
            _ => None,
        }
    }

    fn num(&mut self, e: &Expr) -> Result<u32, RuleError> {
        let (i, ty) = self.node(e)?;
        if ty == Ty::Bool {
            return Err(RuleError::new(
                e.span.clone(),
                "a condition (true or false) is used as a number",
                "a number: a state variable, a constant or arithmetic",
            )
            .hint("comparisons give true or false; combine them with `&&`, `||` and `!`"));
        }
        Ok(i)
    }

    fn boolean(&mut self, e: &Expr) -> Result<u32, RuleError> {
        let (i, ty) = self.node(e)?;
        if ty == Ty::Bool {
            return Ok(i);
        }
        Ok(match self.constant(i) {
            Some(x) => self.push(Op::Truth(x != 0.0)),
            None => self.push(Op::NonZero(i)),
        })
    }

    fn node(&mut self, e: &Expr) -> Result<(u32, Ty), RuleError> {
        Ok(match &e.kind {
            ExprKind::Num(x) => (self.push(Op::Const(*x)), Ty::Num),
            ExprKind::Bool(b) => (self.push(Op::Truth(*b)), Ty::Bool),
            ExprKind::Var(name) => match self.names.iter().position(|n| n == name) {
                Some(k) => (self.push(Op::Var(k as u32)), Ty::Num),
                None => {
                    let mut err = RuleError::new(
                        e.span.clone(),
                        format!("`{name}` is not a declared state variable"),
                        if self.names.is_empty() {
                            "a state variable, but the case declares no [[state]]".to_string()
                        } else {
                            format!("one of: {}", self.names.join(", "))
                        },
                    );
                    err = match crate::read::did_you_mean(name, self.names.iter().copied()) {
                        Some(best) => err.hint(format!("did you mean `{best}`?")),
                        None if name == "and" => err.hint("write `&&` for \"and\""),
                        None if name == "or" => err.hint("write `||` for \"or\""),
                        None if name == "not" => err.hint("write `!` for \"not\""),
                        None => err.hint(format!(
                            "declare it with [[state]] id = {name:?}, or fix the name"
                        )),
                    };
                    return Err(err);
                }
            },
            ExprKind::Neg(x) => {
                let i = self.num(x)?;
                match self.constant(i) {
                    Some(c) => (self.push(Op::Const(-c)), Ty::Num),
                    None => (self.push(Op::Neg(i)), Ty::Num),
                }
            }
            ExprKind::Not(x) => {
                let i = self.boolean(x)?;
                match self.truth(i) {
                    Some(b) => (self.push(Op::Truth(!b)), Ty::Bool),
                    None => (self.push(Op::Not(i)), Ty::Bool),
                }
            }
            ExprKind::Bin(op, a, b) if op.is_logic() => {
                let l = self.boolean(a)?;
                let r = self.boolean(b)?;
                let and = *op == BinOp::And;
                let folded = match (self.truth(l), self.truth(r)) {
                    (Some(x), Some(y)) => {
                        Some(self.push(Op::Truth(if and { x && y } else { x || y })))
                    }
                    (Some(x), None) | (None, Some(x)) => {
                        let other = if self.truth(l).is_some() { r } else { l };
                        Some(if x == and {
                            other // true && e = e; false || e = e
                        } else {
                            self.push(Op::Truth(x)) // false && e = false; true || e = true
                        })
                    }
                    (None, None) => None,
                };
                match folded {
                    Some(i) => (i, Ty::Bool),
                    None => (
                        self.push(if and { Op::And(l, r) } else { Op::Or(l, r) }),
                        Ty::Bool,
                    ),
                }
            }
            ExprKind::Bin(op, a, b) => {
                let l = self.num(a)?;
                let r = self.num(b)?;
                let cmp = op.is_comparison();
                match (self.constant(l), self.constant(r)) {
                    (Some(x), Some(y)) if cmp => (self.push(Op::Truth(op.cmp(x, y))), Ty::Bool),
                    (Some(x), Some(y)) => (self.push(Op::Const(op.arith(x, y))), Ty::Num),
                    _ if cmp => (self.push(Op::Cmp(*op, l, r)), Ty::Bool),
                    _ => (self.push(Op::Arith(*op, l, r)), Ty::Num),
                }
            }
        })
    }
}

/// Resolve a parsed rule against the state variable ids (in `[[state]]` declaration order) and
/// compile it. `text` is kept for messages.
pub fn compile(expr: &Expr, state_ids: &[&str]) -> Result<CompiledRule, RuleError> {
    let mut c = Compiler {
        names: state_ids,
        ops: Vec::new(),
    };
    let root = c.boolean(expr)?;
    Ok(CompiledRule {
        ops: c.ops,
        root,
        expr: expr.clone(),
        text: expr.to_string(),
    })
}

/// Parse and compile a rule's text in one step.
pub fn compile_str(src: &str, state_ids: &[&str]) -> Result<CompiledRule, RuleError> {
    compile(&parse(src)?, state_ids)
}

/// One comparison of a state variable with a constant, as the partition check splits on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// Index of the state variable.
    pub var: usize,
    /// The constant it is compared with.
    pub value: f64,
}

impl CompiledRule {
    /// Whether the rule holds for `state` (one value per state variable, in declaration order;
    /// a missing value reads as NaN). Allocates nothing.
    #[inline]
    pub fn eval(&self, state: &[f64]) -> bool {
        self.truth(self.root, state)
    }

    fn truth(&self, i: u32, s: &[f64]) -> bool {
        match self.ops[i as usize] {
            Op::Truth(b) => b,
            Op::Not(x) => !self.truth(x, s),
            Op::NonZero(x) => self.num(x, s) != 0.0,
            Op::Cmp(op, a, b) => op.cmp(self.num(a, s), self.num(b, s)),
            Op::And(a, b) => self.truth(a, s) && self.truth(b, s),
            Op::Or(a, b) => self.truth(a, s) || self.truth(b, s),
            Op::Const(x) => x != 0.0,
            Op::Var(_) | Op::Neg(_) | Op::Arith(..) => self.num(i, s) != 0.0,
        }
    }

    fn num(&self, i: u32, s: &[f64]) -> f64 {
        match self.ops[i as usize] {
            Op::Const(x) => x,
            Op::Var(k) => s.get(k as usize).copied().unwrap_or(f64::NAN),
            Op::Neg(x) => -self.num(x, s),
            Op::Arith(op, a, b) => op.arith(self.num(a, s), self.num(b, s)),
            _ => {
                if self.truth(i, s) {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// Whether the rule holds for `state` with every comparison of a variable with a constant
    /// moved: `adjust(var, constant)` gives the constant to use (scenario boundaries drawn per
    /// path). Other numbers are evaluated as written. Allocates nothing.
    pub fn eval_with(&self, state: &[f64], adjust: &dyn Fn(usize, f64) -> f64) -> bool {
        self.truth_with(self.root, state, adjust)
    }

    fn truth_with(&self, i: u32, s: &[f64], adjust: &dyn Fn(usize, f64) -> f64) -> bool {
        match self.ops[i as usize] {
            Op::Not(x) => !self.truth_with(x, s, adjust),
            Op::And(a, b) => self.truth_with(a, s, adjust) && self.truth_with(b, s, adjust),
            Op::Or(a, b) => self.truth_with(a, s, adjust) || self.truth_with(b, s, adjust),
            Op::Cmp(op, a, b) => match (self.ops[a as usize], self.ops[b as usize]) {
                (Op::Var(k), Op::Const(c)) => op.cmp(
                    s.get(k as usize).copied().unwrap_or(f64::NAN),
                    adjust(k as usize, c),
                ),
                (Op::Const(c), Op::Var(k)) => op.cmp(
                    adjust(k as usize, c),
                    s.get(k as usize).copied().unwrap_or(f64::NAN),
                ),
                _ => op.cmp(self.num(a, s), self.num(b, s)),
            },
            _ => self.truth(i, s),
        }
    }

    /// The parsed rule as written (before folding).
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Indices of the state variables the rule reads (after folding), sorted, without repeats.
    pub fn vars(&self) -> Vec<usize> {
        let mut v: Vec<usize> = Vec::new();
        self.walk(self.root, &mut |op| {
            if let Op::Var(k) = op {
                v.push(k as usize);
            }
        });
        v.sort_unstable();
        v.dedup();
        v
    }

    fn walk(&self, i: u32, f: &mut dyn FnMut(Op)) {
        let op = self.ops[i as usize];
        f(op);
        match op {
            Op::Neg(x) | Op::Not(x) | Op::NonZero(x) => self.walk(x, f),
            Op::Arith(_, a, b) | Op::Cmp(_, a, b) | Op::And(a, b) | Op::Or(a, b) => {
                self.walk(a, f);
                self.walk(b, f);
            }
            Op::Const(_) | Op::Truth(_) | Op::Var(_) => {}
        }
    }

    /// If every comparison in the (folded) rule sets one state variable against a constant (and
    /// every number used as a truth value is a bare variable), the constants each variable is
    /// compared with; otherwise `None`.
    pub fn thresholds(&self) -> Option<Vec<Threshold>> {
        let mut out = Vec::new();
        let mut ok = true;
        self.walk(self.root, &mut |op| match op {
            Op::Cmp(_, a, b) => match (self.ops[a as usize], self.ops[b as usize]) {
                (Op::Var(k), Op::Const(c)) | (Op::Const(c), Op::Var(k)) => out.push(Threshold {
                    var: k as usize,
                    value: c,
                }),
                _ => ok = false,
            },
            Op::NonZero(x) => match self.ops[x as usize] {
                Op::Var(k) => out.push(Threshold {
                    var: k as usize,
                    value: 0.0,
                }),
                _ => ok = false,
            },
            _ => {}
        });
        ok.then_some(out)
    }
}

impl fmt::Display for CompiledRule {
    /// The rule in canonical form (as written, before folding).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

// ------------------------------------------------------------------------------- partition check

/// The box a partition check covers: one entry per state variable, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dim {
    /// The variable's id (for example points).
    pub id: String,
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Whether it only takes the values `min` and `max` (a 0/1 flag).
    pub flag: bool,
}

/// What [`check_partition`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Partition {
    /// Whether the check covered every cell exactly (otherwise it sampled points).
    pub exact: bool,
    /// How many points were evaluated.
    pub points: usize,
    /// Pairs of rules (indices into the rule list) that both hold somewhere, each with the first
    /// point found, in the order found (at most [`Partition::MAX_REPORTED`]).
    pub overlaps: Vec<(usize, usize, Vec<f64>)>,
    /// Points where no rule holds (at most [`Partition::MAX_REPORTED`]).
    pub gaps: Vec<Vec<f64>>,
    /// How many points had no rule holding (all of them, not only those reported).
    pub gap_count: usize,
}

impl Partition {
    /// How many overlapping pairs and gap points are kept.
    pub const MAX_REPORTED: usize = 3;
    /// Most cells the exact check enumerates before it falls back to sampling.
    pub const MAX_CELLS: usize = 1_000_000;
    /// Points of the sampled check (grid and random points together, about).
    pub const SAMPLES: usize = 40_000;
}

/// Check that exactly one rule holds at every point of the box `dims`.
///
/// When every comparison is variable-versus-constant (after folding), each variable's range is
/// split at the constants it is compared with, and all rules are evaluated at every combination of
/// representatives (the bounds, each threshold, and the midpoints between consecutive ones). That
/// is exact: within one cell every comparison keeps its truth value. Otherwise, or when there
/// would be more than [`Partition::MAX_CELLS`] cells, it checks a deterministic grid and seeded
/// random points, and says so (`exact = false`).
pub fn check_partition(rules: &[&CompiledRule], dims: &[Dim]) -> Partition {
    let mut reps: Option<Vec<Vec<f64>>> = Some(Vec::new());
    let mut per_var: Vec<Vec<f64>> = vec![Vec::new(); dims.len()];
    for r in rules {
        match r.thresholds() {
            Some(ts) => {
                for t in ts {
                    if t.var < per_var.len() {
                        per_var[t.var].push(t.value);
                    }
                }
            }
            None => reps = None,
        }
    }
    let used: Vec<bool> = {
        let mut u = vec![false; dims.len()];
        for r in rules {
            for v in r.vars() {
                if v < u.len() {
                    u[v] = true;
                }
            }
        }
        u
    };
    if let Some(reps) = &mut reps {
        for (i, d) in dims.iter().enumerate() {
            reps.push(representatives(d, &per_var[i], used[i]));
        }
    }
    let cells = reps.as_ref().map(|r| {
        r.iter()
            .try_fold(1usize, |acc, v| acc.checked_mul(v.len().max(1)))
            .unwrap_or(usize::MAX)
    });
    let mut out = Partition::default();
    let mut seen_pairs: Vec<(usize, usize)> = Vec::new();
    let mut point = vec![0.0; dims.len()];
    let mut visit = |p: &[f64], out: &mut Partition| {
        out.points += 1;
        let mut first: Option<usize> = None;
        for (k, r) in rules.iter().enumerate() {
            if r.eval(p) {
                match first {
                    None => first = Some(k),
                    Some(j) => {
                        if !seen_pairs.contains(&(j, k)) {
                            seen_pairs.push((j, k));
                            if out.overlaps.len() < Partition::MAX_REPORTED {
                                out.overlaps.push((j, k, p.to_vec()));
                            }
                        }
                    }
                }
            }
        }
        if first.is_none() {
            out.gap_count += 1;
            if out.gaps.len() < Partition::MAX_REPORTED {
                out.gaps.push(p.to_vec());
            }
        }
    };
    match (reps, cells) {
        (Some(reps), Some(n)) if n <= Partition::MAX_CELLS => {
            out.exact = true;
            let mut idx = vec![0usize; dims.len()];
            loop {
                for (d, r) in reps.iter().enumerate() {
                    point[d] = r[idx[d]];
                }
                visit(&point, &mut out);
                // Advance the mixed-radix counter.
                let mut d = 0;
                loop {
                    if d == dims.len() {
                        return out;
                    }
                    idx[d] += 1;
                    if idx[d] < reps[d].len() {
                        break;
                    }
                    idx[d] = 0;
                    d += 1;
                }
            }
        }
        _ => {
            // A grid over the variables the rules read, then seeded random points.
            let used_dims: Vec<usize> = (0..dims.len()).filter(|&i| used[i]).collect();
            for (i, d) in dims.iter().enumerate() {
                point[i] = d.min;
            }
            let levels = grid_levels(dims, &used_dims, Partition::SAMPLES / 2);
            if let Some(levels) = levels {
                let mut idx = vec![0usize; used_dims.len()];
                'grid: loop {
                    for (j, &d) in used_dims.iter().enumerate() {
                        point[d] = levels[j][idx[j]];
                    }
                    visit(&point, &mut out);
                    let mut j = 0;
                    loop {
                        if j == used_dims.len() {
                            break 'grid;
                        }
                        idx[j] += 1;
                        if idx[j] < levels[j].len() {
                            break;
                        }
                        idx[j] = 0;
                        j += 1;
                    }
                }
            }
            let mut rng = SplitMix(0x5eed_0f1e_7e4a_6e00);
            while out.points < Partition::SAMPLES {
                for &d in &used_dims {
                    let dim = &dims[d];
                    point[d] = if dim.flag {
                        if rng.next() & 1 == 0 {
                            dim.min
                        } else {
                            dim.max
                        }
                    } else {
                        dim.min + (dim.max - dim.min) * rng.unit()
                    };
                }
                visit(&point, &mut out);
                if used_dims.is_empty() {
                    break;
                }
            }
            out
        }
    }
}

fn representatives(d: &Dim, thresholds: &[f64], used: bool) -> Vec<f64> {
    if !used {
        return vec![d.min];
    }
    if d.flag {
        return vec![d.min, d.max];
    }
    let mut pts: Vec<f64> = thresholds
        .iter()
        .copied()
        .filter(|t| *t > d.min && *t < d.max)
        .chain([d.min, d.max])
        .collect();
    pts.sort_by(f64::total_cmp);
    pts.dedup();
    let mut out = Vec::with_capacity(pts.len() * 2);
    for (i, p) in pts.iter().enumerate() {
        out.push(*p);
        if let Some(q) = pts.get(i + 1) {
            out.push(p + (q - p) / 2.0);
        }
    }
    out
}

/// Evenly spaced levels per used variable, as many as fit `budget` points in all.
fn grid_levels(dims: &[Dim], used: &[usize], budget: usize) -> Option<Vec<Vec<f64>>> {
    let flags = used.iter().filter(|&&i| dims[i].flag).count();
    let levels_vars = used.len() - flags;
    let flag_points = 1usize.checked_shl(flags as u32).filter(|&n| n <= budget)?;
    let per = if levels_vars == 0 {
        1
    } else {
        let room = (budget / flag_points) as f64;
        (room.powf(1.0 / levels_vars as f64).floor() as usize).min(21)
    };
    if levels_vars > 0 && per < 2 {
        return None;
    }
    Some(
        used.iter()
            .map(|&i| {
                let d = &dims[i];
                if d.flag {
                    vec![d.min, d.max]
                } else {
                    (0..per)
                        .map(|k| d.min + (d.max - d.min) * k as f64 / (per - 1) as f64)
                        .collect()
                }
            })
            .collect(),
    )
}

/// A small deterministic generator (SplitMix64) for the sampled check.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A point of the state box as `a = 1, b = 2`, listing only the variables in `show`.
pub fn describe_point(point: &[f64], dims: &[Dim], show: &[usize]) -> String {
    let parts: Vec<String> = show
        .iter()
        .filter_map(|&i| Some(format!("{} = {}", dims.get(i)?.id, point.get(i)?)))
        .collect();
    if parts.is_empty() {
        "every state".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str, ids: &[&str]) -> CompiledRule {
        compile_str(s, ids).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn precedence_and_printing() {
        let e = parse("a+b*c>=60&&!(x<3)||y").unwrap();
        assert_eq!(e.to_string(), "a + b * c >= 60 && !(x < 3) || y");
        let e = parse("(a - b) - c").unwrap();
        assert_eq!(e.to_string(), "a - b - c");
        let e = parse("a - (b - c)").unwrap();
        assert_eq!(e.to_string(), "a - (b - c)");
        let e = parse("(a || b) && c").unwrap();
        assert_eq!(e.to_string(), "(a || b) && c");
        let e = parse("-(a + 1) * 2").unwrap();
        assert_eq!(e.to_string(), "-(a + 1) * 2");
    }

    #[test]
    fn eval_and_coercion() {
        let ids = ["econ", "mil", "flag"];
        let r = c("econ >= 60 && mil < 40", &ids);
        assert!(r.eval(&[60.0, 39.9, 0.0]));
        assert!(!r.eval(&[59.0, 39.9, 0.0]));
        assert!(c("flag", &ids).eval(&[0.0, 0.0, 1.0]));
        assert!(!c("flag", &ids).eval(&[0.0, 0.0, 0.0]));
        assert!(c("!flag && econ - mil", &ids).eval(&[5.0, 3.0, 0.0]));
        assert!(c("2 * 3 == 6", &ids).eval(&[]));
        assert!(!c("false || 1 > 2", &ids).eval(&[]));
    }

    #[test]
    fn errors_are_located() {
        let e = parse("econ >= && mil").unwrap_err();
        assert_eq!(e.column("econ >= && mil"), 9);
        assert!(e.message.contains("expected an operand"), "{e:?}");
        let e = parse("econ = 60").unwrap_err();
        assert_eq!(e.span, 5..6);
        let e = parse("a < b < c").unwrap_err();
        assert!(e.message.contains("chained"));
        let e = parse("(a < b").unwrap_err();
        assert!(e.message.contains("expected `)`"));
        let e = parse("a b").unwrap_err();
        assert_eq!(e.span, 2..3);
        let e = compile_str("econ_integraton > 1", &["econ_integration"]).unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean `econ_integration`?"));
        let e = compile_str("(a < 1) + 2", &["a"]).unwrap_err();
        assert_eq!(e.span, 1..6);
        assert!(parse("").is_err());
        assert!(parse(&"(".repeat(500)).is_err());
        assert!(parse(&"!".repeat(500)).is_err());
        assert!(parse("a+".repeat(500).trim_end_matches('+')).is_err());
    }

    fn dims(v: &[(&str, f64, f64, bool)]) -> Vec<Dim> {
        v.iter()
            .map(|(id, min, max, flag)| Dim {
                id: id.to_string(),
                min: *min,
                max: *max,
                flag: *flag,
            })
            .collect()
    }

    #[test]
    fn partition_exact() {
        let ids = ["e", "m", "f"];
        let d = dims(&[
            ("e", 0.0, 100.0, false),
            ("m", 0.0, 100.0, false),
            ("f", 0.0, 1.0, true),
        ]);
        let rules = [
            c("e >= 60 && !f", &ids),
            c("e < 60 && !f", &ids),
            c("f", &ids),
        ];
        let p = check_partition(&rules.iter().collect::<Vec<_>>(), &d);
        assert!(p.exact);
        assert!(p.overlaps.is_empty() && p.gaps.is_empty(), "{p:?}");
        // `>` instead of `>=` leaves the single point e = 60 uncovered.
        let rules = [
            c("e > 60 && !f", &ids),
            c("e < 60 && !f", &ids),
            c("f", &ids),
        ];
        let p = check_partition(&rules.iter().collect::<Vec<_>>(), &d);
        assert_eq!(p.gaps.len(), 1);
        assert_eq!(p.gaps[0][0], 60.0);
        // `<=` on both sides overlaps at 60.
        let rules = [
            c("e >= 60 && !f", &ids),
            c("e <= 60 && !f", &ids),
            c("f", &ids),
        ];
        let p = check_partition(&rules.iter().collect::<Vec<_>>(), &d);
        assert_eq!(p.overlaps.len(), 1);
        assert_eq!((p.overlaps[0].0, p.overlaps[0].1), (0, 1));
        assert_eq!(p.overlaps[0].2[0], 60.0);
    }

    #[test]
    fn partition_sampled_when_arithmetic() {
        let ids = ["e", "m"];
        let d = dims(&[("e", 0.0, 100.0, false), ("m", 0.0, 100.0, false)]);
        let rules = [c("e + m > 100", &ids), c("e + m < 100", &ids)];
        let p = check_partition(&rules.iter().collect::<Vec<_>>(), &d);
        assert!(!p.exact);
        // The grid hits e + m = 100 exactly (0 + 100, 50 + 50 …).
        assert!(!p.gaps.is_empty());
        let rules = [c("e + m >= 100", &ids), c("e + m < 100", &ids)];
        let p = check_partition(&rules.iter().collect::<Vec<_>>(), &d);
        assert!(p.gaps.is_empty() && p.overlaps.is_empty());
    }
}
