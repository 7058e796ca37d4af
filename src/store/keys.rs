//! Where a client's state lives in a shared store: the keys of its account records and
//! of its runs' journals. Every key is scoped to a workspace and the base URL's origin,
//! so clients with one API key share state and clients with different keys never see
//! each other's (the scope is a digest: no key of the store holds or reveals an API key).
//! A journal entry is named by the body it is for (a digest of the normalized request,
//! with the count of identical bodies before it in the list), never by its position, so
//! a reordered, shortened or extended list finds each body's own entry.
//!
//! The layout is versioned (`s2:`); a journal's head record names its format, and the
//! index-keyed journals of earlier development builds (`run:<journal>:<index>`, unscoped)
//! are looked for once, when a journal is new in this layout, and refused if found.
//!
//! ```
//! use connectsafely_wasm::store::keys::{workspace_of_key, Scope};
//!
//! let workspace = workspace_of_key("my-api-key");
//! assert!(workspace.starts_with("key-") && !workspace.contains("my-api-key"));
//! let scope = Scope::new(&workspace, "https://api.connectsafely.ai");
//! assert!(scope.account("acct-1").ends_with(":acct:acct-1"));
//! // Another key: another workspace, other keys.
//! let other = Scope::new(&workspace_of_key("another-key"), "https://api.connectsafely.ai");
//! assert_ne!(scope.account("acct-1"), other.account("acct-1"));
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use super::Swap;
use crate::digest::{hex, sha256};

/// What a journal's head record holds in this layout: `j3`, whose claims are held (`h|`)
/// until marked sending (`c|`) just before their request. Builds of `j2` read `h|` as a
/// claim that never ends (never sent twice, never sent by them) and refuse a `j3` head.
pub const JOURNAL_FORMAT: &str = "j3";

/// The formats this version reads as its own: `j2`'s entries (`c|`, `d|`) mean what they
/// mean in `j3`, which only adds the held claim, so a journal an earlier build began
/// goes on (its head left as it is).
fn reads(format: &str) -> bool {
    format == JOURNAL_FORMAT || format == "j2"
}

/// The workspace a key belongs to when none is named: a digest of the key (it cannot be
/// turned back into the key). A client that rotates its key names this workspace
/// (`workspace` option) to carry on with the old key's quota and journals.
pub fn workspace_of_key(api_key: &str) -> String {
    let d = sha256(&[
        b"connectsafely-wasm workspace of an API key\n",
        api_key.as_bytes(),
    ]);
    crate::cat!("key-", hex(d.get(..12).unwrap_or_default()))
}

/// The origin of a base URL that `parse_base_url` accepted (`scheme://host[:port]`,
/// lower-cased, without the scheme's default port or a host's trailing dot): a path on
/// the same origin, or the same origin spelled another way, is the same API.
pub fn origin(base_url: &str) -> String {
    // By bytes: std's searches bring their panic paths (and `core::fmt`) into the wasm.
    let bytes = base_url.as_bytes();
    let after = crate::text::find(base_url, "://").map_or(0, |i| i + 3);
    let end = (after..bytes.len())
        .find(|&i| bytes.get(i) == Some(&b'/'))
        .unwrap_or(bytes.len());
    let mut out: String = bytes
        .get(..end)
        .unwrap_or(bytes)
        .iter()
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    for default in ["https://", "http://"] {
        let port = if default == "https://" { ":443" } else { ":80" };
        if out.starts_with(default) && out.ends_with(port) {
            out.truncate(out.len() - port.len());
        }
    }
    if out.ends_with('.') {
        out.pop();
    }
    out
}

/// A workspace on one API origin: the prefix of every key its clients write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope(String);

impl Scope {
    /// The scope of `workspace` (a name, or [`workspace_of_key`]) on the API at `origin`.
    pub fn new(workspace: &str, origin: &str) -> Self {
        let d = sha256(&[
            b"connectsafely-wasm store scope\n",
            workspace.as_bytes(),
            b"\n",
            origin.as_bytes(),
        ]);
        Scope(crate::cat!("s2:", hex(d.get(..12).unwrap_or_default())))
    }

    /// The key of an account's record (`account` "" = the default account).
    pub fn account(&self, account: &str) -> String {
        crate::cat!(self.0, ":acct:", account)
    }

    /// The key of a journal's head record, which names the journal's format.
    pub fn journal_head(&self, journal: &str) -> String {
        crate::cat!(self.0, ":head:", journal)
    }

    /// The entry key of each body of a journaled run, in list order (`None` for an item
    /// that is not sent: an invalid body). `bodies` are the normalized requests as JSON.
    /// Identical bodies are told apart by how many came before them in the list.
    pub fn journal_items(&self, journal: &str, bodies: &[Option<String>]) -> Vec<Option<String>> {
        // Each body's digest and how many identical bodies came before it, counted in an
        // open-addressing table keyed by the digest (itself uniformly spread): O(n), and
        // far less wasm than a sort.
        let size = (bodies.len() * 2).next_power_of_two().max(2);
        let mut seen: Vec<Option<([u8; 16], usize)>> = vec![None; size];
        bodies
            .iter()
            .map(|body| {
                let d = sha256(&[body.as_ref()?.as_bytes()]);
                let mut id = [0u8; 16];
                for (o, b) in id.iter_mut().zip(d) {
                    *o = b;
                }
                let mut at =
                    usize::from(id[0]) | usize::from(id[1]) << 8 | usize::from(id[2]) << 16;
                let repeat = loop {
                    at &= size - 1;
                    match seen.get_mut(at) {
                        Some(Some((other, count))) if *other == id => {
                            *count += 1;
                            break *count;
                        }
                        Some(Some(_)) => at += 1,
                        Some(slot) => {
                            *slot = Some((id, 0));
                            break 0;
                        }
                        None => break 0,
                    }
                };
                Some(crate::cat!(
                    self.0,
                    ":run:",
                    journal,
                    ":",
                    hex(&id),
                    ":",
                    crate::text::whole(repeat as f64)
                ))
            })
            .collect()
    }
}

