//! The validation fast path's input: `pkg-template/src/fast.js` writes a body's string
//! fields as UTF-8 straight into a [`Scratch`] buffer in the wasm's memory (no JS call per
//! field, no allocation or copy a call), and `validate` and `send` read it here into the
//! core's [`Fields`].
//!
//! The buffer holds `accountId`, `recipientProfileUrn`, `groupId`, `message`, then each
//! `messageUrns` entry, separated by NUL. An absent `accountId` is empty with `account`
//! false; absent `messageUrns` is `urns` < 0. A field holding a NUL splits into more
//! parts than there are fields, so it takes the full path (as any body the fast path
//! does not decide).

#[allow(unused_imports)]
use crate::prelude::*;

use crate::validate::{Fields, MAX_MESSAGE_URNS};

/// A buffer of the wasm's memory that JS writes a body's fields into: `at` gives its
/// address, where JS makes a `Uint8Array` view of the memory, valid until the next `at`
/// with a larger `cap` or until the memory grows (a grown memory detaches every view of
/// it, whose length then reads 0: `fast.js` asks again).
#[derive(Debug, Default)]
pub(super) struct Scratch(Vec<u8>);

impl Scratch {
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

/// The fields `buf` holds; `None` when it is not UTF-8 or does not split into exactly as
/// many parts.
pub(super) fn read(buf: &[u8], account: bool, urns: i32) -> Option<Fields<'_>> {
    let joined = core::str::from_utf8(buf).ok()?;
    let mut parts = crate::text::split_nul(joined);
    let account_id = parts.next()?;
    let recipient_profile_urn = parts.next()?;
    let group_id = parts.next()?;
    let message = parts.next()?;
    let message_urns = match usize::try_from(urns) {
        Ok(n) if n <= MAX_MESSAGE_URNS => {
            let list: Vec<&str> = parts.by_ref().take(n).collect();
            if list.len() != n {
                return None;
            }
            Some(list)
        }
        Ok(_) => return None,
        Err(_) => None,
    };
    // More parts than fields: a field holds a NUL.
    if parts.next().is_some() {
        return None;
    }
    Some(Fields {
        account_id: Some(account_id).filter(|_| account),
        recipient_profile_urn,
        group_id,
        message,
        message_urns,
    })
}

/// Whether `fields`, read from `len` bytes, were trimmed (trimming only shortens: the
/// same length is the same text).
pub(super) fn trimmed(len: usize, fields: &Fields<'_>) -> bool {
    let strings = [
        fields.account_id.unwrap_or_default(),
        fields.recipient_profile_urn,
        fields.group_id,
        fields.message,
    ];
    let urns = fields.message_urns.iter().flatten();
    strings
        .iter()
        .chain(urns)
        .map(|s| s.len() + 1)
        .sum::<usize>()
        != len + 1
}
