//! A response body's fields as classification reads them: `JSON.parse`'s result, its top
//! level read by one call (`bodyShape`), a value below it by index of `BODY_KEYS`, one
//! call each (`fields.js`).

#[allow(unused_imports)]
use crate::prelude::*;

use wasm_bindgen::prelude::*;

use super::read::Type;
use crate::classify::{JsonView, BODY_KEYS};
use crate::js;

#[wasm_bindgen(module = "/src/wasm/fields.js")]
extern "C" {
    /// `o[k]`, for `JSON.parse` results: a key they lack is looked up on
    /// `Object.prototype`, where a page's getter that throws reads as `undefined`.
    #[wasm_bindgen(js_name = dataProp)]
    fn data_prop(o: &JsValue, k: &JsValue) -> JsValue;
    /// `o[BODY_KEYS[i]]` when `o` is a JSON object (not an array), else `undefined`
    /// (a throwing getter as in `dataProp`): one call per field read, and no key string made.
    #[wasm_bindgen(js_name = bodyField)]
    fn body_field(o: &JsValue, i: u32) -> JsValue;
    /// `bodyField(o, i)` when that is a string (one call: the glue makes `undefined` a `None`).
    #[wasm_bindgen(js_name = bodyString)]
    fn body_string_js(o: &JsValue, i: u32) -> Option<js_sys::JsString>;
    /// Of a `JSON.parse` result: bit 0 when it is an object (not an array), then three
    /// bits per key of `BODY_KEYS`, in order, for what its value is (see `ABSENT`...);
    /// 0 when reading it threw (a getter of a polluted `Object.prototype`).
    #[wasm_bindgen(js_name = bodyShape)]
    fn body_shape(o: &JsValue) -> u32;
}

// The shape holds bit 0 and three bits a key in one u32.
const _: () = assert!(3 * BODY_KEYS.len() < 32);

/// The index of `key` in `BODY_KEYS`. Classification names each key by a literal equal
/// to its entry there, which the compiler stores once (as it does in this build: LTO, one
/// codegen unit), so comparing addresses finds it (no byte compared, which cost a send
/// ~2.4% of its instructions); comparing text stays the rule, so a literal stored twice
/// only costs that again.
fn body_key(key: &str) -> Option<u32> {
    let same = |k: &&str| core::ptr::eq(k.as_ptr(), key.as_ptr()) && k.len() == key.len();
    let i = BODY_KEYS
        .iter()
        .position(same)
        .or_else(|| BODY_KEYS.iter().position(|k| *k == key))?;
    u32::try_from(i).ok()
}

/// `o[key]` (a key of `BODY_KEYS`) when `o` is a JSON object and that is a string: the
/// body's own JS string, handed to a result without a copy out of wasm.
pub(crate) fn body_string(o: &JsValue, key: &str) -> Option<JsValue> {
    body_string_js(o, body_key(key)?).map(JsValue::from)
}

/// What `bodyShape` says of one key's value (three bits of the shape).
/// (4 is a number, or a value no JSON holds; 5 null; 6 an array.)
const ABSENT: u32 = 0;
const STRING: u32 = 1;
const TRUE: u32 = 2;
const FALSE: u32 = 3;
const OBJECT: u32 = 7;

/// `JSON.parse`'s result, read where classification asks (the body is parsed once, in JS),
/// and whether a success's strings are copied into wasm (`journals`): only when a journal
/// records them. Else the result hands back the body's own (`result::send_result`), and
/// each reads as `""` here.
///
/// The body's top level is read by one call (`bodyShape`: whether it is an object, and of
/// what kind each key of `BODY_KEYS` is), so what classification asks of a success (an
/// object; `success` and `acknowledgmentSent` booleans; three strings) costs no more
/// calls; a value whose content it needs (an error's text, `error.issues`) is fetched
/// then, and read below it a call a question as before. A body that is no object is read
/// as a value throughout.
pub(super) enum JsJson<'a> {
    /// The body, and its shape.
    Top {
        body: &'a JsValue,
        shape: u32,
        journals: bool,
    },
    /// The value of `body[BODY_KEYS[key]]`, of kind `kind` (not fetched yet).
    Field {
        body: &'a JsValue,
        key: u32,
        kind: u32,
        journals: bool,
    },
    /// A value fetched.
    Value(JsValue, bool),
}

impl<'a> JsJson<'a> {
    /// `parsed`, read by classification; `journals`: whether a success's strings are copied.
    pub(super) fn top(parsed: &'a JsValue, journals: bool) -> Self {
        match body_shape(parsed) {
            0 => JsJson::Value(parsed.clone(), journals),
            shape => JsJson::Top {
                body: parsed,
                shape,
                journals,
            },
        }
    }

    /// The value itself (a call for a field not fetched yet).
    fn value(&self) -> JsValue {
        match self {
            JsJson::Top { body, .. } => (*body).clone(),
            JsJson::Field { body, key, .. } => body_field(body, *key),
            JsJson::Value(v, _) => v.clone(),
        }
    }

    /// Whether a success's strings are copied (see [`JsJson`]).
    fn journals(&self) -> bool {
        match self {
            JsJson::Top { journals, .. }
            | JsJson::Field { journals, .. }
            | JsJson::Value(_, journals) => *journals,
        }
    }
}

impl JsonView for JsJson<'_> {
    fn field(&self, key: &str) -> Option<Self> {
        // By its index in BODY_KEYS, which holds every key classification reads.
        let i = body_key(key)?;
        match self {
            JsJson::Top {
                body,
                shape,
                journals,
            } => {
                let kind = (shape >> (1 + 3 * i)) & 7;
                (kind != ABSENT).then_some(JsJson::Field {
                    body,
                    key: i,
                    kind,
                    journals: *journals,
                })
            }
            _ => {
                let field = body_field(&self.value(), i);
                (!field.is_undefined()).then_some(JsJson::Value(field, self.journals()))
            }
        }
    }
    fn string(&self) -> Option<String> {
        match self {
            JsJson::Top { .. } => None,
            JsJson::Field { kind, .. } if *kind != STRING => None,
            _ => self.value().as_string(),
        }
    }
    fn text(&self) -> Option<String> {
        match self {
            JsJson::Field {
                kind: STRING,
                journals: false,
                ..
            } => Some(String::new()),
            JsJson::Value(v, false) => (Type::of(v) == Type::String).then(String::new),
            _ => self.string(),
        }
    }
    fn boolean(&self) -> Option<bool> {
        match self {
            JsJson::Top { .. } => None,
            JsJson::Field { kind: TRUE, .. } => Some(true),
            JsJson::Field { kind: FALSE, .. } => Some(false),
            JsJson::Field { .. } => None,
            JsJson::Value(v, _) => Type::of(v).boolean(),
        }
    }
    fn is_object(&self) -> bool {
        match self {
            JsJson::Top { .. } => true,
            JsJson::Field { kind, .. } => *kind == OBJECT,
            JsJson::Value(v, _) => Type::of(v) == Type::Object,
        }
    }
    fn elements(&self, max: usize) -> Option<Vec<Self>> {
        let v = self.value();
        if Type::of(&v) != Type::Array {
            return None;
        }
        let len = js::prop(&v, "length").ok()?.as_f64()?;
        Some(
            (0..(len as usize).min(max))
                .map(|i| JsJson::Value(data_prop(&v, &JsValue::from(i as u32)), self.journals()))
                .collect(),
        )
    }
    fn index(&self) -> Option<String> {
        let n = self.value().as_f64()?;
        (n >= 0.0 && crate::num::fract(n) == 0.0).then(|| crate::text::whole(n))
    }
}
