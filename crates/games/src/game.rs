//! The game tree: a flat arena of nodes in preorder, information sets, outcomes.

use crate::number::Number;
use serde::Serialize;

/// A node: its index in the game's preorder arena (the root is `NodeId(0)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u32);

/// An information set: its index in [`Game::infosets`]. Personal information sets come first,
/// ordered by player and then by first appearance in preorder (Gambit's order); chance
/// information sets follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct InfosetId(pub u32);

/// An outcome: its index in [`Game::outcomes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct OutcomeId(pub u32);

impl NodeId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl InfosetId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl OutcomeId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Who moves at an information set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Mover {
    /// Nature, with fixed probabilities.
    Chance,
    /// A player, by 0-based index into [`Game::players`] (Gambit's player `i + 1`).
    Player(usize),
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// The node's label (often empty).
    pub label: String,
    /// The parent, `None` at the root.
    pub parent: Option<NodeId>,
    /// Which of the parent's actions leads here (0-based).
    pub action_in_parent: u32,
    /// The information set of a decision or chance node; `None` at a terminal node.
    pub infoset: Option<InfosetId>,
    /// The outcome attached to the node, if any (payoffs add up along the path).
    pub outcome: Option<OutcomeId>,
    pub(crate) first_child: u32,
}

/// An information set: nodes the mover cannot tell apart, all with the same actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Infoset {
    /// Who moves.
    pub mover: Mover,
    /// The information set's number in the file (per player, as Gambit numbers them).
    pub number: usize,
    /// The label (often empty).
    pub label: String,
    /// Action labels, in order.
    pub actions: Vec<String>,
    /// Chance probabilities, one per action (empty for a personal information set).
    pub probs: Vec<Number>,
    /// The member nodes, in preorder.
    pub nodes: Vec<NodeId>,
    /// Index of the first action in the flat profile vector (personal information sets only).
    pub(crate) offset: usize,
}

/// An outcome: a payoff for each player, attached to one or more nodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The outcome's number in the file.
    pub number: usize,
    /// The label.
    pub label: String,
    /// One payoff per player.
    pub payoffs: Vec<Number>,
}

/// A finite extensive-form game (valid by construction: built by [`crate::GameBuilder`] or read
/// by [`Game::from_efg`], both of which validate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Game {
    pub(crate) title: String,
    pub(crate) comment: String,
    pub(crate) players: Vec<String>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) infosets: Vec<Infoset>,
    pub(crate) num_personal: usize,
    pub(crate) num_actions: usize,
    pub(crate) outcomes: Vec<Outcome>,
}

impl Game {
    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The comment (second line of a `.efg` file).
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// Player names.
    pub fn players(&self) -> &[String] {
        &self.players
    }

    /// Number of players (not counting chance).
    pub fn num_players(&self) -> usize {
        self.players.len()
    }

