//! Building a game: [`GameBuilder`] and the problems [`GameBuilder::build`] reports.

use crate::game::{Game, Infoset, InfosetId, Mover, Node, NodeId, Outcome, OutcomeId};
use crate::number::Number;
use serde::Serialize;

/// Chance probabilities must sum to 1 within this.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// Something wrong with a game. Nodes are numbered in the order the builder created them
/// (for a game read from a `.efg` file: the node's position among the file's node lines,
/// from 0), so the numbers make sense before the tree is complete.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum GameError {
    /// No players were named.
    #[error("the game has no players")]
    NoPlayers,
    /// No root node was added.
    #[error("the tree is empty: no root node was added")]
    EmptyTree,
    /// A second node was placed at the root.
    #[error("node {node}: the tree already has a root")]
    SecondRoot {
        /// The extra node.
        node: usize,
    },
    /// A node was placed under a parent action that already has a child.
    #[error("node {node}: action {action} of node {parent} already leads to node {existing}")]
    SlotTaken {
        /// The node placed.
        node: usize,
        /// The parent.
        parent: usize,
        /// The parent's action (0-based).
        action: usize,
        /// The child already there.
        existing: usize,
    },
    /// A node was placed under an action the parent does not have.
    #[error(
        "node {node}: node {parent} has {actions} action(s), so it has no action {action} (0-based)"
    )]
    NoSuchAction {
        /// The node placed.
        node: usize,
        /// The parent.
        parent: usize,
        /// The action asked for (0-based).
        action: usize,
        /// How many actions the parent has.
        actions: usize,
    },
    /// An information set names a player the game does not have.
    #[error(
        "information set {infoset}: the game has {players} player(s), so there is no player {player} (0-based)"
    )]
    NoSuchPlayer {
        /// The information set.
        infoset: String,
        /// The player asked for (0-based).
        player: usize,
        /// How many players the game has.
        players: usize,
    },
    /// A decision or chance node has an action with no child below it.
    #[error("node {node} ({infoset}): action \"{action}\" leads nowhere (no child was added)")]
    MissingChild {
        /// The node.
        node: usize,
        /// Its information set.
        infoset: String,
        /// The action's label.
        action: String,
    },
    /// An information set has no actions.
    #[error("information set {infoset} (node {node}): it has no actions")]
    NoActions {
        /// The information set.
        infoset: String,
        /// Its first node.
        node: usize,
    },
    /// A node of an information set lists a different number of actions than the set.
    #[error(
        "node {node}: information set {infoset} has {expected} action(s) but this node lists {found}"
    )]
    ActionCountMismatch {
        /// The information set.
        infoset: String,
        /// The node.
        node: usize,
        /// The set's count.
        expected: usize,
        /// The node's count.
        found: usize,
    },
    /// A node of an information set labels an action differently than the set.
    #[error(
        "node {node}: information set {infoset} calls action {action} \"{expected}\" but this node calls it \"{found}\""
    )]
    ActionLabelMismatch {
        /// The information set.
        infoset: String,
        /// The node.
        node: usize,
        /// The action (0-based).
        action: usize,
        /// The set's label.
        expected: String,
        /// The node's label.
        found: String,
    },
    /// A chance probability is negative or not finite.
    #[error(
        "node {node}, chance {infoset}: action \"{action}\" has probability {value}, which is not a number in [0, 1]"
    )]
    ChanceProbabilityInvalid {
        /// The chance information set.
        infoset: String,
        /// Its first node.
        node: usize,
        /// The action.
        action: String,
        /// The probability.
        value: f64,
    },
    /// Chance probabilities do not sum to 1 (within [`PROBABILITY_TOLERANCE`]).
    #[error("node {node}, chance {infoset}: the probabilities sum to {sum}, not 1")]
    ChanceProbabilitiesSum {
        /// The chance information set.
        infoset: String,
        /// Its first node.
        node: usize,
        /// The sum.
        sum: f64,
    },
    /// A node of a chance information set gives other probabilities than the set.
    #[error("node {node}: chance {infoset} was given other probabilities at an earlier node")]
    ChanceProbabilitiesMismatch {
        /// The chance information set.
        infoset: String,
        /// The node.
        node: usize,
    },
    /// An outcome does not have one payoff per player.
    #[error("outcome {outcome}: {found} payoff(s) for {expected} player(s)")]
    PayoffCount {
        /// The outcome.
        outcome: String,
        /// Number of players.
        expected: usize,
        /// Number of payoffs.
        found: usize,
    },
    /// A payoff is not finite.
    #[error("outcome {outcome}: the payoff of player {player} (0-based) is not finite")]
    PayoffNotFinite {
        /// The outcome.
        outcome: String,
        /// The player.
        player: usize,
    },
    /// Perfect recall is violated: two nodes of one information set are reached after
    /// different own moves of the player.
    #[error("information set {infoset}: perfect recall violated: {detail}")]
    PerfectRecall {
        /// The information set.
        infoset: String,
        /// A node of the set.
        node: usize,
        /// Another node of the set the player could tell apart from `node`.
        other: usize,
        /// What the player did before each.
        detail: String,
    },
}

