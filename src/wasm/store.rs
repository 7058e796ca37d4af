//! A send's swaps on the store shared with other processes: what to swap, and what the
//! store answered.

#[allow(unused_imports)]
use crate::prelude::*;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::core::Core;
use super::result;
use crate::js;

// What the driver reads in one call, as an array with its TypeScript tuple type, so its
// destructuring is type-checked against the core's order (scripts/check-driver.mjs).
#[wasm_bindgen]
extern "C" {
    /// `Core.swap`.
    #[wasm_bindgen(
        typescript_type = "[key: string, expected: number | undefined, value: string | undefined, lasting: boolean]"
    )]
    pub type StoreSwap;
}

#[wasm_bindgen]
impl Core {
    /// Send `id`'s swap: `[key, expected, value, lasting]`: the store key, the version the
    /// value must still have (0: none yet; `undefined` to read only), the value to write
    /// (`undefined` to read only), and whether the store keeps the key until it is deleted
    /// (a journal's). What a record holds of a server's text or a thrown error was rid of
    /// the API key where it came in (exchange.js, `Core::exchanged`): a scrub of the whole
    /// record matched a short key ("1", "|") in its framing and numbers, which then no
    /// longer read (the shared guard and the journal silently lost their records).
    pub fn swap(&self, id: u32) -> StoreSwap {
        let Some(machine) = self.sending(id).map(|s| &s.machine) else {
            return Array::new().unchecked_into();
        };
        let Some(swap) = machine.swap() else {
            return Array::new().unchecked_into();
        };
        let expected = swap
            .expected
            .map_or(JsValue::UNDEFINED, |v| JsValue::from_f64(v as f64));
        let value = swap
            .value
            .as_deref()
            .map_or(JsValue::UNDEFINED, JsValue::from_str);
        result::four(
            JsValue::from_str(&swap.key),
            expected,
            value,
            JsValue::from_bool(machine.swap_lasts()),
        )
        .unchecked_into()
    }

    /// What the store answered to send `id`'s swap: whether it wrote, and the value and
    /// version it holds now.
    pub fn swapped(&mut self, id: u32, wrote: bool, value: Option<String>, version: f64) {
        let now = js::now();
        let version = if version.is_finite() && version >= 0.0 {
            version as u64
        } else {
            0
        };
        if let Some(sending) = self.sends.get_mut(id) {
            sending.machine.swapped(
                wrote,
                value.as_deref(),
                version,
                &self.policy,
                &mut self.accounts,
                now,
            );
        }
    }

    /// The store failed for send `id`'s swap (`thrown`: what it threw or answered).
    #[wasm_bindgen(js_name = storeFailed)]
    pub fn store_failed(&mut self, id: u32, thrown: JsValue) {
        let detail = js::describe_error(&thrown);
        let detail = crate::policy::scrub(&detail, &self.config.settings.api_key);
        if let Some(sending) = self.sends.get_mut(id) {
            sending.machine.store_failed(&detail, &self.policy);
        }
    }
}
