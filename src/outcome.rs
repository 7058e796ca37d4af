//! How a send ended, in the terms every layer shares: what happened to one request
//! (`Exchange`), the outcome a result is built from (`Outcome`), where it came from
//! (`Origin`: this send, or a run's journal) and how it counts for a run (`Settled`).
//! A leaf of the core: the send machine, the bulk plan, the store protocol and both
//! transports' result builders import it; it imports none of them.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::classify::{classify_facts, opaque_redirect, BodyFacts};
use crate::error::{ErrorKind, SendError};
use crate::rate_limit::{RateLimitHeaders, RateLimitInfo};
use crate::response::SuccessData;

/// Why a request was cut short by the transport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Interrupt {
    /// The call's timeout (this many ms) elapsed.
    Timeout(f64),
    /// The caller's signal fired.
    Aborted,
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange<'a> {
    /// The request could not be started (fetch is missing or threw at once): nothing left.
    NotSent {
        /// What the runtime said.
        detail: &'a str,
    },
    /// The caller's signal had fired before the request was made (while a store
    /// answered, say): fetch was not called, nothing left.
    Withheld,
    /// No response arrived: the request may have left.
    NoResponse {
        /// The timeout or the caller's signal, if one of them ended it; else fetch failed.
        interrupt: Option<Interrupt>,
        /// What the runtime said when fetch failed.
        detail: &'a str,
    },
    /// fetch resolved to something that is not a response.
    NotAResponse,
    /// A browser's opaque answer to a redirect (never followed): the status is hidden.
    OpaqueRedirect,
    /// The status and headers arrived, the whole body did not.
    HeadOnly {
        /// The HTTP status.
        status: u16,
        /// The rate-limit headers.
        headers: RateLimitHeaders,
        /// The timeout or the caller's signal, if one of them ended it; else reading failed.
        interrupt: Option<Interrupt>,
        /// What the runtime said when reading failed.
        detail: &'a str,
    },
    /// The whole response.
    Complete {
        /// The HTTP status.
        status: u16,
        /// The rate-limit headers.
        headers: RateLimitHeaders,
        /// What classification needs of the body, read by the transport from the JSON it
        /// parsed (`BodyFacts::read`); `None` when the body is not JSON.
        json: Option<BodyFacts>,
        /// The body text, for a body that is not JSON (may be empty when `json` is given).
        text: &'a str,
    },
}

impl<'a> Exchange<'a> {
    /// A whole response whose body is `text`, parsed with the core's own JSON reader.
    pub fn complete(status: u16, headers: RateLimitHeaders, text: &'a str) -> Self {
        Exchange::Complete {
            status,
            headers,
            json: BodyFacts::parse(text, status),
            text,
        }
    }
}

/// How a send ended: everything a `SendResult` is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The HTTP status; `None` when no response arrived.
    pub status: Option<u16>,
    /// Success data, or the error.
    pub result: Result<SuccessData, SendError>,
    /// What the headers said.
    pub rate_limit: Option<RateLimitInfo>,
    /// The body text, when a whole body was read.
    pub body: Option<String>,
}

impl Outcome {
    /// A failure with no response.
    pub fn local(error: SendError) -> Self {
        Outcome {
            status: None,
            result: Err(error),
            rate_limit: None,
            body: None,
        }
    }

