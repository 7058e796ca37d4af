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

/// What a journal's head record starts with in this layout (`j3|<ms>|<bodies>`:
/// [`journal_head`]; development builds wrote `j2` alone, with entries of the same form).
pub const JOURNAL_FORMAT: &str = "j3";

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

/// What a journal's head record holds: its format, when the last run that read the entry
/// of every body of its list began, and how many bodies that list had
/// (`j3|<epoch ms>|<bodies>`). A store keeps the head past the entries' lifetime (the
/// check's and the seal's swaps of the head are lasting), so a run that comes after
/// entries may have expired finds out, and is refused instead of sending them again.
pub fn journal_head(read_all_since_ms: f64, bodies: usize) -> String {
    crate::cat!(
        JOURNAL_FORMAT,
        "|",
        crate::text::whole(read_all_since_ms),
        "|",
        crate::text::whole(bodies as f64)
    )
}

/// A head record's time and count of bodies (`None`: not this format's).
fn head_record(text: &str) -> Option<(f64, usize)> {
    let rest = text.strip_prefix(JOURNAL_FORMAT)?.strip_prefix('|')?;
    let (time, bodies) = crate::text::split_once_byte(rest, b'|')?;
    let time = crate::text::parse_digits(time)?;
    let bodies = crate::text::parse_digits(bodies)?;
    Some((time as f64, bodies as usize))
}

/// Until when a journal's entries are known to be kept: every entry of a list was read at
/// `read_at_ms` or later, in a store that keeps an entry `kept_ms` unread. A run that reads
/// an entry later than that cannot tell an item never sent from one whose entry expired.
#[derive(Debug, Clone, PartialEq)]
pub struct Expiry {
    journal: String,
    read_at_ms: f64,
    until_ms: f64,
}

impl Expiry {
    /// Why nothing more of the journal may be sent at `now_ms`, once its entries may have
    /// expired.
    pub fn refusal(&self, now_ms: f64) -> Option<String> {
        if now_ms <= self.until_ms {
            return None;
        }
        let hours = ((now_ms - self.read_at_ms) / 3_600_000.0) as u32;
        Some(crate::cat!(
            "options.journal \"",
            crate::text::clip(&self.journal, 200),
            "\" last had every entry read by a run ",
            crate::text::whole(f64::from(hours)),
            " h ago, longer than the store keeps an entry unread (its ttlSeconds): an item \
             sent before may have lost its entry and would be sent again, so nothing more is \
             sent; check who was messaged, then send the rest under a new journal id"
        ))
    }
}

/// Checks a run's journal before anything is sent: its head record, written where there
/// is none, names its format and when every entry of a list was last read; a journal
/// whose entries the store may have let expire since is refused (an item sent then would
/// be sent again); a journal new in this layout has the positions an earlier build's
/// index-keyed journal of the same id would hold read (unscoped:
/// `run:<journal>:<index>`), and any entry there refuses the run. A journal is refused
/// rather than misread. [`JournalCheck::expiry`] bounds the run's own reads by the same
/// rule, and after a run that read every entry of a list at least as long as the one the
/// head counts, [`JournalCheck::seal`] moves the head's time to when that run began.
///
/// ```
/// use connectsafely_wasm::store::keys::{workspace_of_key, JournalCheck, Scope};
///
/// let scope = Scope::new(&workspace_of_key("k"), "https://api.connectsafely.ai");
/// let day = 86_400_000.0;
/// let mut check = JournalCheck::new(&scope, "campaign", 3, 3, 10.0 * day, Some(3.0 * day));
/// let head = check.swaps();
/// assert_eq!(head[0].value.as_deref(), Some("j3|864000000|3"));
/// check.answered(&[(true, Some("j3|864000000|3"), 1)]); // written now: a new journal
/// assert_eq!(check.swaps().len(), 8); // an earlier build's positions, read once
/// check.answered(&[(false, None, 0); 8]);
/// assert!(check.passed());
/// // Four days later, every entry last read at the first run: refused.
/// let mut late = JournalCheck::new(&scope, "campaign", 3, 3, 14.0 * day, Some(3.0 * day));
/// late.answered(&[(false, Some("j3|864000000|3"), 1)]);
/// assert!(late.refusal().unwrap().contains("would be sent again"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JournalCheck {
    journal: String,
    head: String,
    probes: usize,
    phase: Phase,
    /// When the run began (epoch ms).
    now_ms: f64,
    /// How long the store keeps an entry neither read nor written (ms), when it says.
    kept_ms: Option<f64>,
    /// The run's valid bodies: its journal entries.
    bodies: usize,
    /// The head as the check found it: its version, time and count of bodies (`None`: the
    /// check wrote it, a new journal).
    found: Option<(u64, f64, usize)>,
}
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Head,
    Legacy,
    Passed,
    Refused(String),
}