impl GameError {
    /// The node (builder numbering) the problem is best located at, if any.
    pub fn node(&self) -> Option<usize> {
        use GameError::*;
        match self {
            NoPlayers
            | EmptyTree
            | NoSuchPlayer { .. }
            | PayoffCount { .. }
            | PayoffNotFinite { .. } => None,
            SecondRoot { node }
            | SlotTaken { node, .. }
            | NoSuchAction { node, .. }
            | MissingChild { node, .. }
            | NoActions { node, .. }
            | ActionCountMismatch { node, .. }
            | ActionLabelMismatch { node, .. }
            | ChanceProbabilityInvalid { node, .. }
            | ChanceProbabilitiesSum { node, .. }
            | ChanceProbabilitiesMismatch { node, .. }
            | PerfectRecall { other: node, .. } => Some(*node),
        }
    }
}

/// A node handle while building (creation order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeRef(pub usize);

/// An information set handle while building.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InfosetRef(pub usize);

/// Where a new node goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// At the root.
    Root,
    /// Below `parent`, reached by its action `action` (0-based).
    Child(NodeRef, usize),
}

#[derive(Debug, Clone)]
struct BInfoset {
    mover: Mover,
    number: usize,
    label: String,
    actions: Vec<String>,
    probs: Vec<Number>,
}

#[derive(Debug, Clone)]
struct BNode {
    label: String,
    infoset: Option<usize>,
    outcome: Option<OutcomeId>,
    parent: Option<(usize, usize)>,
    children: Vec<Option<usize>>,
    declared_actions: Option<Vec<String>>,
    declared_probs: Option<Vec<Number>>,
}

/// Builds a [`Game`] node by node; [`GameBuilder::build`] checks it and reports every problem.
///
/// ```
/// use leverage_games::{At, GameBuilder};
/// let mut b = GameBuilder::new("Entry", ["Entrant", "Incumbent"]);
/// let root = b.decision(At::Root, 0, "enter?", &["Out", "In"]);
/// b.leaf(At::Child(root, 0), "Out", [0, 2]);
/// let inc = b.decision(At::Child(root, 1), 1, "fight?", &["Fight", "Share"]);
/// b.leaf(At::Child(inc, 0), "Fight", [-1, -1]);
/// b.leaf(At::Child(inc, 1), "Share", [1, 1]);
/// let game = b.build().unwrap();
/// assert_eq!(game.num_nodes(), 5);
/// ```
#[derive(Debug, Clone)]
pub struct GameBuilder {
    title: String,
    comment: String,
    players: Vec<String>,
    nodes: Vec<BNode>,
    infosets: Vec<BInfoset>,
    outcomes: Vec<Outcome>,
    root: Option<usize>,
    errors: Vec<GameError>,
    per_mover_count: Vec<usize>,
}

impl GameBuilder {
    /// A builder for a game with this title and these players (in order: player 0 is Gambit's
    /// player 1).
    pub fn new<S: Into<String>>(
        title: impl Into<String>,
        players: impl IntoIterator<Item = S>,
    ) -> Self {
        let players: Vec<String> = players.into_iter().map(Into::into).collect();
        let n = players.len();
        GameBuilder {
            title: title.into(),
            comment: String::new(),
            players,
            nodes: Vec::new(),
            infosets: Vec::new(),
            outcomes: Vec::new(),
            root: None,
            errors: Vec::new(),
            per_mover_count: vec![0; n + 1],
        }
    }

    /// Sets the comment.
    pub fn comment(&mut self, text: impl Into<String>) -> &mut Self {
        self.comment = text.into();
        self
    }

    /// Reserves room for `n` nodes (large generated trees).
    pub fn reserve(&mut self, nodes: usize) {
        self.nodes.reserve(nodes);
    }