    /// What one request's exchange comes to, classified at `now_ms`.
    pub fn of(exchange: Exchange<'_>, now_ms: f64) -> Self {
        let interrupted = |i: Interrupt| match i {
            Interrupt::Aborted => SendError::aborted(true),
            Interrupt::Timeout(ms) => SendError::timeout(ms),
        };
        match exchange {
            Exchange::NotSent { detail } => Outcome::local(SendError::network(detail, false)),
            Exchange::Withheld => Outcome::local(SendError::aborted(false)),
            Exchange::NoResponse { interrupt, detail } => Outcome::local(
                interrupt.map_or_else(|| SendError::network(detail, true), interrupted),
            ),
            Exchange::NotAResponse => Outcome::local(SendError::network(
                "fetch resolved to something that is not a Response",
                true,
            )),
            Exchange::OpaqueRedirect => Outcome::local(opaque_redirect()),
            Exchange::HeadOnly {
                status,
                headers,
                interrupt,
                detail,
            } => {
                // A 4xx is a refusal: nothing was delivered, whatever the body would have said.
                let delivered_maybe = !(400..500).contains(&status);
                let error = match interrupt {
                    Some(i) => {
                        let mut e = interrupted(i);
                        e.delivery_unknown = e.delivery_unknown && delivered_maybe;
                        e
                    }
                    None => {
                        let mut what = String::from("the body of the HTTP ");
                        what.push_str(&crate::text::whole(f64::from(status)));
                        what.push_str(" response could not be read: ");
                        what.push_str(detail);
                        SendError::network(&what, delivered_maybe)
                    }
                };
                Outcome {
                    status: Some(status),
                    rate_limit: headers.info(),
                    ..Outcome::local(error)
                }
            }
            Exchange::Complete {
                status,
                headers,
                json,
                text,
            } => {
                let c = classify_facts(status, json, &headers, now_ms);
                Outcome {
                    status: Some(c.status),
                    result: c.outcome,
                    rate_limit: c.rate_limit,
                    body: Some(text.to_owned()),
                }
            }
        }
    }

    /// The error's `retryAfterMs`, when the send failed with one.
    pub fn retry_after_ms(&self) -> Option<f64> {
        self.result.as_ref().err().and_then(|e| e.retry_after_ms)
    }

    /// Whether this outcome is the item's for good, as a run's journal records it: it was
    /// delivered, it may have been (`deliveryUnknown`: never sent again), or the server
    /// refused the body itself (400, 403). Anything else delivered nothing for a reason
    /// that is not the body's (a quota, the key, the store, a run stopping, a request that
    /// never left, a proxy's 404): a later run sends the item.
    pub fn decides_item(&self) -> bool {
        match &self.result {
            Ok(_) => true,
            Err(e) => e.delivery_unknown || matches!(self.status, Some(400 | 403)),
        }
    }
}

/// Where a send's outcome comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This send (sent now, refused, failed...).
    Sent,
    /// The journal: the item was handled before (by this run or another runner).
    Recorded,
    /// The journal: another runner holds the item now.
    Elsewhere,
    /// The journal: a runner took the item and stopped before recording an outcome.
    Unknown,
}

/// How an item ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// `ok: true`.
    Delivered,
    /// Attempted and failed; nothing to stop.
    Failed,
    /// A 429 from the server (attempted): stops the account.
    RateLimited,
    /// Refused by the guard before any request: not attempted; stops the account.
    Refused,
    /// A 401: stops everything.
    Unauthorized,
    /// Nothing left the machine (aborted before the request): not attempted.
    NotSent,
    /// The shared store failed before the request: not attempted; stops everything.
    StoreDown,
}

impl Settled {
    /// How a send's outcome counts for the run: a 429 from the server was attempted,
    /// a refusal by the guard was not; an abort before the request left sent nothing.
    pub fn of(outcome: &Outcome) -> Self {
        match &outcome.result {
            Ok(_) => Settled::Delivered,
            Err(e) => match e.kind {
                ErrorKind::RateLimited if outcome.status.is_some() => Settled::RateLimited,
                ErrorKind::RateLimited => Settled::Refused,
                ErrorKind::Unauthorized => Settled::Unauthorized,
                ErrorKind::Aborted if !e.delivery_unknown => Settled::NotSent,
                ErrorKind::StoreUnavailable => Settled::StoreDown,
                _ => Settled::Failed,
            },
        }
    }

    /// How an item of a run counts, given where its outcome comes from: one recorded in
    /// the run's journal was handled before and stops nothing now; one another runner
    /// holds was not attempted by this run.
    pub fn of_run(outcome: &Outcome, origin: Origin) -> Self {
        match origin {
            Origin::Sent => Self::of(outcome),
            Origin::Elsewhere => Settled::NotSent,
            Origin::Recorded | Origin::Unknown if outcome.result.is_ok() => Settled::Delivered,
            Origin::Recorded | Origin::Unknown => Settled::Failed,
        }
    }
}
