//! The send of one body as a state machine (sans-IO). It never performs I/O: a
//! transport (the JS driver of the npm package, the Rust `Client`) asks it what
//! to do next, does that, and feeds back what happened. The guard, the bounded
//! 429 wait and `deliveryUnknown` are decided here, so every transport makes the
//! same decisions.
//!
//! ```
//! use connectsafely_wasm::accounts::Accounts;
//! use connectsafely_wasm::rate_limit::RateLimitHeaders;
//! use connectsafely_wasm::send::{Exchange, Policy, SendMachine, Step};
//!
//! let mut accounts = Accounts::new();
//! let policy = Policy::default();
//! let mut send = SendMachine::new(&mut accounts, "");
//! assert_eq!(send.start(&policy, &mut accounts, 0.0), Step::Fetch);
//! let body = r#"{"success":true,"message":"Group context message sent successfully"}"#;
//! let exchange = Exchange::complete(200, RateLimitHeaders::default(), body);
//! assert_eq!(send.exchanged(exchange, &policy, &mut accounts, 1.0), Step::Done);
//! assert!(send.outcome().is_some_and(|o| o.result.is_ok()));
//! ```

use crate::accounts::{AccountId, Accounts};
use crate::classify::{classify_facts, opaque_redirect, BodyFacts, SuccessData};
use crate::error::SendError;
use crate::rate_limit::{RateLimitHeaders, RateLimitInfo};

/// What a client's options say about every send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// Refuse locally while an account's quota is known spent (`rateLimitGuard`).
    pub rate_limit_guard: bool,
    /// Wait at most this long on a 429 and send once more; 0 never waits (`maxRateLimitWaitMs`).
    pub max_rate_limit_wait_ms: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            rate_limit_guard: true,
            max_rate_limit_wait_ms: 0.0,
        }
    }
}

/// What the transport must do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Send the request once, then call [`SendMachine::exchanged`] with what happened.
    Fetch,
    /// Wait this many milliseconds (a 429's allowed wait), then call
    /// [`SendMachine::waited`], or [`SendMachine::abort`] if the caller's signal fires.
    Wait(f64),
    /// Finished: [`SendMachine::outcome`] holds the result.
    Done,
}

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
            json: BodyFacts::parse(text),
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
                let c = classify_facts(status, json.as_ref(), &headers, now_ms);
                Outcome {
                    status: Some(c.status),
                    result: c.outcome,
                    rate_limit: c.rate_limit,
                    body: Some(text.to_owned()),
                }
            }
        }
    }

    fn retry_after_ms(&self) -> Option<f64> {
        self.result.as_ref().err().and_then(|e| e.retry_after_ms)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    New,
    Fetching,
    /// A 429's allowed wait; its outcome is the result if the wait is aborted.
    Waiting(f64, Option<RateLimitInfo>),
    Done,
}

/// One send, from the guard to its outcome.
#[derive(Debug, Clone)]
pub struct SendMachine {
    account: AccountId,
    state: State,
    waited: bool,
    outcome: Option<Outcome>,
}

impl SendMachine {
    /// A send for the account `key` ("" = the default account) of `accounts`.
    pub fn new(accounts: &mut Accounts, key: &str) -> Self {
        Self::for_account(accounts.id(key))
    }

    /// A send for an account already in the registry.
    pub fn for_account(account: AccountId) -> Self {
        SendMachine {
            account,
            state: State::New,
            waited: false,
            outcome: None,
        }
    }

    /// A send that is already over: its outcome was decided before anything could
    /// start (an invalid body, invalid options).
    pub fn finished(outcome: Outcome) -> Self {
        SendMachine {
            account: AccountId(u32::MAX),
            state: State::Done,
            waited: false,
            outcome: Some(outcome),
        }
    }

    /// The account this send is for.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// What the transport must do now.
    pub fn step(&self) -> Step {
        match &self.state {
            State::New | State::Fetching => Step::Fetch,
            State::Waiting(ms, _) => Step::Wait(*ms),
            State::Done => Step::Done,
        }
    }

    /// The result, once [`Step::Done`].
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// The result, taken, once [`Step::Done`].
    pub fn into_outcome(self) -> Option<Outcome> {
        self.outcome
    }

    fn done(&mut self, outcome: Outcome) -> Step {
        self.outcome = Some(outcome);
        self.state = State::Done;
        Step::Done
    }

    /// Starts the send at `now_ms`: refused by the guard (done), or [`Step::Fetch`].
    pub fn start(&mut self, policy: &Policy, accounts: &mut Accounts, now_ms: f64) -> Step {
        if self.state != State::New {
            return self.step();
        }
        if policy.rate_limit_guard {
            if let Some(refusal) = accounts.check(self.account, now_ms) {
                return self.done(Outcome {
                    rate_limit: refusal.rate_limit,
                    ..Outcome::local(refusal.error)
                });
            }
        }
        accounts.started(self.account, now_ms);
        self.state = State::Fetching;
        Step::Fetch
    }

    /// What happened to the request: classified, recorded for the account, and on a
    /// 429 whose wait is known and allowed (once), [`Step::Wait`]; else done.
    pub fn exchanged(
        &mut self,
        exchange: Exchange<'_>,
        policy: &Policy,
        accounts: &mut Accounts,
        now_ms: f64,
    ) -> Step {
        if self.state != State::Fetching {
            return self.step();
        }
        accounts.finished(self.account);
        let outcome = Outcome::of(exchange, now_ms);
        if let Some(status) = outcome.status {
            let retry = outcome.retry_after_ms();
            accounts.observe(
                self.account,
                status,
                outcome.rate_limit.as_ref(),
                retry,
                now_ms,
            );
        }
        // The one automatic retry: a 429 means nothing was delivered.
        let wait = match outcome.status {
            Some(429) if !self.waited => outcome.retry_after_ms().filter(|ms| {
                policy.max_rate_limit_wait_ms > 0.0 && *ms <= policy.max_rate_limit_wait_ms
            }),
            _ => None,
        };
        match wait {
            Some(ms) => {
                self.waited = true;
                self.state = State::Waiting(ms, outcome.rate_limit);
                Step::Wait(ms)
            }
            None => self.done(outcome),
        }
    }

    /// The 429's wait passed: send once more.
    pub fn waited(&mut self, accounts: &mut Accounts, now_ms: f64) -> Step {
        if !matches!(self.state, State::Waiting(..)) {
            return self.step();
        }
        accounts.started(self.account, now_ms);
        self.state = State::Fetching;
        Step::Fetch
    }

    /// The caller's signal fired while nothing was out (before the start, or during
    /// the 429 wait): done, `aborted` with nothing sent. While a request is out the
    /// transport reports [`Interrupt::Aborted`] through [`SendMachine::exchanged`].
    pub fn abort(&mut self, accounts: &mut Accounts) -> Step {
        let rate_limit = match std::mem::replace(&mut self.state, State::Done) {
            State::New => None,
            State::Waiting(_, rate_limit) => rate_limit,
            State::Fetching => {
                accounts.finished(self.account);
                return self.done(Outcome::local(SendError::aborted(true)));
            }
            State::Done => {
                self.state = State::Done;
                return Step::Done;
            }
        };
        self.done(Outcome {
            rate_limit,
            ..Outcome::local(SendError::aborted(false))
        })
    }
}