    fn next_number(&mut self, mover: Mover) -> usize {
        let slot = match mover {
            Mover::Chance => 0,
            Mover::Player(p) => (p + 1).min(self.per_mover_count.len() - 1),
        };
        self.per_mover_count[slot] += 1;
        self.per_mover_count[slot]
    }

    /// A personal information set of `player` (0-based) with these actions; numbered after
    /// the player's previous ones.
    pub fn infoset<S: AsRef<str>>(
        &mut self,
        player: usize,
        label: impl Into<String>,
        actions: &[S],
    ) -> InfosetRef {
        let number = self.next_number(Mover::Player(player));
        self.infoset_numbered(
            player,
            number,
            label,
            actions.iter().map(|a| a.as_ref().to_string()).collect(),
        )
    }

    /// A personal information set with an explicit file number (as in a `.efg` file).
    pub fn infoset_numbered(
        &mut self,
        player: usize,
        number: usize,
        label: impl Into<String>,
        actions: Vec<String>,
    ) -> InfosetRef {
        let label = label.into();
        if player >= self.players.len() {
            self.errors.push(GameError::NoSuchPlayer {
                infoset: format!("\"{label}\""),
                player,
                players: self.players.len(),
            });
        }
        self.infosets.push(BInfoset {
            mover: Mover::Player(player),
            number,
            label,
            actions,
            probs: Vec::new(),
        });
        InfosetRef(self.infosets.len() - 1)
    }

    /// A chance information set: actions with their probabilities.
    pub fn chance_infoset<S: Into<String>, N: Into<Number>>(
        &mut self,
        label: impl Into<String>,
        actions: impl IntoIterator<Item = (S, N)>,
    ) -> InfosetRef {
        let number = self.next_number(Mover::Chance);
        let (a, p) = actions
            .into_iter()
            .map(|(s, n)| (s.into(), n.into()))
            .unzip();
        self.chance_infoset_numbered(number, label, a, p)
    }

    /// A chance information set with an explicit file number.
    pub fn chance_infoset_numbered(
        &mut self,
        number: usize,
        label: impl Into<String>,
        actions: Vec<String>,
        probs: Vec<Number>,
    ) -> InfosetRef {
        self.infosets.push(BInfoset {
            mover: Mover::Chance,
            number,
            label: label.into(),
            actions,
            probs,
        });
        InfosetRef(self.infosets.len() - 1)
    }

    /// An outcome (payoffs in player order), numbered after the previous ones.
    pub fn outcome<N: Into<Number>>(
        &mut self,
        label: impl Into<String>,
        payoffs: impl IntoIterator<Item = N>,
    ) -> OutcomeId {
        let number = self.outcomes.len() + 1;
        self.outcome_numbered(number, label, payoffs.into_iter().map(Into::into).collect())
    }

    /// An outcome with an explicit file number.
    pub fn outcome_numbered(
        &mut self,
        number: usize,
        label: impl Into<String>,
        payoffs: Vec<Number>,
    ) -> OutcomeId {
        self.outcomes.push(Outcome {
            number,
            label: label.into(),
            payoffs,
        });
        OutcomeId((self.outcomes.len() - 1) as u32)
    }

    fn place(&mut self, at: At, node: BNode) -> NodeRef {
        let id = self.nodes.len();
        let mut node = node;
        match at {
            At::Root => {
                if self.root.is_some() {
                    self.errors.push(GameError::SecondRoot { node: id });
                } else {
                    self.root = Some(id);
                }
            }
            At::Child(NodeRef(parent), action) => match self.nodes.get_mut(parent) {
                None => self.errors.push(GameError::NoSuchAction {
                    node: id,
                    parent,
                    action,
                    actions: 0,
                }),
                Some(p) => match p.children.get_mut(action) {
                    None => {
                        let actions = p.children.len();
                        self.errors.push(GameError::NoSuchAction {
                            node: id,
                            parent,
                            action,
                            actions,
                        })
                    }
                    Some(Some(existing)) => {
                        let existing = *existing;
                        self.errors.push(GameError::SlotTaken {
                            node: id,
                            parent,
                            action,
                            existing,
                        })
                    }
                    Some(slot) => {
                        *slot = Some(id);
                        node.parent = Some((parent, action));
                    }
                },
            },
        }
        self.nodes.push(node);
        NodeRef(id)
    }