/// At most how many positions of an earlier build's journal are looked at, once, when a
/// journal is new in this layout (a run claimed its items in input order, so one that
/// sent anything holds entries from its first valid positions on).
pub const LEGACY_PROBES: usize = 1024;

/// Checks a run's journal before anything is sent: its head record names its format; a
/// journal with none has the positions an earlier build's index-keyed journal of the same
/// id would hold read (unscoped: `run:<journal>:<index>`), any entry there refusing the
/// run, and only then is its head written. A journal is refused rather than misread, and
/// a refused journal stays refused: no head is written for it.
///
/// ```
/// use connectsafely_wasm::store::keys::{workspace_of_key, JournalCheck, Scope};
///
/// let scope = Scope::new(&workspace_of_key("k"), "https://api.connectsafely.ai");
/// let mut check = JournalCheck::new(&scope, "campaign", 3);
/// let head = check.swaps();
/// assert_eq!((head.len(), head[0].expected), (1, None)); // the head, read
/// check.answered(&[(false, None)]); // none: a new journal
/// assert_eq!(check.swaps().len(), 8); // an earlier build's positions, read once
/// check.answered(&[(false, None); 8]);
/// let create = check.swaps();
/// assert_eq!((create[0].expected, create[0].value.as_deref()), (Some(0), Some("j3")));
/// check.answered(&[(true, Some("j3"))]);
/// assert!(check.passed());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JournalCheck {
    journal: String,
    head: String,
    probes: usize,
    phase: Phase,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Head,
    Legacy,
    Create,
    Passed,
    Refused(String),
}

impl JournalCheck {
    /// The check of `journal` in `scope`, for a list of `items`.
    pub fn new(scope: &Scope, journal: &str, items: usize) -> Self {
        JournalCheck {
            journal: journal.to_owned(),
            head: scope.journal_head(journal),
            probes: items.clamp(8, LEGACY_PROBES),
            phase: Phase::Head,
        }
    }

    /// Whether `swap` is on the journal's own head, which a store keeps until it is
    /// deleted (not an earlier build's unscoped positions).
    pub fn lasts(&self, swap: &Swap) -> bool {
        swap.key == self.head
    }

    /// The store operations to perform now, all at once (none: the check is over).
    pub fn swaps(&self) -> Vec<Swap> {
        let head = |expected, value| {
            vec![Swap {
                key: self.head.clone(),
                expected,
                value,
            }]
        };
        match self.phase {
            Phase::Head => head(None, None),
            Phase::Legacy => (0..self.probes)
                .map(|i| Swap {
                    key: crate::cat!("run:", self.journal, ":", crate::text::whole(i as f64)),
                    expected: None,
                    value: None,
                })
                .collect(),
            Phase::Create => head(Some(0), Some(JOURNAL_FORMAT.to_owned())),
            Phase::Passed | Phase::Refused(_) => Vec::new(),
        }
    }

    /// What the store answered to [`JournalCheck::swaps`], in order: whether each wrote,
    /// and the value it holds now.
    pub fn answered(&mut self, answers: &[(bool, Option<&str>)]) {
        let clip = crate::text::clip(&self.journal, 200);
        let format = || {
            Phase::Refused(crate::cat!(
                "options.journal \"",
                clip,
                "\" was written by another version, in a format this one cannot read; \
                 finish it with that version, or use a new journal id"
            ))
        };
        self.phase = match self.phase {
            Phase::Head => match answers.first() {
                Some((_, None)) => Phase::Legacy,
                Some((_, Some(f))) if reads(f) => Phase::Passed,
                _ => format(),
            },
            Phase::Legacy if answers.iter().any(|(_, v)| v.is_some()) => {
                Phase::Refused(crate::cat!(
                    "options.journal \"",
                    clip,
                    "\" holds entries of an earlier build, kept by position in the list: \
                     this version keeps them by body and cannot read those without risking \
                     a second send; finish that run with the build that wrote it, or use a \
                     new journal id"
                ))
            }
            Phase::Legacy => Phase::Create,
            // Written now, or by another runner meanwhile.
            Phase::Create => match answers.first() {
                Some((true, _)) => Phase::Passed,
                Some((false, Some(f))) if reads(f) => Phase::Passed,
                _ => format(),
            },
            ref done => done.clone(),
        };
    }

    /// Whether the run may go on.
    pub fn passed(&self) -> bool {
        self.phase == Phase::Passed
    }

    /// Why the run is refused, once it is.
    pub fn refusal(&self) -> Option<&str> {
        match &self.phase {
            Phase::Refused(why) => Some(why),
            _ => None,
        }
    }
}
