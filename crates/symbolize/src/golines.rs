//! Go's line table (`.gopclntab`, Go 1.18+ layouts), read as `go tool
//! pprof` reads it (debug/gosym): the physical function containing a PC,
//! and the file and line of the innermost inlined position there. Layout
//! facts from Go's debug/gosym/pclntab.go; every read is bounds-checked, so
//! a damaged table answers "no function" instead of panicking.

/// The table's header fields that lookups need.
pub(crate) struct GoLineTable<'a> {
    big_endian: bool,
    quantum: u32,
    text_start: u64,
    nfunctab: usize,
    funcnametab: &'a [u8],
    cutab: &'a [u8],
    filetab: &'a [u8],
    pctab: &'a [u8],
    /// Starts at the function table; function data offsets are relative
    /// to it too.
    funcdata: &'a [u8],
}

/// What a PC resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GoFrame {
    pub function: String,
    pub file: String,
    pub line: i64,
}

const GO118_MAGIC: u32 = 0xffff_fff0;
const GO120_MAGIC: u32 = 0xffff_fff1;

impl<'a> GoLineTable<'a> {
    /// Parses the header of `data`; `text_start` is the address of
    /// `runtime.text` (or of `.text`). None for layouts older than Go 1.18
    /// or a header that does not hold together.
    pub(crate) fn parse(data: &'a [u8], text_start: u64) -> Option<Self> {
        if data.len() < 16 || data[4] != 0 || data[5] != 0 {
            return None;
        }
        let quantum = u32::from(data[6]);
        let ptrsize = usize::from(data[7]);
        if !matches!(quantum, 1 | 2 | 4) || !matches!(ptrsize, 4 | 8) {
            return None;
        }
        let le = u32::from_le_bytes(data[..4].try_into().ok()?);
        let be = u32::from_be_bytes(data[..4].try_into().ok()?);
        let big_endian = if le == GO118_MAGIC || le == GO120_MAGIC {
            false
        } else if be == GO118_MAGIC || be == GO120_MAGIC {
            true
        } else {
            return None;
        };
        let word = |i: usize| -> Option<u64> { read_uint(data, 8 + i * ptrsize, ptrsize, big_endian) };
        let from = |i: usize| -> Option<&'a [u8]> { data.get(usize::try_from(word(i)?).ok()?..) };
        let nfunctab = usize::try_from(word(0)?).ok()?;
        let funcdata = from(7)?;
        // nfunctab pairs of (entry, offset) plus the end PC, 4 bytes each.
        if nfunctab.checked_mul(8)?.checked_add(4)? > funcdata.len() {
            return None;
        }
        Some(GoLineTable {
            big_endian,
            quantum,
            text_start,
            nfunctab,
            funcnametab: from(3)?,
            cutab: from(4)?,
            filetab: from(5)?,
            pctab: from(6)?,
            funcdata,
        })
    }

    fn u32_at(&self, bytes: &[u8], off: usize) -> Option<u32> {
        read_uint(bytes, off, 4, self.big_endian).map(|v| v as u32)
    }

    /// The PC of function table entry `i` (i == nfunctab: the end).
    fn entry_pc(&self, i: usize) -> Option<u64> {
        Some(u64::from(self.u32_at(self.funcdata, 2 * i * 4)?).wrapping_add(self.text_start))
    }

    /// The function containing `pc`, as debug/gosym's `PCToFunc`: the last
    /// entry at or below `pc`, below the next entry's start.
    fn find(&self, pc: u64) -> Option<usize> {
        if self.nfunctab == 0 || pc < self.entry_pc(0)? || pc >= self.entry_pc(self.nfunctab)? {
            return None;
        }
        let (mut lo, mut hi) = (0, self.nfunctab);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.entry_pc(mid)? > pc {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo.checked_sub(1)
    }

    /// Field `n` (1-based, 4 bytes each after the 4-byte entry offset) of
    /// function `i`'s `_func` record.
    fn field(&self, func: &[u8], n: usize) -> Option<u32> {
        self.u32_at(func, 4 + (n - 1) * 4)
    }

    /// Names `pc`: the function, and the file and line of the innermost
    /// position (Go's table records the inlined callee's file and line).
    pub(crate) fn lookup(&self, pc: u64) -> Option<GoFrame> {
        let i = self.find(pc)?;
        let func_off = usize::try_from(self.u32_at(self.funcdata, (2 * i + 1) * 4)?).ok()?;
        let func = self.funcdata.get(func_off..)?;
        let entry = u64::from(self.u32_at(func, 0)?).wrapping_add(self.text_start);
        let function = c_string(self.funcnametab, self.field(func, 1)? as usize)?;
        let line = self.pc_value(self.field(func, 6)?, entry, pc).map_or(-1, i64::from);
        let file = self.file(func, entry, pc).unwrap_or_default();
        Some(GoFrame { function, file, line })
    }

    fn file(&self, func: &[u8], entry: u64, pc: u64) -> Option<String> {
        let fno = self.pc_value(self.field(func, 5)?, entry, pc)?;
        let cu = self.field(func, 8)?;
        let index = usize::try_from(cu.checked_add(u32::try_from(fno).ok()?)?).ok()?;
        let off = self.u32_at(self.cutab, index.checked_mul(4)?)?;
        if off == u32::MAX {
            return None;
        }
        c_string(self.filetab, off as usize)
    }

    /// The value a pc-value table at `off` gives `target` (gosym's
    /// `pcvalue`): None where the table ends before `target`.
    fn pc_value(&self, off: u32, entry: u64, target: u64) -> Option<i32> {
        let mut p = self.pctab.get(off as usize..)?;
        let mut val: i32 = -1;
        let mut pc = entry;
        loop {
            // As gosym: a zero delta ends the table except at the entry.
            let first = pc == entry;
            let uvdelta = read_varint(&mut p)?;
            if uvdelta == 0 && !first {
                return None;
            }
            let vdelta = if uvdelta & 1 != 0 { !(uvdelta >> 1) } else { uvdelta >> 1 } as i32;
            let pcdelta = read_varint(&mut p)?.wrapping_mul(self.quantum);
            pc = pc.wrapping_add(u64::from(pcdelta));
            val = val.wrapping_add(vdelta);
            if target < pc {
                return Some(val);
            }
        }
    }
}

fn read_uint(data: &[u8], off: usize, size: usize, big_endian: bool) -> Option<u64> {
    let bytes = data.get(off..off.checked_add(size)?)?;
    let mut v = 0u64;
    for k in 0..size {
        let b = if big_endian { bytes[k] } else { bytes[size - 1 - k] };
        v = (v << 8) | u64::from(b);
    }
    Some(v)
}

fn read_varint(p: &mut &[u8]) -> Option<u32> {
    let mut v = 0u32;
    let mut shift = 0u32;
    loop {
        let (&b, rest) = p.split_first()?;
        *p = rest;
        v |= u32::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
        if shift > 35 {
            return None;
        }
    }
}

fn c_string(table: &[u8], off: usize) -> Option<String> {
    let rest = table.get(off..)?;
    let end = rest.iter().position(|&b| b == 0)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_no_table() {
        assert!(GoLineTable::parse(&[], 0).is_none());
        assert!(GoLineTable::parse(
            &[0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0],
            0
        )
        .is_none());
    }

    #[test]
    fn varints_and_deltas() {
        let mut p: &[u8] = &[0x96, 0x01, 0x02];
        assert_eq!(read_varint(&mut p), Some(150));
        assert_eq!(read_varint(&mut p), Some(2));
        assert_eq!(read_varint(&mut p), None);
    }
}