    /// A decision or chance node in information set `infoset`.
    pub fn node(&mut self, at: At, label: impl Into<String>, infoset: InfosetRef) -> NodeRef {
        let n = self.infosets.get(infoset.0).map_or(0, |h| h.actions.len());
        self.place(
            at,
            BNode {
                label: label.into(),
                infoset: Some(infoset.0),
                outcome: None,
                parent: None,
                children: vec![None; n],
                declared_actions: None,
                declared_probs: None,
            },
        )
    }

    /// A decision or chance node that restates its information set's actions (and, for
    /// chance, probabilities), as a `.efg` node line may; the node gets as many child slots as
    /// it lists actions, and [`build`](Self::build) reports any difference from the set.
    pub fn node_declaring(
        &mut self,
        at: At,
        label: impl Into<String>,
        infoset: InfosetRef,
        actions: Vec<String>,
        probs: Option<Vec<Number>>,
    ) -> NodeRef {
        let n = actions.len();
        self.place(
            at,
            BNode {
                label: label.into(),
                infoset: Some(infoset.0),
                outcome: None,
                parent: None,
                children: vec![None; n],
                declared_actions: Some(actions),
                declared_probs: probs,
            },
        )
    }

    /// A terminal node, with an outcome or none (all payoffs zero there, plus any outcomes
    /// higher up the path).
    pub fn terminal(
        &mut self,
        at: At,
        label: impl Into<String>,
        outcome: Option<OutcomeId>,
    ) -> NodeRef {
        self.place(
            at,
            BNode {
                label: label.into(),
                infoset: None,
                outcome,
                parent: None,
                children: Vec::new(),
                declared_actions: None,
                declared_probs: None,
            },
        )
    }

    /// How many child slots a node has (its number of actions; 0 for a terminal node).
    pub fn child_slots(&self, node: NodeRef) -> usize {
        self.nodes.get(node.0).map_or(0, |n| n.children.len())
    }

    /// Attaches an outcome to any node (on a non-terminal node its payoffs add to everything
    /// below, as in Gambit).
    pub fn set_outcome(&mut self, node: NodeRef, outcome: Option<OutcomeId>) {
        if let Some(n) = self.nodes.get_mut(node.0) {
            n.outcome = outcome;
        }
    }

    /// A decision node of `player` in a new information set of its own (perfect information).
    pub fn decision<S: AsRef<str>>(
        &mut self,
        at: At,
        player: usize,
        infoset_label: impl Into<String>,
        actions: &[S],
    ) -> NodeRef {
        let h = self.infoset(player, infoset_label, actions);
        self.node(at, "", h)
    }

    /// A chance node in a new chance information set of its own.
    pub fn chance<S: Into<String>, N: Into<Number>>(
        &mut self,
        at: At,
        label: impl Into<String>,
        actions: impl IntoIterator<Item = (S, N)>,
    ) -> NodeRef {
        let label = label.into();
        let h = self.chance_infoset(label.clone(), actions);
        self.node(at, label, h)
    }

    /// A terminal node with a new outcome labelled `label`.
    pub fn leaf<N: Into<Number>>(
        &mut self,
        at: At,
        label: impl Into<String>,
        payoffs: impl IntoIterator<Item = N>,
    ) -> NodeRef {
        let label = label.into();
        let o = self.outcome(label, payoffs);
        self.terminal(at, "", Some(o))
    }

    fn describe(&self, h: usize) -> String {
        let inf = &self.infosets[h];
        match inf.mover {
            Mover::Chance => format!("chance {} \"{}\"", inf.number, inf.label),
            Mover::Player(p) => format!(
                "{} {} \"{}\"",
                self.players.get(p).map_or("?", String::as_str),
                inf.number,
                inf.label
            ),
        }
    }

