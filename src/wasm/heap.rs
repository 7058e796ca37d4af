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

/// See the module's docs.
pub struct Segregated {
    /// The first free block of each size (0: none); a free block's first word is the next.
    free: [Cell<usize>; CLASSES],
    /// Where fresh memory starts, and where the memory ends (0 until the first allocation).
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: installed only where there is one thread (wasm32 without atomics).
unsafe impl Sync for Segregated {}

impl Segregated {
    /// An allocator with nothing allocated.
    pub const fn new() -> Self {
        #[allow(clippy::declare_interior_mutable_const)]
        const EMPTY: Cell<usize> = Cell::new(0);
        Segregated {
            free: [EMPTY; CLASSES],
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }

    /// Fresh memory of `size` bytes at `align`, growing the wasm's memory if needed.
    fn fresh(&self, size: usize, align: usize) -> *mut u8 {
        if self.end.get() == 0 {
            extern "C" {
                static __heap_base: u8;
            }
            // The linker's symbol for where the heap begins; only its address is taken.
            self.next.set(core::ptr::addr_of!(__heap_base) as usize);
            self.end
                .set(core::arch::wasm32::memory_size(0).saturating_mul(PAGE));
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
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            let base = old * PAGE;
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

impl Default for Segregated {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Segregated {
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
unsafe impl GlobalAlloc for Segregated {
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