impl JournalCheck {
    /// The check of `journal` in `scope`, for a list of `items` of which `bodies` are
    /// valid, by a run that begins at `now_ms` on a store that keeps an entry `kept_ms`
    /// unread (`None`: it does not say, and keys are taken to last).
    pub fn new(
        scope: &Scope,
        journal: &str,
        items: usize,
        bodies: usize,
        now_ms: f64,
        kept_ms: Option<f64>,
    ) -> Self {
        JournalCheck {
            journal: journal.to_owned(),
            head: scope.journal_head(journal),
            probes: items.clamp(8, LEGACY_PROBES),
            phase: Phase::Head,
            now_ms,
            kept_ms,
            bodies,
            found: None,
        }
    }

    /// The store operations to perform now, all at once (none: the check is over). Each
    /// that writes is to the journal's head, which a store keeps past its TTL.
    pub fn swaps(&self) -> Vec<Swap> {
        match self.phase {
            Phase::Head => vec![Swap {
                key: self.head.clone(),
                expected: Some(0),
                value: Some(journal_head(self.now_ms, self.bodies)),
            }],
            Phase::Legacy => (0..self.probes)
                .map(|i| Swap {
                    key: crate::cat!("run:", self.journal, ":", crate::text::whole(i as f64)),
                    expected: None,
                    value: None,
                })
                .collect(),
            Phase::Passed | Phase::Refused(_) => Vec::new(),
        }
    }

    /// What the store answered to [`JournalCheck::swaps`], in order: whether each wrote,
    /// and the value and version it holds now.
    pub fn answered(&mut self, answers: &[(bool, Option<&str>, u64)]) {
        let clip = crate::text::clip(&self.journal, 200);
        self.phase = match self.phase {
            Phase::Head => match answers.first() {
                Some((true, _, _)) => Phase::Legacy,
                Some((false, Some(text), version)) => match head_record(text) {
                    Some((read_at, bodies)) => {
                        self.found = Some((*version, read_at, bodies));
                        match self.expiry().and_then(|e| e.refusal(self.now_ms)) {
                            Some(why) => Phase::Refused(why),
                            None => Phase::Passed,
                        }
                    }
                    None => format_refusal(clip),
                },
                _ => format_refusal(clip),
            },
            Phase::Legacy if answers.iter().any(|(_, v, _)| v.is_some()) => {
                Phase::Refused(crate::cat!(
                    "options.journal \"",
                    clip,
                    "\" holds entries of an earlier build, kept by position in the list: \
                     this version keeps them by body and cannot read those without risking \
                     a second send; finish that run with the build that wrote it, or use a \
                     new journal id"
                ))
            }
            Phase::Legacy => Phase::Passed,
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

    /// Until when the entries the head vouches for are kept, for a journal that existed
    /// (a new one has no entries to lose) in a store that says how long it keeps them: no
    /// item of the run may be claimed later than that.
    pub fn expiry(&self) -> Option<Expiry> {
        let (_, read_at_ms, _) = self.found?;
        let kept = self.kept_ms?;
        Some(Expiry {
            journal: self.journal.clone(),
            read_at_ms,
            until_ms: read_at_ms + kept - (kept / 10.0).min(300_000.0),
        })
    }

    /// Once the check passed, the swap that records on the head that every entry of the
    /// run's list was read since the run began: for a journal that existed, when the run
    /// read them all (not stopped by a 401, the store, a signal or its entries' expiry)
    /// and its list has at least the bodies the head counts (a shorter list leaves the
    /// rest unread). Whatever the store answers, the run's results stand: a head left
    /// older only refuses a later run sooner.
    pub fn seal(&self) -> Option<Swap> {
        let (version, _, bodies) = self.found?;
        (self.passed() && self.bodies > 0 && self.bodies >= bodies).then(|| Swap {
            key: self.head.clone(),
            expected: Some(version),
            value: Some(journal_head(self.now_ms, self.bodies)),
        })
    }
}

fn format_refusal(clip: &str) -> Phase {
    Phase::Refused(crate::cat!(
        "options.journal \"",
        clip,
        "\" was written by another version, in a format this one cannot read; \
         finish it with that version, or use a new journal id"
    ))
}
