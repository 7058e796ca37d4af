//! The npm build's global allocator: segregated free lists, one per power-of-two size.
//!
//! An allocation takes a block of the smallest power of two that holds it (8 bytes at
//! least): the head of that size's free list, else fresh memory cut from the end of the
//! heap, which grows the wasm's memory when it runs out. A freed block goes to the head of
//! its size's list. Both are a few instructions whatever is live (a run to many keeps one
//! request per item), and the code is a fraction of a general allocator's.
//!
//! What it trades: a block is up to twice what was asked for, and a freed block is reused
//! only for its own size, never split or merged. The package's allocations repeat in size
//! from send to send and run to run, so its memory reaches a plateau (`make soak` holds it
//! flat) instead of growing with the number of calls.
//!
//! Single-threaded: wasm32 without atomics (`src/wasm/mod.rs` installs it only there).
//! The memory it cuts blocks from is a [`Memory`]: the wasm's own ([`WasmMemory`]), or in
//! the native tests below an arena that grows the same way.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::ptr::null_mut;

/// Blocks up to 2^30 bytes (a wasm32 memory holds at most 4 GiB).
const CLASSES: usize = 31;
/// The alignment every block of 16 bytes or more has (the largest any of the package's
/// types asks for; smaller blocks are aligned to their size); a request for more is served
/// from fresh memory only.
const ALIGN: usize = 16;
/// The least the memory grows by at a time, in 64 KiB pages: one, so that a size class
/// reaching a new peak takes a page, not more (the soak's bound is two pages after its
/// warm-up; with four at a time a process settled 0.25 MiB higher).
const MIN_GROW: usize = 1;
const PAGE: usize = 1 << 16;

/// Where an allocator's blocks come from: a memory that grows at its end by 64 KiB pages,
/// as a wasm memory does.
pub trait Memory {
    /// Where the heap begins, and where the memory ends now (bytes).
    fn bounds(&self) -> (usize, usize);
    /// Grows the memory by `pages`: where the new pages begin (the memory's end before
    /// this grow, which is past the allocator's end if something else grew it since), or
    /// `None` when it cannot grow.
    fn grow(&self, pages: usize) -> Option<usize>;
}

/// The wasm's memory 0, its heap starting at the linker's `__heap_base`.
#[cfg(target_arch = "wasm32")]
#[derive(Debug)]
pub struct WasmMemory;

#[cfg(target_arch = "wasm32")]
impl Memory for WasmMemory {
    fn bounds(&self) -> (usize, usize) {
        extern "C" {
            static __heap_base: u8;
        }
        // The linker's symbol for where the heap begins; only its address is taken.
        (
            core::ptr::addr_of!(__heap_base) as usize,
            core::arch::wasm32::memory_size(0).saturating_mul(PAGE),
        )
    }

    fn grow(&self, pages: usize) -> Option<usize> {
        let old = core::arch::wasm32::memory_grow(0, pages);
        (old != usize::MAX).then(|| old * PAGE)
    }
}

/// See the module's docs.
pub struct Segregated<M> {
    /// The first free block of each size (0: none); a free block's first word is the next.
    free: [Cell<usize>; CLASSES],
    /// Where fresh memory starts, and where the memory ends (0 until the first allocation).
    next: Cell<usize>,
    end: Cell<usize>,
    memory: M,
}

// SAFETY: the wasm's allocator, installed only where there is one thread (the npm build
// refuses the `atomics` target feature).
#[cfg(target_arch = "wasm32")]
unsafe impl Sync for Segregated<WasmMemory> {}

impl<M: Memory> Segregated<M> {
    /// An allocator with nothing allocated, on `memory`.
    pub const fn new(memory: M) -> Self {
        #[allow(clippy::declare_interior_mutable_const)]
        const EMPTY: Cell<usize> = Cell::new(0);
        Segregated {
            free: [EMPTY; CLASSES],
            next: Cell::new(0),
            end: Cell::new(0),
            memory,
        }
    }

