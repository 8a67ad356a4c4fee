//! Decodes a file from a stream and reports peak heap use: `decode_only FILE`.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = NOW.fetch_add(l.size(), Ordering::Relaxed) + l.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        NOW.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let now = NOW.fetch_add(new, Ordering::Relaxed) + new;
        PEAK.fetch_max(now, Ordering::Relaxed);
        NOW.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    let path = std::env::args().nth(1).expect("usage: decode_only FILE");
    let f = std::io::BufReader::new(std::fs::File::open(&path).expect("open"));
    let p = proflens_core::decode_reader(f, &Default::default()).expect("decode");
    let after_decode = NOW.load(Ordering::Relaxed);
    let peak_decode = PEAK.load(Ordering::Relaxed);
    let r = proflens_core::report::top(&p, &Default::default()).expect("top");
    println!(
        "samples {} rows {} tree {} MB; heap after decode {} MB, peak in decode {} MB, peak overall {} MB",
        p.samples.len(),
        r.rows.len(),
        p.stacks.heap_bytes() >> 20,
        after_decode >> 20,
        peak_decode >> 20,
        PEAK.load(Ordering::Relaxed) >> 20
    );
}