    /// Checks the game and returns it, or every problem found.
    pub fn build(mut self) -> Result<Game, Vec<GameError>> {
        let mut errors = self.errors.clone();
        if self.players.is_empty() {
            errors.push(GameError::NoPlayers);
        }
        let Some(root) = self.root else {
            errors.push(GameError::EmptyTree);
            return Err(errors);
        };
        let np = self.players.len();

        // Outcomes.
        for o in &self.outcomes {
            let name = format!("{} \"{}\"", o.number, o.label);
            if o.payoffs.len() != np {
                errors.push(GameError::PayoffCount {
                    outcome: name.clone(),
                    expected: np,
                    found: o.payoffs.len(),
                });
            }
            for (p, v) in o.payoffs.iter().enumerate() {
                if !v.value().is_finite() {
                    errors.push(GameError::PayoffNotFinite {
                        outcome: name.clone(),
                        player: p,
                    });
                }
            }
        }

        // Preorder from the root (iterative).
        let mut order: Vec<usize> = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![root];
        while let Some(b) = stack.pop() {
            order.push(b);
            let node = &self.nodes[b];
            for (a, c) in node.children.iter().enumerate().rev() {
                match c {
                    Some(c) => stack.push(*c),
                    None => {
                        let h = node.infoset.unwrap_or(0);
                        let action = node
                            .declared_actions
                            .as_ref()
                            .and_then(|d| d.get(a))
                            .or_else(|| self.infosets.get(h).and_then(|i| i.actions.get(a)))
                            .cloned()
                            .unwrap_or_default();
                        errors.push(GameError::MissingChild {
                            node: b,
                            infoset: self.describe(h),
                            action,
                        });
                    }
                }
            }
        }
        let mut final_of = vec![u32::MAX; self.nodes.len()];
        for (i, &b) in order.iter().enumerate() {
            final_of[b] = i as u32;
        }

        // Information sets: members, node-level declarations, probabilities.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.infosets.len()];
        for &b in &order {
            if let Some(h) = self.nodes[b].infoset {
                members[h].push(b);
            }
        }
        for (h, inf) in self.infosets.iter().enumerate() {
            let Some(&first) = members[h].first() else {
                continue;
            };
            if inf.actions.is_empty() {
                errors.push(GameError::NoActions {
                    infoset: self.describe(h),
                    node: first,
                });
            }
            if inf.mover == Mover::Chance {
                let mut sum = 0.0;
                let mut ok = inf.probs.len() == inf.actions.len();
                for (a, p) in inf.probs.iter().enumerate() {
                    let v = p.value();
                    if !(v.is_finite() && (0.0..=1.0 + PROBABILITY_TOLERANCE).contains(&v)) {
                        ok = false;
                        errors.push(GameError::ChanceProbabilityInvalid {
                            infoset: self.describe(h),
                            node: first,
                            action: inf.actions.get(a).cloned().unwrap_or_default(),
                            value: v,
                        });
                    }
                    sum += v;
                }
                if inf.probs.len() != inf.actions.len() {
                    errors.push(GameError::ActionCountMismatch {
                        infoset: self.describe(h),
                        node: first,
                        expected: inf.actions.len(),
                        found: inf.probs.len(),
                    });
                }
                let exact_sum = inf
                    .probs
                    .iter()
                    .try_fold(crate::number::Rational::integer(0), |acc, p| {
                        Some(acc.add(p.exact()?))
                    });
                let bad_sum = match exact_sum {
                    Some(r) => !r.is_one() && (sum - 1.0).abs() > PROBABILITY_TOLERANCE,
                    None => (sum - 1.0).abs() > PROBABILITY_TOLERANCE,
                };
                if ok && bad_sum {
                    errors.push(GameError::ChanceProbabilitiesSum {
                        infoset: self.describe(h),
                        node: first,
                        sum,
                    });
                }
            }
            for &b in &members[h] {
                let node = &self.nodes[b];
                if let Some(decl) = &node.declared_actions {
                    if decl.len() != inf.actions.len() {
                        errors.push(GameError::ActionCountMismatch {
                            infoset: self.describe(h),
                            node: b,
                            expected: inf.actions.len(),
                            found: decl.len(),
                        });
                    } else if let Some(a) = (0..decl.len()).find(|&a| decl[a] != inf.actions[a]) {
                        errors.push(GameError::ActionLabelMismatch {
                            infoset: self.describe(h),
                            node: b,
                            action: a,
                            expected: inf.actions[a].clone(),
                            found: decl[a].clone(),
                        });
                    }
                }
                if let Some(probs) = &node.declared_probs {
                    if probs != &inf.probs && probs.len() == inf.probs.len() {
                        errors.push(GameError::ChanceProbabilitiesMismatch {
                            infoset: self.describe(h),
                            node: b,
                        });
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        // Final information set order: personal by (player, first appearance), then chance.
        let mut used: Vec<usize> = (0..self.infosets.len())
            .filter(|&h| !members[h].is_empty())
            .collect();
        used.sort_by_key(|&h| {
            let first = final_of[members[h][0]];
            match self.infosets[h].mover {
                Mover::Player(p) => (p, first),
                Mover::Chance => (usize::MAX, first),
            }
        });
        let mut final_infoset = vec![u32::MAX; self.infosets.len()];
        let mut infosets = Vec::with_capacity(used.len());
        let mut offset = 0;
        let mut num_personal = 0;
        for (i, &h) in used.iter().enumerate() {
            final_infoset[h] = i as u32;
            let b = &mut self.infosets[h];
            if let Mover::Player(_) = b.mover {
                num_personal += 1;
            }
            infosets.push(Infoset {
                mover: b.mover,
                number: b.number,
                label: std::mem::take(&mut b.label),
                actions: std::mem::take(&mut b.actions),
                probs: std::mem::take(&mut b.probs),
                nodes: members[h].iter().map(|&m| NodeId(final_of[m])).collect(),
                offset: if matches!(b.mover, Mover::Player(_)) {
                    offset
                } else {
                    usize::MAX
                },
            });
            if let Some(last) = infosets.last() {
                if matches!(last.mover, Mover::Player(_)) {
                    offset += last.actions.len();
                }
            }
        }

        // Nodes and the flat child list.
        let mut nodes = Vec::with_capacity(order.len());
        let mut children = Vec::with_capacity(order.len().saturating_sub(1));
        for &b in &order {
            let n = &mut self.nodes[b];
            let first_child = children.len() as u32;
            children.extend(
                n.children
                    .iter()
                    .map(|c| NodeId(final_of[c.expect("checked")])),
            );
            nodes.push(Node {
                label: std::mem::take(&mut n.label),
                parent: n.parent.map(|(p, _)| NodeId(final_of[p])),
                action_in_parent: n.parent.map_or(0, |(_, a)| a as u32),
                infoset: n.infoset.map(|h| InfosetId(final_infoset[h])),
                outcome: n.outcome,
                first_child,
            });
        }
        let game = Game {
            title: self.title,
            comment: self.comment,
            players: self.players,
            nodes,
            children,
            infosets,
            num_personal,
            num_actions: offset,
            outcomes: self.outcomes,
        };
        let recall = check_perfect_recall(&game, &order);
        if !recall.is_empty() {
            return Err(recall);
        }
        Ok(game)
    }
}

/// For every personal information set, all its nodes must follow the same last own move of
/// the player (by induction, then the same whole sequence of own moves).
fn check_perfect_recall(game: &Game, order: &[usize]) -> Vec<GameError> {
    let np = game.num_players();
    // last[node * np + p]: 1 + global index of player p's last action on the path, 0 if none.
    let mut last = vec![0u32; game.num_nodes() * np];
    for i in 1..game.num_nodes() {
        let node = &game.nodes[i];
        let parent = node.parent.expect("non-root").index();
        let (src, dst) = last.split_at_mut(i * np);
        dst[..np].copy_from_slice(&src[parent * np..parent * np + np]);
        let h = game.nodes[parent]
            .infoset
            .expect("a parent has an information set");
        let inf = &game.infosets[h.index()];
        if let Mover::Player(p) = inf.mover {
            dst[p] = (inf.offset + node.action_in_parent as usize + 1) as u32;
        }
    }
    let mut errors = Vec::new();
    for inf in game.personal_infosets() {
        let Mover::Player(p) = inf.mover else {
            continue;
        };
        let first = inf.nodes[0].index();
        for &n in &inf.nodes[1..] {
            if last[n.index() * np + p] != last[first * np + p] {
                let own = |node: usize| {
                    let path: Vec<String> = game
                        .path_to(NodeId(node as u32))
                        .into_iter()
                        .filter(|(h, _)| game.infoset(*h).mover == Mover::Player(p))
                        .map(|(h, a)| {
                            format!("{}: {}", game.infoset(h).label, game.infoset(h).actions[a])
                        })
                        .collect();
                    if path.is_empty() {
                        "nothing".to_string()
                    } else {
                        path.join(" → ")
                    }
                };
                errors.push(GameError::PerfectRecall {
                    infoset: format!("{} {} \"{}\"", game.players[p], inf.number, inf.label),
                    node: order[first],
                    other: order[n.index()],
                    detail: format!(
                        "node {} comes after [{}] but node {} after [{}]",
                        order[first],
                        own(first),
                        order[n.index()],
                        own(n.index())
                    ),
                });
                break;
            }
        }
    }
    errors
}
