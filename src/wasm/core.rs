//! The state the wasm layer's capabilities share: `Core` (one client's settings, its
//! registry, its sends and runs in progress) and what starts and ends a send.

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::options::Config;
use super::result;
#[cfg(not(feature = "sender"))]
use super::run::Run;
use crate::accounts::{AccountId, Accounts};
use crate::error::SendError;
use crate::js;
use crate::outcome::Outcome;
use crate::rate_limit::RateLimitInfo;
use crate::send::{Policy, SendMachine, SharedSend};

/// A send in progress: its machine and what the driver needs of it.
pub(super) struct Sending {
    pub(super) machine: SendMachine,
    pub(super) json: String,
    pub(super) signal: Option<AbortSignal>,
    pub(super) timeout_ms: f64,
    /// The last response's body as `JSON.parse` read it, and what fetch threw.
    pub(super) parsed: JsValue,
    pub(super) thrown: JsValue,
    /// The request's headers when the call set its own (else the client's).
    pub(super) headers: Option<Vec<(String, String)>>,
    /// The last attempt's status and rate limit, kept for logs and hooks.
    pub(super) attempt: Option<(Option<u16>, Option<RateLimitInfo>)>,
}

/// Entries reused by index; ids stay small and never dangle while in use.
pub(super) struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    pub(super) fn new() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }

    pub(super) fn insert(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                if let Some(place) = self.items.get_mut(id as usize) {
                    *place = Some(item);
                }
                id
            }
            None => {
                self.items.push(Some(item));
                (self.items.len() - 1) as u32
            }
        }
    }

    pub(super) fn get(&self, id: u32) -> Option<&T> {
        self.items.get(id as usize).and_then(Option::as_ref)
    }

    pub(super) fn get_mut(&mut self, id: u32) -> Option<&mut T> {
        self.items.get_mut(id as usize).and_then(Option::as_mut)
    }

    /// Every entry in use.
    #[cfg(not(feature = "sender"))]
    pub(super) fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().flatten()
    }

    pub(super) fn remove(&mut self, id: u32) -> Option<T> {
        let item = self.items.get_mut(id as usize).and_then(Option::take);
        if item.is_some() {
            self.free.push(id);
        }
        item
    }
}

/// One client's state, for the package's JavaScript driver (not exported by the package).
#[wasm_bindgen]
pub struct Core {
    pub(super) config: Config,
    pub(super) policy: Policy,
    pub(super) accounts: Accounts,
    pub(super) sends: Slab<Sending>,
    #[cfg(not(feature = "sender"))]
    pub(super) runs: Slab<Run>,
    /// This client's id among the processes sharing a store, and its lease counter.
    #[cfg_attr(feature = "sender", allow(dead_code))]
    pub(super) runner: u32,
    #[cfg_attr(feature = "sender", allow(dead_code))]
    pub(super) leases: u32,
    /// Runs begun, naming each run's runner in a journal (unless given `runnerId`).
    #[cfg(not(feature = "sender"))]
    pub(super) runs_begun: u32,
}

impl core::fmt::Debug for Core {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.described())
    }
}

impl Core {
    pub(super) fn sending(&self, id: u32) -> Option<&Sending> {
        self.sends.get(id)
    }

    /// `POST` goes here: the base URL and the endpoint's path.
    pub(super) fn endpoint(&self) -> String {
        self.config.settings.endpoint.clone()
    }

    /// The shared-store part of a send (when a store was given): a fresh lease, and the
    /// pacing of `min_interval_ms` across processes.
    #[cfg(not(feature = "sender"))]
    pub(super) fn shared_send(
        &mut self,
        account: AccountId,
        min_interval_ms: f64,
        timeout_ms: f64,
    ) -> Option<SharedSend> {
        if !self.config.settings.shared {
            return None;
        }
        let name = self.accounts.get(account).map_or("", |a| a.key.as_str());
        Some(self.config.settings.shared_send(
            name,
            self.runner,
            &mut self.leases,
            min_interval_ms,
            timeout_ms,
        ))
    }

    /// The single-send build has no store: the driver sends for a client with a store
    /// through the full core (many.mjs).
    #[cfg(feature = "sender")]
    pub(super) fn shared_send(&mut self, _: AccountId, _: f64, _: f64) -> Option<SharedSend> {
        None
    }

    /// A send of a validated request (`json`, its body), started (or refused, or aborted) now.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn launch(
        &mut self,
        json: String,
        machine: SendMachine,
        signal: Option<AbortSignal>,
        timeout_ms: f64,
        min_interval_ms: f64,
        headers: &[(String, String)],
    ) -> u32 {
        let mut machine = machine;
        if let Some(shared) = self.shared_send(machine.account(), min_interval_ms, timeout_ms) {
            machine = machine.with_shared(shared);
        }
        // Read without letting a throw through the core (`js::prop` catches it).
        let fired = signal
            .as_ref()
            .is_some_and(|s| js::prop(s, "aborted").is_ok_and(|a| a.as_bool() == Some(true)));
        if fired {
            machine.abort(&mut self.accounts);
        } else {
            machine.start(&self.policy, &mut self.accounts, js::now());
        }
        self.sends.insert(Sending {
            machine,
            json,
            signal,
            timeout_ms,
            parsed: JsValue::UNDEFINED,
            thrown: JsValue::UNDEFINED,
            headers: (!headers.is_empty())
                .then(|| crate::headers::merge(&self.config.settings.headers, headers)),
            attempt: None,
        })
    }

    /// A send that is over before it began (its outcome decided at once).
    pub(super) fn settled(&mut self, outcome: Outcome) -> u32 {
        self.sends.insert(Sending {
            machine: SendMachine::finished(outcome),
            json: String::new(),
            signal: None,
            timeout_ms: 0.0,
            parsed: JsValue::UNDEFINED,
            thrown: JsValue::UNDEFINED,
            headers: None,
            attempt: None,
        })
    }

    /// Removes send `id` and builds its `SendResult`.
    pub(super) fn take_result(&mut self, id: u32) -> JsValue {
        let Some(sending) = self.sends.remove(id) else {
            return result::send_result(
                &Outcome::local(SendError::aborted(false)),
                None,
                JsValue::UNDEFINED,
                &self.config.settings.api_key,
            );
        };
        let outcome = sending
            .machine
            .into_outcome()
            .unwrap_or_else(|| Outcome::local(SendError::aborted(false)));
        let outcome = crate::policy::scrubbed(outcome, &self.config.settings.api_key);
        let parsed =
            (outcome.body.is_some() && !sending.parsed.is_undefined()).then_some(sending.parsed);
        result::send_result(
            &outcome,
            parsed,
            sending.thrown,
            &self.config.settings.api_key,
        )
    }
}
