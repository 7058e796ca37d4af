//! What every native driver of journaled sends holds (tests/journal.rs, tests/store.rs): a
//! request leaves only on the send's own journal claim marked sending (`c|`), which the
//! store wrote and nothing replaced since. Under a claim only held (`h|`), a runner that
//! died during the request would leave an item the next run sends again.
#![allow(dead_code)]

use connectsafely_wasm::send::SendMachine;

/// The journal swaps of one send, as its driver saw them answered.
#[derive(Default)]
pub struct Claims {
    marked: bool,
}

impl Claims {
    /// The store's answer to `m`'s swap, before the driver hands it to `m.swapped`.
    pub fn answered(&mut self, m: &SendMachine, wrote: bool, value: Option<&str>) {
        if !m.swap_lasts() {
            return;
        }
        let asked = m.swap().and_then(|s| s.value.as_deref());
        // (A store that resends a lost swap answers "not written" with what it wrote.)
        let written = asked.is_some() && (wrote || value == asked);
        self.marked = written && asked.is_some_and(|v| v.starts_with("c|"));
    }

    /// The store failed `m`'s swap (the driver calls `m.store_failed`): a journal swap's
    /// outcome is unknown, so its claim is not known to be marked sending.
    pub fn failed(&mut self, m: &SendMachine) {
        if m.swap_lasts() {
            self.marked = false;
        }
    }

    /// At `Step::Fetch`: a journaled send's request leaves on its own claim marked sending.
    pub fn at_fetch(&self, m: &SendMachine) {
        assert!(
            !m.journals() || self.marked,
            "a request left on a journal claim not marked sending"
        );
    }
}
