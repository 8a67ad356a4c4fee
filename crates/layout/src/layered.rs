//! The layered graph: real nodes, dummy nodes of long edges and label nodes,
//! with segments between adjacent layers only.

/// What a layered node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An input node (its global index).
    Real(usize),
    /// A bend point of a long edge (the input edge's index).
    Dummy(usize),
    /// The label box of an edge (the input edge's index).
    Label(usize),
}

impl Kind {
    /// True for dummy and label nodes: the inner points of an edge's chain.
    pub fn is_virtual(self) -> bool {
        !matches!(self, Kind::Real(_))
    }
}

/// A neighbour across one segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Adj {
    pub node: usize,
    pub seg: usize,
}

/// A piece of an edge between two adjacent layers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seg {
    pub upper: usize,
    pub lower: usize,
    /// Quantised weight of the input edge (1..=1000).
    pub weight: i64,
    /// Index of the input edge.
    pub edge: usize,
}

/// A proper layered graph: every segment joins layer `r` to layer `r + 1`.
#[derive(Clone, Debug, Default)]
pub(crate) struct LGraph {
    pub kind: Vec<Kind>,
    pub rank: Vec<usize>,
    /// Extent to the left of the node's anchor (where edges pass).
    pub left: Vec<f64>,
    /// Extent to the right of the node's anchor.
    pub right: Vec<f64>,
    /// Height the node needs in its layer.
    pub height: Vec<f64>,
    /// Neighbours in the layer above, per node (while building).
    up_lists: Vec<Vec<Adj>>,
    /// Neighbours in the layer below, per node (while building).
    down_lists: Vec<Vec<Adj>>,
    /// After `freeze`: all neighbours above, node by node, and where each
    /// node's run starts (likewise below).
    up_adj: Vec<Adj>,
    up_start: Vec<usize>,
    down_adj: Vec<Adj>,
    down_start: Vec<usize>,
    pub segs: Vec<Seg>,
    /// Number of layers (highest rank + 1).
    pub layer_count: usize,
}

impl LGraph {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.kind.len()
    }

    pub fn add_node(&mut self, kind: Kind, rank: usize, left: f64, right: f64, height: f64) -> usize {
        self.kind.push(kind);
        self.rank.push(rank);
        self.left.push(left);
        self.right.push(right);
        self.height.push(height);
        self.up_lists.push(Vec::new());
        self.down_lists.push(Vec::new());
        self.layer_count = self.layer_count.max(rank + 1);
        self.kind.len() - 1
    }

    pub fn add_segment(&mut self, upper: usize, lower: usize, weight: i64, edge: usize) {
        let seg = self.segs.len();
        self.segs.push(Seg { upper, lower, weight, edge });
        self.down_lists[upper].push(Adj { node: lower, seg });
        self.up_lists[lower].push(Adj { node: upper, seg });
    }

    /// Packs the neighbour lists into flat arrays; call once all nodes and
    /// segments are in.
    pub fn freeze(&mut self) {
        fn pack(lists: &mut Vec<Vec<Adj>>, adj: &mut Vec<Adj>, start: &mut Vec<usize>) {
            adj.clear();
            start.clear();
            start.push(0);
            for l in lists.iter() {
                adj.extend_from_slice(l);
                start.push(adj.len());
            }
            *lists = Vec::new();
        }
        pack(&mut self.up_lists, &mut self.up_adj, &mut self.up_start);
        pack(&mut self.down_lists, &mut self.down_adj, &mut self.down_start);
    }

    /// Neighbours of `v` in the layer above (after `freeze`).
    #[inline]
    pub fn up(&self, v: usize) -> &[Adj] {
        &self.up_adj[self.up_start[v]..self.up_start[v + 1]]
    }

    /// Neighbours of `v` in the layer below (after `freeze`).
    #[inline]
    pub fn down(&self, v: usize) -> &[Adj] {
        &self.down_adj[self.down_start[v]..self.down_start[v + 1]]
    }

    /// True for a segment between two virtual nodes (an inner segment of a
    /// long edge).
    pub fn is_inner(&self, seg: usize) -> bool {
        let s = self.segs[seg];
        self.kind[s.upper].is_virtual() && self.kind[s.lower].is_virtual()
    }
}
