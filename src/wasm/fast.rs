//! The validation fast path's input: `pkg-template/src/fast.js` writes a body's string
//! fields as UTF-8 straight into a [`Scratch`] buffer in the wasm's memory (no JS call per
//! field, no allocation or copy a call); `validate` decides it with
//! `connectsafely_scan::fields::validate_joined`, and `send` reads it into the core's
//! [`Fields`](crate::validate::Fields) with `connectsafely_scan::fields::read_joined`.
//!
//! The buffer holds `accountId`, `recipientProfileUrn`, `groupId`, `message`, then each
//! `messageUrns` entry, separated by NUL. An absent `accountId` is empty with `account`
//! false; absent `messageUrns` is `urns` < 0. A field holding a NUL splits into more
//! parts than there are fields, so it takes the full path (as any body the fast path
//! does not decide).

#[allow(unused_imports)]
use crate::prelude::*;

/// A buffer of the wasm's memory that JS writes a body's fields into: `at` gives its
/// address, where JS makes a `Uint8Array` view of the memory, valid until the next `at`
/// with a larger `cap` or until the memory grows (a grown memory detaches every view of
/// it, whose length then reads 0: `fast.js` asks again).
#[derive(Debug, Default)]
pub(super) struct Scratch(Vec<u8>);

impl Scratch {
    /// An empty buffer.
    pub(super) const fn new() -> Self {
        Scratch(Vec::new())
    }

    /// The address of at least `cap` bytes of the buffer.
    pub(super) fn at(&mut self, cap: usize) -> usize {
        if self.0.len() < cap {
            self.0 = vec![0; cap];
        }
        self.0.as_ptr() as usize
    }

    /// The first `len` bytes JS wrote.
    pub(super) fn bytes(&self, len: usize) -> Option<&[u8]> {
        self.0.get(..len)
    }
}