    /// All nodes in preorder; the root is the first.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// The root.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// One node.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The children of a node, in action order (empty at a terminal node).
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let node = &self.nodes[id.index()];
        match node.infoset {
            None => &[],
            Some(h) => {
                let start = node.first_child as usize;
                &self.children[start..start + self.infosets[h.index()].actions.len()]
            }
        }
    }

    /// Is the node terminal?
    pub fn is_terminal(&self, id: NodeId) -> bool {
        self.nodes[id.index()].infoset.is_none()
    }

    /// Who moves at a node (`None` at a terminal node).
    pub fn mover(&self, id: NodeId) -> Option<Mover> {
        self.nodes[id.index()]
            .infoset
            .map(|h| self.infosets[h.index()].mover)
    }

    /// All information sets: personal ones first (by player, then first appearance), then chance.
    pub fn infosets(&self) -> &[Infoset] {
        &self.infosets
    }

    /// One information set.
    pub fn infoset(&self, id: InfosetId) -> &Infoset {
        &self.infosets[id.index()]
    }

    /// The personal information sets (those a profile assigns probabilities to).
    pub fn personal_infosets(&self) -> &[Infoset] {
        &self.infosets[..self.num_personal]
    }

    /// Number of personal information sets.
    pub fn num_personal_infosets(&self) -> usize {
        self.num_personal
    }

    /// Total number of actions over personal information sets: the length of a flat
    /// behaviour profile (Gambit's order: player, information set, action).
    pub fn num_profile_actions(&self) -> usize {
        self.num_actions
    }

    /// Position of information set `h`'s first action in the flat profile vector (personal
    /// information sets only; `None` for chance).
    pub fn profile_offset(&self, h: InfosetId) -> Option<usize> {
        (h.index() < self.num_personal).then(|| self.infosets[h.index()].offset)
    }

    /// The personal information set of `player` labelled `label`, if exactly one has that label.
    pub fn infoset_by_label(&self, player: usize, label: &str) -> Option<InfosetId> {
        let mut found = None;
        for (i, h) in self.personal_infosets().iter().enumerate() {
            if h.mover == Mover::Player(player) && h.label == label {
                if found.is_some() {
                    return None;
                }
                found = Some(InfosetId(i as u32));
            }
        }
        found
    }

    /// The player index of a player name.
    pub fn player_by_name(&self, name: &str) -> Option<usize> {
        self.players.iter().position(|p| p == name)
    }

    /// All outcomes.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// One outcome.
    pub fn outcome(&self, id: OutcomeId) -> &Outcome {
        &self.outcomes[id.index()]
    }

    /// Terminal nodes in preorder.
    pub fn terminals(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.infoset.is_none())
            .map(|(i, _)| NodeId(i as u32))
    }

    /// The payoffs of a node's own outcome (zeros if it has none).
    pub fn node_payoffs(&self, id: NodeId) -> Vec<f64> {
        match self.nodes[id.index()].outcome {
            Some(o) => self.outcomes[o.index()]
                .payoffs
                .iter()
                .map(Number::value)
                .collect(),
            None => vec![0.0; self.players.len()],
        }
    }

    /// The payoffs at a node summed along the path from the root (Gambit's rule for outcomes on
    /// non-terminal nodes); at a terminal node, what each player gets when play ends there.
    pub fn path_payoffs(&self, id: NodeId) -> Vec<f64> {
        let mut total = vec![0.0; self.players.len()];
        let mut cur = Some(id);
        while let Some(n) = cur {
            let node = &self.nodes[n.index()];
            if let Some(o) = node.outcome {
                for (t, p) in total.iter_mut().zip(&self.outcomes[o.index()].payoffs) {
                    *t += p.value();
                }
            }
            cur = node.parent;
        }
        total
    }

    /// The actions taken from the root to a node, as (information set, action) pairs.
    pub fn path_to(&self, id: NodeId) -> Vec<(InfosetId, usize)> {
        let mut path = Vec::new();
        let mut cur = id;
        while let Some(p) = self.nodes[cur.index()].parent {
            let h = self.nodes[p.index()]
                .infoset
                .expect("a parent has an information set");
            path.push((h, self.nodes[cur.index()].action_in_parent as usize));
            cur = p;
        }
        path.reverse();
        path
    }

    /// Does every personal information set hold a single node?
    pub fn is_perfect_information(&self) -> bool {
        self.personal_infosets().iter().all(|h| h.nodes.len() == 1)
    }

    /// Per-node payoff of the node's own outcome, flattened (`num_nodes × num_players`), or
    /// `None` if no node has an outcome — used by the solvers to avoid indirection.
    pub(crate) fn flat_node_payoffs(&self) -> Vec<f64> {
        let np = self.players.len();
        let outcome_values: Vec<f64> = self
            .outcomes
            .iter()
            .flat_map(|o| o.payoffs.iter().map(Number::value))
            .collect();
        let mut out = vec![0.0; self.nodes.len() * np];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(o) = node.outcome {
                let src = &outcome_values[o.index() * np..(o.index() + 1) * np];
                out[i * np..(i + 1) * np].copy_from_slice(src);
            }
        }
        out
    }
}
