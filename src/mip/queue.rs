//! The open nodes and the rule that picks the next one: best bound mixed with diving, depth-first when the
//! queue nears its memory cap.

use super::node::Node;
use std::collections::{BTreeMap, HashMap};

/// A key ordering nodes by bound, then by creation (deterministic ties).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
struct BoundKey(f64, u64);

impl Eq for BoundKey {}

#[allow(clippy::derive_ord_xor_partial_ord)]
impl Ord for BoundKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

/// The open nodes, indexed by bound and by depth.
#[derive(Debug, Default)]
pub struct NodeQueue {
    nodes: HashMap<u64, Node>,
    by_bound: BTreeMap<BoundKey, ()>,
    by_depth: BTreeMap<(u32, u64), ()>,
    bytes: usize,
}

impl NodeQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node.
    pub fn push(&mut self, node: Node) {
        self.bytes += node.memory_bytes();
        self.by_bound.insert(BoundKey(node.bound, node.id), ());
        self.by_depth.insert((node.depth, node.id), ());
        self.nodes.insert(node.id, node);
    }

    /// Removes a node by id.
    pub fn take(&mut self, id: u64) -> Option<Node> {
        let node = self.nodes.remove(&id)?;
        self.bytes = self.bytes.saturating_sub(node.memory_bytes());
        self.by_bound.remove(&BoundKey(node.bound, node.id));
        self.by_depth.remove(&(node.depth, node.id));
        Some(node)
    }

    /// Number of open nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no node is open.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Estimated memory held by the open nodes.
    pub fn memory_bytes(&self) -> usize {
        self.bytes
    }

    /// The smallest bound of an open node (`+inf` when empty).
    pub fn best_bound(&self) -> f64 {
        self.by_bound.keys().next().map(|k| k.0).unwrap_or(f64::INFINITY)
    }

    /// The id of the node with the best (smallest) bound.
    pub fn best(&self) -> Option<u64> {
        self.by_bound.keys().next().map(|k| k.1)
    }

    /// The id of the deepest node (latest created among the deepest).
    pub fn deepest(&self) -> Option<u64> {
        self.by_depth.keys().next_back().map(|k| k.1)
    }

    /// Removes every node whose bound is at least `cutoff`; returns how many.
    pub fn prune(&mut self, cutoff: f64) -> usize {
        let doomed: Vec<u64> = self
            .by_bound
            .range(BoundKey(cutoff, 0)..)
            .map(|(k, _)| k.1)
            .collect();
        for id in &doomed {
            self.take(*id);
        }
        doomed.len()
    }

    /// Removes and returns every open node, in creation order.
    pub fn drain(&mut self) -> Vec<Node> {
        let mut nodes: Vec<Node> = std::mem::take(&mut self.nodes).into_values().collect();
        nodes.sort_by_key(|n| n.id);
        self.by_bound.clear();
        self.by_depth.clear();
        self.bytes = 0;
        nodes
    }

    /// Bounds of all open nodes (for the parallel search's final bound).
    pub fn bounds(&self) -> impl Iterator<Item = f64> + '_ {
        self.by_bound.keys().map(|k| k.0)
    }
}

/// Chooses the next node to process.
pub trait NodeSelector: Send {
    /// Picks an open node. `children` are the nodes just created by the last branching (diving
    /// candidates); `incumbent` is the best known value to minimise (`+inf` when none).
    fn select(
        &mut self,
        queue: &NodeQueue,
        children: &[u64],
        incumbent: f64,
        memory_cap: usize,
    ) -> Option<u64>;
}

/// Best bound, diving into a child of the last node for a while (cheap warm starts, early incumbents),
/// and depth-first when the queue holds more than 80% of the memory cap.
#[derive(Debug, Clone)]
pub struct BestBoundDiving {
    /// The longest dive before returning to the best-bound node.
    pub max_dive: u32,
    /// Dive only into a child whose bound is within this fraction of the gap from the best bound.
    pub dive_gap_fraction: f64,
    dive_len: u32,
}

impl Default for BestBoundDiving {
    fn default() -> Self {
        BestBoundDiving {
            max_dive: 12,
            dive_gap_fraction: 0.5,
            dive_len: 0,
        }
    }
}

impl NodeSelector for BestBoundDiving {
    fn select(
        &mut self,
        queue: &NodeQueue,
        children: &[u64],
        incumbent: f64,
        memory_cap: usize,
    ) -> Option<u64> {
        if queue.memory_bytes() > memory_cap / 10 * 8 {
            return queue.deepest();
        }
        let best = queue.best_bound();
        if self.dive_len < self.max_dive {
            // The child with the better bound (lowest id on ties).
            let mut pick: Option<(f64, u64)> = None;
            for &c in children {
                if let Some(n) = queue.nodes.get(&c) {
                    if pick.is_none_or(|(b, _)| n.bound < b) {
                        pick = Some((n.bound, c));
                    }
                }
            }
            if let Some((b, id)) = pick {
                let threshold = if incumbent.is_finite() {
                    best + self.dive_gap_fraction * (incumbent - best)
                } else {
                    f64::INFINITY
                };
                if b <= threshold {
                    self.dive_len += 1;
                    return Some(id);
                }
            }
        }
        self.dive_len = 0;
        queue.best()
    }
}

/// Plain best-bound selection (no diving).
#[derive(Debug, Clone, Default)]
pub struct BestBound;

impl NodeSelector for BestBound {
    fn select(
        &mut self,
        queue: &NodeQueue,
        _children: &[u64],
        _incumbent: f64,
        memory_cap: usize,
    ) -> Option<u64> {
        if queue.memory_bytes() > memory_cap / 10 * 8 {
            return queue.deepest();
        }
        queue.best()
    }
}

/// Depth-first selection (feasibility tasks: reach leaves fast).
#[derive(Debug, Clone, Default)]
pub struct DepthFirst;

impl NodeSelector for DepthFirst {
    fn select(
        &mut self,
        queue: &NodeQueue,
        children: &[u64],
        _incumbent: f64,
        _memory_cap: usize,
    ) -> Option<u64> {
        let mut pick: Option<(f64, u64)> = None;
        for &c in children {
            if let Some(n) = queue.nodes.get(&c) {
                if pick.is_none_or(|(b, _)| n.bound < b) {
                    pick = Some((n.bound, c));
                }
            }
        }
        pick.map(|p| p.1).or_else(|| queue.deepest())
    }
}
