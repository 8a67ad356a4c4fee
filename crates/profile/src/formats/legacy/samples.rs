//! The samples of a legacy profile, stored flat (all addresses in one
//! vector, all values in another): a text or binary legacy profile can hold
//! millions of tiny samples, and a vector per sample would cost several
//! times the input.

/// One sample as a parser reads it: its addresses (leaf first, already
/// adjusted as pprof adjusts them), one value per sample type, and the
/// heap block size pprof records as the numeric label `bytes`.
#[derive(Debug)]
pub(crate) struct Sample {
    pub addresses: Vec<u64>,
    pub values: Vec<i64>,
    pub block_size: Option<i64>,
}

/// Samples with a fixed number of values each.
pub(crate) struct Samples {
    width: usize,
    /// Where each sample's addresses start, and one more for the end.
    starts: Vec<usize>,
    addresses: Vec<u64>,
    values: Vec<i64>,
    /// One per sample when the samples have block sizes, else none.
    block_sizes: Vec<i64>,
}

impl Samples {
    /// No samples yet, `width` values each.
    pub fn new(width: usize) -> Samples {
        Samples { width, starts: vec![0], addresses: Vec::new(), values: Vec::new(), block_sizes: Vec::new() }
    }

    /// Appends a sample; its values are cut or padded with zeros to the width.
    pub fn push(&mut self, s: Sample) {
        self.addresses.extend_from_slice(&s.addresses);
        self.starts.push(self.addresses.len());
        let n = s.values.len().min(self.width);
        self.values.extend_from_slice(&s.values[..n]);
        self.values.resize(self.values.len() + (self.width - n), 0);
        if let Some(b) = s.block_size {
            // Earlier samples without one get 0 (parsers give all or none).
            self.block_sizes.resize(self.len() - 1, 0);
            self.block_sizes.push(b);
        }
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The addresses of sample `i`, leaf first.
    pub fn addresses(&self, i: usize) -> &[u64] {
        &self.addresses[self.starts[i]..self.starts[i + 1]]
    }

    /// The values of sample `i`.
    pub fn values(&self, i: usize) -> &[i64] {
        &self.values[i * self.width..(i + 1) * self.width]
    }

    /// The block size of sample `i`, when the samples have them.
    pub fn block_size(&self, i: usize) -> Option<i64> {
        self.block_sizes.get(i).copied()
    }

    /// Adds one to the first value of the last sample, if any.
    pub fn count_again_last(&mut self) {
        if self.len() > 0 && self.width > 0 {
            let i = (self.len() - 1) * self.width;
            self.values[i] = crate::gomath::add(self.values[i], 1);
        }
    }

    /// Rewrites every stack with `f`, which may only remove frames (added
    /// ones are cut off), in one pass over the addresses.
    pub fn rewrite_stacks(&mut self, mut f: impl FnMut(&mut Vec<u64>)) {
        let mut stack = Vec::new();
        let mut write = 0;
        for i in 0..self.len() {
            stack.clear();
            stack.extend_from_slice(&self.addresses[self.starts[i]..self.starts[i + 1]]);
            f(&mut stack);
            // Stacks only shrink, so the write position never passes the
            // read position.
            stack.truncate(self.starts[i + 1] - self.starts[i]);
            self.addresses[write..write + stack.len()].copy_from_slice(&stack);
            self.starts[i] = write;
            write += stack.len();
        }
        let n = self.len();
        self.starts[n] = write;
        self.addresses.truncate(write);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_samples() {
        let mut s = Samples::new(2);
        s.push(Sample { addresses: vec![1, 2, 3], values: vec![5, 6], block_size: None });
        s.push(Sample { addresses: vec![], values: vec![7], block_size: None });
        s.push(Sample { addresses: vec![4, 2], values: vec![8, 9, 10], block_size: None });
        assert_eq!(
            (s.len(), s.addresses(2), s.values(1), s.values(2)),
            (3, &[4, 2][..], &[7, 0][..], &[8, 9][..])
        );
        s.rewrite_stacks(|st| st.retain(|&a| a != 2));
        assert_eq!((s.addresses(0), s.addresses(1), s.addresses(2)), (&[1, 3][..], &[][..], &[4][..]));
        s.count_again_last();
        assert_eq!(s.values(2), [9, 9]);
        assert_eq!(s.block_size(0), None);
    }
}