    /// Fresh memory of `size` bytes at `align`, growing the memory if needed.
    fn fresh(&self, size: usize, align: usize) -> *mut u8 {
        if self.end.get() == 0 {
            let (heap, end) = self.memory.bounds();
            self.next.set(heap);
            self.end.set(end);
        }
        let start = |from: usize| from.checked_add(align - 1).map(|a| a & !(align - 1));
        let mut at = start(self.next.get());
        if at
            .and_then(|a| a.checked_add(size))
            .is_none_or(|e| e > self.end.get())
        {
            let Some(need) = size.checked_add(align) else {
                return null_mut();
            };
            let pages = need.div_ceil(PAGE).max(MIN_GROW);
            let Some(base) = self.memory.grow(pages) else {
                return null_mut();
            };
            // The memory grows at its end: what was left before it joins the new pages.
            if base != self.end.get() {
                self.next.set(base);
            }
            self.end
                .set(base.saturating_add(pages.saturating_mul(PAGE)));
            at = start(self.next.get());
        }
        match at {
            Some(a) if a + size <= self.end.get() => {
                self.next.set(a + size);
                a as *mut u8
            }
            _ => null_mut(),
        }
    }
}

impl<M> core::fmt::Debug for Segregated<M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Segregated")
    }
}

/// The size class of `layout`: its block is `1 << class` bytes.
fn class(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(8);
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

// SAFETY: each block is handed out once until it is freed, is at least `layout.size()`
// bytes and aligned to `ALIGN` or its own size, whichever is less (or, above `ALIGN`, to
// the layout's own alignment), which is at least the alignment of any layout of its class
// up to `ALIGN` (an alignment is at most its size); a freed block is only ever reused for
// its own size class.
unsafe impl<M: Memory> GlobalAlloc for Segregated<M> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let class = class(&layout);
        let Some(head) = self.free.get(class) else {
            return null_mut();
        };
        if layout.align() <= ALIGN && head.get() != 0 {
            let block = head.get();
            // SAFETY: a free block of this class, whose first word `dealloc` wrote.
            head.set(unsafe { *(block as *const usize) });
            return block as *mut u8;
        }
        self.fresh(1 << class, layout.align().max(ALIGN.min(1 << class)))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(head) = self.free.get(class(&layout)) {
            // SAFETY: the caller gives back a block this allocator made for `layout`, at
            // least 8 bytes and aligned for a word.
            unsafe { *(ptr as *mut usize) = head.get() };
            head.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's layout, its size changed (GlobalAlloc's contract keeps it valid).
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(&new) == class(&layout) {
            return ptr;
        }
        // SAFETY: as `alloc`; the old block is copied, then freed.
        unsafe {
            let to = self.alloc(new);
            if !to.is_null() {
                core::ptr::copy_nonoverlapping(ptr, to, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            to
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::RefCell;
    use proptest::prelude::*;
    use std::vec::Vec;

    /// A memory that behaves as a wasm's: `max` pages reserved at a page-aligned address,
    /// the first `pages` of them in use, the heap starting `heap_at` bytes in (the
    /// linker's `__heap_base` need not be aligned). `foreign` pages are taken by
    /// something else at the next grow, as JavaScript growing the wasm's memory would.
    struct Arena {
        base: usize,
        heap_at: usize,
        pages: Cell<usize>,
        max: usize,
        foreign: Cell<usize>,
        /// The ranges something else took.
        taken: RefCell<Vec<(usize, usize)>>,
    }

    impl Arena {
        fn new(pages: usize, max: usize) -> Self {
            let layout = Layout::from_size_align(max * PAGE, PAGE).unwrap();
            // SAFETY: a layout of non-zero size.
            let base = unsafe { std::alloc::alloc(layout) } as usize;
            assert_ne!(base, 0);
            Arena {
                base,
                heap_at: 1_234,
                pages: Cell::new(pages),
                max,
                foreign: Cell::new(0),
                taken: RefCell::new(Vec::new()),
            }
        }

        fn end(&self) -> usize {
            self.base + self.pages.get() * PAGE
        }
    }

    impl Drop for Arena {
        fn drop(&mut self) {
            let layout = Layout::from_size_align(self.max * PAGE, PAGE).unwrap();
            // SAFETY: the block `new` allocated with this layout.
            unsafe { std::alloc::dealloc(self.base as *mut u8, layout) };
        }
    }

    impl Memory for &Arena {
        fn bounds(&self) -> (usize, usize) {
            (self.base + self.heap_at, self.end())
        }

        fn grow(&self, pages: usize) -> Option<usize> {
            let other = self.foreign.replace(0);
            if other > 0 && self.pages.get() + other <= self.max {
                self.taken
                    .borrow_mut()
                    .push((self.end(), self.end() + other * PAGE));
                self.pages.set(self.pages.get() + other);
            }
            if self.pages.get() + pages > self.max {
                return None;
            }
            let old = self.end();
            self.pages.set(self.pages.get() + pages);
            Some(old)
        }
    }

    /// A live block: where, its layout, and the byte it was filled with.
    type Live = (usize, Layout, u8);

    /// What `alloc` or `realloc` returned holds: not null, aligned, inside the heap, clear
    /// of every other live block and of what something else took.
    fn check_block(arena: &Arena, live: &[Live], at: usize, layout: Layout) {
        assert_ne!(at, 0, "{layout:?}: out of memory in a 512-page arena");
        assert_eq!(at % layout.align(), 0, "{layout:?} at {at:#x}: misaligned");
        assert!(at >= arena.base + arena.heap_at, "below the heap");
        assert!(at + layout.size() <= arena.end(), "past the memory's end");
        let overlaps = |(a, n): (usize, usize)| at < a + n && a < at + layout.size();
        for &(other, l, _) in live {
            assert!(
                !overlaps((other, l.size())),
                "{at:#x} overlaps a live block at {other:#x}"
            );
        }
        for &(from, to) in arena.taken.borrow().iter() {
            assert!(
                !overlaps((from, to - from)),
                "{at:#x} is in memory something else took"
            );
        }
    }

    fn fill(at: usize, len: usize, byte: u8) {
        // SAFETY: a live block of at least `len` bytes.
        unsafe { core::ptr::write_bytes(at as *mut u8, byte, len) };
    }

    fn holds(at: usize, len: usize, byte: u8) -> bool {
        // SAFETY: a live block of at least `len` bytes, filled before.
        unsafe { core::slice::from_raw_parts(at as *const u8, len) }
            .iter()
            .all(|&b| b == byte)
    }

    #[derive(Debug, Clone)]
    enum Op {
        Alloc(usize, usize),
        Free(usize),
        Realloc(usize, usize),
        /// Something else grows the memory by this many pages before the next grow.
        Foreign(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let size = prop_oneof![8 => 1usize..300, 3 => 300usize..5_000, 1 => 5_000usize..140_000];
        prop_oneof![
            6 => (size.clone(), 0usize..7).prop_map(|(s, a)| Op::Alloc(s, 1 << a)),
            4 => any::<usize>().prop_map(Op::Free),
            3 => (any::<usize>(), size).prop_map(|(i, s)| Op::Realloc(i, s)),
            1 => (1usize..3).prop_map(Op::Foreign),
        ]
    }

    proptest! {
        #[test]
        /// Any sequence of allocations, frees and reallocations (alignments 1 to 64, sizes
        /// up to a few pages, the memory grown by something else between them): each block
        /// is aligned, inside the heap, clear of every live block and of what something
        /// else took, and keeps its bytes until it is freed (a reallocated block its first
        /// bytes).
        fn blocks_are_aligned_disjoint_inside_the_heap_and_keep_their_bytes(ops in proptest::collection::vec(op(), 1..120)) {
            let arena = Arena::new(1, 512);
            let heap = Segregated::new(&arena);
            let mut live: Vec<Live> = Vec::new();
            let mut next_byte = 0u8;
            for op in ops {
                next_byte = next_byte.wrapping_add(1);
                match op {
                    Op::Alloc(size, align) => {
                        let layout = Layout::from_size_align(size, align).unwrap();
                        // SAFETY: a layout of non-zero size.
                        let at = unsafe { heap.alloc(layout) } as usize;
                        check_block(&arena, &live, at, layout);
                        fill(at, size, next_byte);
                        live.push((at, layout, next_byte));
                    }
                    Op::Free(i) if !live.is_empty() => {
                        let (at, layout, byte) = live.swap_remove(i % live.len());
                        prop_assert!(holds(at, layout.size(), byte), "a block changed before it was freed");
                        // SAFETY: a live block of this layout.
                        unsafe { heap.dealloc(at as *mut u8, layout) };
                    }
                    Op::Realloc(i, size) if !live.is_empty() => {
                        let (at, layout, byte) = live.swap_remove(i % live.len());
                        prop_assert!(holds(at, layout.size(), byte));
                        // SAFETY: a live block of this layout, a non-zero size.
                        let to = unsafe { heap.realloc(at as *mut u8, layout, size) } as usize;
                        let new = Layout::from_size_align(size, layout.align()).unwrap();
                        check_block(&arena, &live, to, new);
                        prop_assert!(holds(to, layout.size().min(size), byte), "realloc lost the block's bytes");
                        fill(to, size, byte);
                        live.push((to, new, byte));
                    }
                    Op::Foreign(pages) => arena.foreign.set(pages),
                    Op::Free(_) | Op::Realloc(..) => {}
                }
            }
            for &(at, layout, byte) in &live {
                prop_assert!(holds(at, layout.size(), byte), "a live block changed");
            }
        }
    }

    #[test]
    fn a_repeated_workload_grows_the_memory_only_the_first_time() {
        let arena = Arena::new(1, 512);
        let heap = Segregated::new(&arena);
        let sizes = [24usize, 100, 7, 4_000, 64, 33_000, 513, 16, 90_000, 1];
        let round = || {
            let blocks: Vec<(usize, Layout)> = sizes
                .iter()
                .map(|&s| {
                    let layout = Layout::from_size_align(s, 8).unwrap();
                    // SAFETY: a layout of non-zero size.
                    (unsafe { heap.alloc(layout) } as usize, layout)
                })
                .collect();
            for (at, layout) in blocks {
                assert_ne!(at, 0);
                // SAFETY: a live block of this layout.
                unsafe { heap.dealloc(at as *mut u8, layout) };
            }
        };
        round();
        let pages = arena.pages.get();
        for _ in 0..50 {
            round();
        }
        assert_eq!(arena.pages.get(), pages, "the same work took more memory");
    }

    #[test]
    fn a_freed_block_is_the_next_one_of_its_size_class() {
        let arena = Arena::new(1, 512);
        let heap = Segregated::new(&arena);
        let small = Layout::from_size_align(20, 4).unwrap();
        let same_class = Layout::from_size_align(32, 8).unwrap();
        // SAFETY: layouts of non-zero size; each block freed once.
        unsafe {
            let a = heap.alloc(small);
            heap.dealloc(a, small);
            assert_eq!(heap.alloc(same_class), a);
            // Within its class, a reallocation keeps the block where it is.
            assert_eq!(heap.realloc(a, same_class, 25), a);
        }
    }

    #[test]
    fn out_of_memory_is_null_and_the_allocator_stays_usable() {
        let arena = Arena::new(1, 3);
        let heap = Segregated::new(&arena);
        let big = Layout::from_size_align(3 * PAGE, 8).unwrap();
        let small = Layout::from_size_align(100, 8).unwrap();
        // SAFETY: layouts of non-zero size; each block freed once.
        unsafe {
            let a = heap.alloc(small);
            assert!(!a.is_null());
            assert!(
                heap.alloc(big).is_null(),
                "three pages do not fit in a memory of three"
            );
            assert!(heap.realloc(a, small, 3 * PAGE).is_null());
            // The block a failed reallocation leaves is still the caller's, intact.
            heap.dealloc(a, small);
            assert_eq!(heap.alloc(small), a);
            let huge = Layout::from_size_align(isize::MAX as usize & !7, 8).unwrap();
            assert!(heap.alloc(huge).is_null());
        }
    }

    #[test]
    fn alignment_above_sixteen_comes_from_fresh_memory_aligned() {
        let arena = Arena::new(1, 512);
        let heap = Segregated::new(&arena);
        let wide = Layout::from_size_align(64, 64).unwrap();
        let narrow = Layout::from_size_align(64, 8).unwrap();
        // SAFETY: layouts of non-zero size; each block freed once.
        unsafe {
            let n = heap.alloc(narrow);
            heap.dealloc(n, narrow);
            // A free block of the class is aligned to 16 only: not handed out for 64.
            let w = heap.alloc(wide);
            assert_eq!(w as usize % 64, 0);
            assert_ne!(w, n);
            let page = Layout::from_size_align(10, PAGE).unwrap();
            assert_eq!(heap.alloc(page) as usize % PAGE, 0);
        }
    }
}
