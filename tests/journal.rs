//! A campaign longer than a day (issue 24), natively: journal entries keyed by body (a
//! list reordered, shortened, extended or holding repeats finds each body's own entry),
//! workspaces kept apart in one store, the format checked before a run, and when a run
//! stopped by a quota may resume. Runs are driven as the npm driver drives them: the bulk
//! plan picks, a send machine per item swaps on a store and fetches from a server with a
//! daily quota.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

mod claims;
use claims::Claims;

use connectsafely_wasm::accounts::Accounts;
use connectsafely_wasm::bulk::{BulkPlan, BulkStep, Summary};
use connectsafely_wasm::error::{ErrorKind, StopReason};
use connectsafely_wasm::outcome::{Exchange, Origin, Outcome};
use connectsafely_wasm::rate_limit::RateLimitHeaders;
use connectsafely_wasm::request::SendGroupWithAckRequest;
use connectsafely_wasm::send::{JournalItem, Policy, SendMachine, SharedSend, Step};
use connectsafely_wasm::store::keys::{origin, workspace_of_key, JournalCheck, Scope};
use connectsafely_wasm::store::{JournalEntry, SharedAccount, SharedPolicy, Swap};

const DAY: f64 = 86_400_000.0;
/// Midnight UTC, the start of day one.
const DAY1: f64 = 20_833.0 * DAY;

/// A store of versioned values, as every adapter keeps them.
#[derive(Default)]
struct Store {
    map: HashMap<String, (String, u64)>,
}

impl Store {
    fn swap(
        &mut self,
        key: &str,
        expected: Option<u64>,
        value: Option<&str>,
    ) -> (bool, Option<String>, u64) {
        let version = self.map.get(key).map_or(0, |c| c.1);
        let wrote = expected == Some(version) && value.is_some();
        if let (true, Some(v)) = (wrote, value) {
            self.map.insert(key.to_owned(), (v.to_owned(), version + 1));
        }
        let (value, version) = self
            .map
            .get(key)
            .cloned()
            .map_or((None, 0), |(v, n)| (Some(v), n));
        (wrote, value, version)
    }
}

/// The API: a daily quota per API key (the server's workspaces), each body it accepted.
#[derive(Default)]
struct Server {
    quota: u32,
    /// Accepted per (API key, day).
    used: HashMap<(String, i64), u32>,
    /// (API key, request JSON) of each accepted message.
    accepted: Vec<(String, String)>,
    /// `Retry-After` on a 429, when set.
    retry_after: Option<String>,
}

impl Server {
    fn post(
        &mut self,
        api_key: &str,
        request: &SendGroupWithAckRequest,
        now: f64,
    ) -> (u16, RateLimitHeaders, String) {
        let day = (now / DAY).floor() as i64;
        let reset = (day + 1) as f64 * DAY;
        let used = self.used.entry((api_key.to_owned(), day)).or_insert(0);
        let headers = |used: u32| RateLimitHeaders {
            limit: Some(self.quota.to_string()),
            used: Some(used.to_string()),
            remaining: Some(self.quota.saturating_sub(used).to_string()),
            reset: Some(format!("{reset}")),
            ..RateLimitHeaders::default()
        };
        if *used >= self.quota {
            let h = RateLimitHeaders {
                retry_after: self.retry_after.clone(),
                ..headers(*used)
            };
            return (
                429,
                h,
                r#"{"error":"Rate limit exceeded","success":false}"#.into(),
            );
        }
        *used += 1;
        let h = headers(*used);
        self.accepted.push((api_key.to_owned(), request.to_json()));
        // The documented success echoes the recipient: a recorded result tells whose it is.
        let body = format!(
            r#"{{"success":true,"message":"sent","recipientProfileUrn":"{}","groupId":"{}","acknowledgmentSent":true}}"#,
            request.recipient_profile_urn, request.group_id
        );
        (200, h, body)
    }

    fn times_accepted(&self, request: &SendGroupWithAckRequest) -> usize {
        let json = request.to_json();
        self.accepted.iter().filter(|(_, j)| *j == json).count()
    }
}

/// One client: an API key, its workspace on the API's origin, its registry.
struct Client {
    api_key: String,
    scope: Scope,
    accounts: Accounts,
    leases: u64,
}

impl Client {
    fn new(api_key: &str) -> Self {
        Self::in_workspace(api_key, &workspace_of_key(api_key))
    }

    fn in_workspace(api_key: &str, workspace: &str) -> Self {
        Client {
            api_key: api_key.into(),
            scope: Scope::new(workspace, &origin("https://api.connectsafely.ai")),
            accounts: Accounts::new(),
            leases: 0,
        }
    }
}

/// How a journaled run went: each item's origin and outcome (`None`: not attempted).
struct Ran {
    items: Vec<Option<(Origin, Outcome)>>,
    summary: Summary,
}

/// Runs `list` with `journal` at `now`, one send at a time, as the npm driver does: the
/// journal's format checked first, then each item the plan starts claimed, reserved,
/// sent and recorded on `store`.
fn run(
    client: &mut Client,
    store: &mut Store,
    server: &mut Server,
    journal: &str,
    list: &[SendGroupWithAckRequest],
    now: f64,
) -> Ran {
    run_with(Policy::default(), client, store, server, journal, list, now)
}

fn run_with(
    policy: Policy,
    client: &mut Client,
    store: &mut Store,
    server: &mut Server,
    journal: &str,
    list: &[SendGroupWithAckRequest],
    now: f64,
) -> Ran {
    let check = check_journal(&client.scope, store, journal, list.len());
    assert!(
        check.passed(),
        "the journal is this version's: {:?}",
        check.refusal()
    );
    let bodies: Vec<Option<String>> = list.iter().map(|r| Some(r.to_json())).collect();
    let keys = client.scope.journal_items(journal, &bodies);
    let accounts: Vec<Option<String>> = list
        .iter()
        .map(|r| Some(r.account_key().to_owned()))
        .collect();
    let mut plan = BulkPlan::new(&mut client.accounts, accounts, 0.0).looking_up_after_stop();
    let mut items: Vec<Option<(Origin, Outcome)>> = vec![None; list.len()];
    while let BulkStep::Start(i) = plan.next(&client.accounts, now) {
        client.leases += 1;
        let account = plan.account_of(i).unwrap();
        let name = client.accounts.get(account).unwrap().key.clone();
        let mut m = SendMachine::for_account(account)
            .with_shared(SharedSend {
                lease: client.leases,
                policy: SharedPolicy::default(),
                key: client.scope.account(&name),
            })
            .with_journal(JournalItem {
                key: keys[i].clone().unwrap(),
                runner: "runner-1".into(),
                claim_ms: 35_000.0,
                resend_unknown: false,
                lookup: plan.is_lookup(i),
            });
        drive(&mut m, &policy, client, server, &list[i], now, |s, _| {
            store.swap(&s.key, s.expected, s.value.as_deref())
        });
        plan.settle_send(i, &m, &client.accounts, now);
        let origin = m.origin();
        let outcome = m.into_outcome().unwrap();
        if !plan.is_not_attempted(i) {
            items[i] = Some((origin, outcome));
        }
    }
    Ran {
        items,
        summary: plan.summary(),
    }
}

/// The journal's check before a run, performed on `store` as the driver performs it.
fn check_journal(scope: &Scope, store: &mut Store, journal: &str, items: usize) -> JournalCheck {
    let mut check = JournalCheck::new(scope, journal, items);
    loop {
        let swaps = check.swaps();
        if swaps.is_empty() {
            return check;
        }
        let answers: Vec<(bool, Option<String>)> = swaps
            .iter()
            .map(|s| {
                let (wrote, value, _) = store.swap(&s.key, s.expected, s.value.as_deref());
                (wrote, value)
            })
            .collect();
        let answers: Vec<(bool, Option<&str>)> =
            answers.iter().map(|(w, v)| (*w, v.as_deref())).collect();
        check.answered(&answers);
    }
}

/// An empty store, and a server with a daily quota of `quota`.
fn world(quota: u32) -> (Store, Server) {
    (
        Store::default(),
        Server {
            quota,
            ..Server::default()
        },
    )
}

fn body(n: usize) -> SendGroupWithAckRequest {
    SendGroupWithAckRequest {
        account_id: None,
        recipient_profile_urn: format!("urn:li:fsd_profile:P{n}"),
        group_id: "12345678".into(),
        message: format!("Hello {n}"),
        message_urns: None,
    }
}

/// Every item of a finished run reports its own body's outcome: sent now or recorded,
/// and a success (recorded or not) names the item's own recipient.
fn assert_each_reports_its_own(ran: &Ran, list: &[SendGroupWithAckRequest]) {
    for (i, item) in ran.items.iter().enumerate() {
        let (origin, outcome) = item
            .as_ref()
            .unwrap_or_else(|| panic!("item {i} was not attempted"));
        assert!(
            matches!(origin, Origin::Sent | Origin::Recorded),
            "item {i}: {origin:?}"
        );
        let data = outcome
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("item {i}: {e:?}"));
        assert_eq!(
            data.recipient_profile_urn.as_deref(),
            Some(list[i].recipient_profile_urn.as_str()),
            "item {i}'s result is its own body's"
        );
    }
}

/// Day one sends the first `quota` of `first` and stops on the quota; day two runs `second`.
fn two_days(
    first: &[SendGroupWithAckRequest],
    second: &[SendGroupWithAckRequest],
    quota: u32,
) -> (Ran, Ran, Server) {
    let mut client = Client::new("key-of-workspace-a");
    let mut store = Store::default();
    let mut server = Server {
        quota,
        ..Server::default()
    };
    let day1 = run(
        &mut client,
        &mut store,
        &mut server,
        "campaign",
        first,
        DAY1 + 1000.0,
    );
    assert_eq!(day1.summary.sent, quota as usize);
    assert_eq!(day1.summary.stopped_by, Some(StopReason::RateLimited));
    // A new process on day two (its registry knows nothing), the same store; the day's
    // quota covers the rest.
    server.quota = 1000;
    let mut client = Client::new("key-of-workspace-a");
    let day2 = run(
        &mut client,
        &mut store,
        &mut server,
        "campaign",
        second,
        DAY1 + DAY + 1000.0,
    );
    (day1, day2, server)
}

#[test]
fn a_reversed_list_sends_only_what_was_not_sent_and_reports_each_recorded_outcome_as_its_own() {
    let list: Vec<_> = (0..20).map(body).collect();
    let reversed: Vec<_> = list.iter().rev().cloned().collect();
    let (_, day2, server) = two_days(&list, &reversed, 12);
    for b in &list {
        assert_eq!(server.times_accepted(b), 1, "{} once", b.message);
    }
    assert_each_reports_its_own(&day2, &reversed);
    let recorded = day2
        .items
        .iter()
        .filter(|i| matches!(i, Some((Origin::Recorded, _))))
        .count();
    assert_eq!((recorded, day2.summary.sent), (12, 20));
}

#[test]
fn a_shuffled_list_sends_each_body_once() {
    let list: Vec<_> = (0..30).map(body).collect();
    let mut shuffled = list.clone();
    // A fixed permutation: 7 is coprime with 30.
    for (i, slot) in shuffled.iter_mut().enumerate() {
        *slot = list[(i * 7 + 3) % 30].clone();
    }
    let (_, day2, server) = two_days(&list, &shuffled, 17);
    assert!(list.iter().all(|b| server.times_accepted(b) == 1));
    assert_each_reports_its_own(&day2, &shuffled);
}

#[test]
fn a_list_with_one_body_removed_sends_the_rest_once_and_never_the_removed_one() {
    let list: Vec<_> = (0..20).map(body).collect();
    // Item 3 (sent on day one) and item 15 (never sent) bounced: both leave the list.
    let shorter: Vec<_> = list
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 15)
        .map(|(_, b)| b.clone())
        .collect();
    let (_, day2, server) = two_days(&list, &shorter, 10);
    for (i, b) in list.iter().enumerate() {
        assert_eq!(server.times_accepted(b), usize::from(i != 15), "item {i}");
    }
    assert_each_reports_its_own(&day2, &shorter);
}

#[test]
fn ten_bodies_inserted_in_the_middle_are_sent_and_nothing_else_twice() {
    let list: Vec<_> = (0..20).map(body).collect();
    let mut longer = list.clone();
    longer.splice(5..5, (100..110).map(body));
    let (_, day2, server) = two_days(&list, &longer, 10);
    assert!(longer.iter().all(|b| server.times_accepted(b) == 1));
    assert_each_reports_its_own(&day2, &longer);
    assert_eq!(day2.summary.sent, 30);
}

#[test]
fn two_identical_bodies_in_a_list_are_two_items_each_sent_once_whatever_the_order() {
    let twice = body(7);
    let list = vec![body(1), twice.clone(), body(2), twice.clone(), body(3)];
    // Day one sends three: the first of the two identical bodies among them.
    let reordered = vec![twice.clone(), body(3), twice.clone(), body(2), body(1)];
    let (_, day2, server) = two_days(&list, &reordered, 3);
    assert_eq!(
        server.times_accepted(&twice),
        2,
        "listed twice: sent twice, never a third time"
    );
    for n in [1, 2, 3] {
        assert_eq!(server.times_accepted(&body(n)), 1);
    }
    assert_each_reports_its_own(&day2, &reordered);
    // A third run with the same list sends nothing more: both copies are recorded.
    let mut client = Client::new("key-of-workspace-a");
    let (mut store, mut server) = world(10);
    run(
        &mut client,
        &mut store,
        &mut server,
        "twins",
        &[twice.clone(), twice.clone()],
        DAY1,
    );
    let again = run(
        &mut client,
        &mut store,
        &mut server,
        "twins",
        &[twice.clone(), twice.clone(), twice.clone()],
        DAY1 + 10.0,
    );
    assert_eq!(
        server.times_accepted(&twice),
        3,
        "a third copy in the list is a third item"
    );
    assert!(
        matches!(again.items[0], Some((Origin::Recorded, _)))
            && matches!(again.items[1], Some((Origin::Recorded, _)))
    );
    assert!(matches!(again.items[2], Some((Origin::Sent, _))));
}

#[test]
fn an_item_refused_by_a_429_is_left_open_for_the_next_run_and_a_recorded_one_stops_nothing() {
    // The guard is off: the server's 429 is the only stop. That item delivered nothing,
    // so the journal leaves it open and the next day sends it.
    let list: Vec<_> = (0..6).map(body).collect();
    let (mut store, mut server) = world(3);
    let mut client = Client::new("k");
    let unguarded = Policy {
        rate_limit_guard: false,
        ..Policy::default()
    };
    let day1 = run_with(
        unguarded,
        &mut client,
        &mut store,
        &mut server,
        "j",
        &list,
        DAY1,
    );
    assert_eq!(day1.summary.sent, 3);
    let (origin, outcome) = day1.items[3].as_ref().unwrap();
    assert_eq!((*origin, outcome.status), (Origin::Sent, Some(429)));
    let mut client = Client::new("k");
    let day2 = run(&mut client, &mut store, &mut server, "j", &list, DAY1 + DAY);
    assert_eq!(day2.summary.stopped_by, None, "recorded items stop nothing");
    assert_eq!(day2.summary.sent, 6);
    assert!(list.iter().all(|b| server.times_accepted(b) == 1));
    assert!(
        matches!(day2.items[3], Some((Origin::Sent, _))),
        "the 429'd item is sent on day two"
    );
}

#[test]
fn two_workspaces_on_one_store_keep_their_own_quota_and_journals() {
    let (mut store, mut server) = world(5);
    let list_a: Vec<_> = (0..8).map(body).collect();
    let list_b: Vec<_> = (50..53).map(body).collect();
    let mut a = Client::new("api-key-of-customer-a");
    let ran_a = run(&mut a, &mut store, &mut server, "welcome", &list_a, DAY1);
    assert_eq!(
        ran_a.summary.stopped_by,
        Some(StopReason::RateLimited),
        "A spent its quota"
    );
    // B: the same default account and the same journal id, another key.
    let mut b = Client::new("api-key-of-customer-b");
    let ran_b = run(
        &mut b,
        &mut store,
        &mut server,
        "welcome",
        &list_b,
        DAY1 + 1.0,
    );
    assert_eq!(
        ran_b.summary.sent, 3,
        "B's quota is its own, its journal holds none of A's"
    );
    assert_each_reports_its_own(&ran_b, &list_b);
    assert!(ran_b
        .items
        .iter()
        .all(|i| matches!(i, Some((Origin::Sent, _)))));
    assert!(list_b.iter().all(|x| server
        .accepted
        .contains(&("api-key-of-customer-b".to_owned(), x.to_json()))));
    // No key of the store holds or spells either API key.
    for key in store.map.keys() {
        assert!(!key.contains("api-key-of-customer"), "{key}");
    }
}

#[test]
fn a_rotated_key_in_the_same_workspace_resumes_the_old_keys_journal() {
    let (mut store, mut server) = world(4);
    let list: Vec<_> = (0..7).map(body).collect();
    let old = workspace_of_key("old-key");
    let mut before = Client::in_workspace("old-key", &old);
    run(
        &mut before,
        &mut store,
        &mut server,
        "campaign",
        &list,
        DAY1,
    );
    let mut after = Client::in_workspace("new-key", &old);
    let resumed = run(
        &mut after,
        &mut store,
        &mut server,
        "campaign",
        &list,
        DAY1 + DAY,
    );
    assert!(
        list.iter().all(|b| server.times_accepted(b) == 1),
        "nothing sent twice across the rotation"
    );
    assert_each_reports_its_own(&resumed, &list);
    // Without naming the old workspace the new key starts afresh: the old journal is not
    // its, and the whole list would go again (what the workspace option is for).
    let mut fresh = Client::new("new-key");
    assert_ne!(fresh.scope, after.scope);
    let before = server.accepted.len();
    let afresh = run(
        &mut fresh,
        &mut store,
        &mut server,
        "campaign",
        &list[..2],
        DAY1 + 2.0 * DAY,
    );
    assert_eq!(
        server.accepted.len() - before,
        2,
        "sent again: another workspace's journal"
    );
    assert!(afresh
        .items
        .iter()
        .all(|i| matches!(i, Some((Origin::Sent, _)))));
}

#[test]
fn scopes_differ_by_workspace_and_origin_and_name_no_key() {
    let a = Scope::new(&workspace_of_key("k1"), "https://api.connectsafely.ai");
    assert_ne!(
        a,
        Scope::new(&workspace_of_key("k2"), "https://api.connectsafely.ai")
    );
    assert_ne!(
        a,
        Scope::new(&workspace_of_key("k1"), "http://127.0.0.1:8787")
    );
    assert_eq!(
        a,
        Scope::new(
            &workspace_of_key("k1"),
            &origin("https://API.connectsafely.ai/some/path")
        )
    );
    assert_eq!(origin("http://127.0.0.1:8787/cs"), "http://127.0.0.1:8787");
    // The same origin spelled with its default port or a trailing dot: the same scope.
    for same in [
        "https://api.connectsafely.ai:443",
        "https://api.connectsafely.ai.",
        "HTTPS://Api.ConnectSafely.ai/",
    ] {
        assert_eq!(origin(same), "https://api.connectsafely.ai", "{same}");
    }
    assert_eq!(origin("http://localhost:80"), "http://localhost");
    assert_eq!(origin("https://localhost:8443"), "https://localhost:8443");
    assert_eq!(workspace_of_key("k1"), workspace_of_key("k1"));
    assert_eq!(workspace_of_key("k1").len(), "key-".len() + 24);
    let key = a.account("acct-1");
    assert!(key.starts_with("s2:") && key.ends_with(":acct:acct-1"));
    let items = a.journal_items("j", &[Some("{}".into()), None, Some("{}".into())]);
    assert!(
        items[0].as_deref().unwrap().ends_with(":0")
            && items[1].is_none()
            && items[2].as_deref().unwrap().ends_with(":1")
    );
}

#[test]
fn a_journal_of_an_earlier_build_or_another_format_is_refused_before_anything_is_sent() {
    let scope = Scope::new(&workspace_of_key("k"), "https://api.connectsafely.ai");
    // An earlier build's entry at position 12 of a list of 20 (its first rows invalid, or
    // given back): looked for once, when the journal is new in this layout.
    let mut store = Store::default();
    store.swap("run:old:12", Some(0), Some("d|1|o1|200||||||ok||||1"));
    let check = check_journal(&scope, &mut store, "old", 20);
    let why = check.refusal().expect("refused");
    assert!(
        why.contains("options.journal \"old\"") && why.contains("earlier build"),
        "{why}"
    );
    // Refused, it writes no head: the next run is refused too, not let through.
    assert_eq!(store.swap(&scope.journal_head("old"), None, None).1, None);
    assert!(check_journal(&scope, &mut store, "old", 20)
        .refusal()
        .is_some_and(|w| w.contains("earlier build")));
    // An entry it gave back (nothing sent there) still says an earlier build ran it.
    let mut store = Store::default();
    store.swap("run:given-back:0", Some(0), Some(""));
    assert!(check_journal(&scope, &mut store, "given-back", 3)
        .refusal()
        .is_some());
    // A head naming another format.
    let mut store = Store::default();
    store.swap(&scope.journal_head("next"), Some(0), Some("j4"));
    let why = check_journal(&scope, &mut store, "next", 3)
        .refusal()
        .unwrap()
        .to_owned();
    assert!(why.contains("another version"), "{why}");
    // A journal an earlier build of this layout began (`j2`: claims, outcomes, no held
    // claims) goes on, its head left as it is.
    let mut store = Store::default();
    store.swap(&scope.journal_head("begun"), Some(0), Some("j2"));
    assert!(check_journal(&scope, &mut store, "begun", 3).passed());
    assert_eq!(
        store
            .swap(&scope.journal_head("begun"), None, None)
            .1
            .as_deref(),
        Some("j2")
    );
    // This version's journal: the earlier build's positions are read only the first time.
    let mut store = Store::default();
    assert!(check_journal(&scope, &mut store, "mine", 3).passed());
    let mut again = JournalCheck::new(&scope, "mine", 3);
    let head = again.swaps();
    let (wrote, value, _) = store.swap(&head[0].key, head[0].expected, head[0].value.as_deref());
    again.answered(&[(wrote, value.as_deref())]);
    assert!(
        again.passed() && again.swaps().is_empty(),
        "one round trip once the journal exists"
    );
    // A store that says it wrote the head but hands back no value is taken at its word.
    let mut new = JournalCheck::new(&scope, "quiet-store", 3);
    new.answered(&[(true, None)]);
    assert_eq!(new.swaps().len(), 8);
}

#[test]
fn resume_at_is_when_the_quota_that_stopped_the_run_resets_and_null_when_none_did() {
    let list: Vec<_> = (0..5).map(body).collect();
    let (mut store, mut server) = world(2);
    let mut client = Client::new("k");
    let now = DAY1 + 5_000.0;
    let first = run(&mut client, &mut store, &mut server, "j", &list, now);
    assert_eq!(
        first.summary.resume_at,
        Some(DAY1 + DAY),
        "the server's reset"
    );
    // Before the reset: the store's guard refuses at once, and says the same time.
    let mut client = Client::new("k");
    let early = run(
        &mut client,
        &mut store,
        &mut server,
        "j",
        &list,
        now + 60_000.0,
    );
    assert_eq!(early.summary.sent, 2, "both recorded, nothing sent");
    assert_eq!(server.accepted.len(), 2);
    assert_eq!(early.summary.resume_at, Some(DAY1 + DAY));
    // After it: the rest goes, and nothing waits on a quota.
    server.quota = 10;
    let mut client = Client::new("k");
    let done = run(
        &mut client,
        &mut store,
        &mut server,
        "j",
        &list,
        DAY1 + DAY + 1.0,
    );
    assert_eq!((done.summary.sent, done.summary.resume_at), (5, None));
}

#[test]
fn when_the_quota_stops_a_later_day_the_bodies_sent_before_still_report_their_recorded_outcome() {
    // 30 bodies, 10 a day. Day two runs the list reversed: the 20 never sent come first,
    // 10 of them go, then the quota stops the account; the rest are only looked up.
    let list: Vec<_> = (0..30).map(body).collect();
    let reversed: Vec<_> = list.iter().rev().cloned().collect();
    let (mut store, mut server) = world(10);
    let mut client = Client::new("k");
    run(&mut client, &mut store, &mut server, "c", &list, DAY1);
    let mut client = Client::new("k");
    let day2 = run(
        &mut client,
        &mut store,
        &mut server,
        "c",
        &reversed,
        DAY1 + DAY,
    );
    assert_eq!(server.accepted.len(), 20);
    assert_eq!(day2.summary.stopped_by, Some(StopReason::RateLimited));
    for (i, item) in day2.items.iter().enumerate() {
        let n = 29 - i;
        match n {
            // Sent on day one: recorded, though the account stopped before reaching them.
            0..=9 => assert!(
                matches!(item, Some((Origin::Recorded, o)) if o.result.as_ref().unwrap().recipient_profile_urn.as_deref() == Some(list[n].recipient_profile_urn.as_str())),
                "body {n}"
            ),
            10..=19 => assert!(item.is_none(), "body {n}: never sent, not attempted"),
            _ => assert!(
                matches!(item, Some((Origin::Sent, _))),
                "body {n}: sent on day two"
            ),
        }
    }
    assert_eq!(day2.summary.not_attempted, (10..20).collect::<Vec<_>>());
    assert_eq!(day2.summary.sent, 20, "ten sent now, ten recorded");
}

#[test]
fn a_journal_records_what_is_decided_for_the_body_and_leaves_the_rest_for_a_later_run() {
    use connectsafely_wasm::outcome::Interrupt;
    let complete = |status: u16, body: &'static str| {
        Outcome::of(
            Exchange::complete(status, RateLimitHeaders::default(), body),
            DAY1,
        )
    };
    let ok = r#"{"success":true,"message":"sent"}"#;
    let err = r#"{"success":false,"error":"no"}"#;
    let cases = [
        ("200: delivered", complete(200, ok), true),
        ("400: the server refused the body", complete(400, err), true),
        (
            "403: the recipient cannot be reached",
            complete(403, err),
            true,
        ),
        ("500: may have been delivered", complete(500, err), true),
        (
            "a 2xx that is not a success: may have been",
            complete(200, "<html>"),
            true,
        ),
        ("401: the key, not the body", complete(401, err), false),
        ("429: the quota", complete(429, err), false),
        (
            "404: a proxy's path, nothing delivered",
            complete(404, err),
            false,
        ),
        (
            "fetch threw before sending",
            Outcome::of(
                Exchange::NotSent {
                    detail: "subrequest limit",
                },
                DAY1,
            ),
            false,
        ),
        (
            "the caller's signal fired before the request: fetch not called",
            Outcome::of(Exchange::Withheld, DAY1),
            false,
        ),
        (
            "no response: may have left",
            Outcome::of(
                Exchange::NoResponse {
                    interrupt: None,
                    detail: "reset",
                },
                DAY1,
            ),
            true,
        ),
        (
            "timed out: may have left",
            Outcome::of(
                Exchange::NoResponse {
                    interrupt: Some(Interrupt::Timeout(30_000.0)),
                    detail: "",
                },
                DAY1,
            ),
            true,
        ),
    ];
    for (what, outcome, decided) in cases {
        assert_eq!(outcome.decides_item(), decided, "{what}");
    }
}

/// Steps a send until it asks for something other than a swap, performing its swaps on
/// `store` at `now`.
fn swaps_until_not(
    m: &mut SendMachine,
    mut step: Step,
    client: &mut Client,
    store: &mut Store,
    now: f64,
) -> Step {
    let (policy, mut claims) = (Policy::default(), Claims::default());
    while step == Step::Swap {
        step = answer_swap(m, client, store, now, &policy, &mut claims);
    }
    step
}

/// Answers `m`'s one swap from `store` at `now` under `policy`, as `claims` sees it.
fn answer_swap(
    m: &mut SendMachine,
    client: &mut Client,
    store: &mut Store,
    now: f64,
    policy: &Policy,
    claims: &mut Claims,
) -> Step {
    let s = m.swap().unwrap().clone();
    let (wrote, value, version) = store.swap(&s.key, s.expected, s.value.as_deref());
    claims.answered(m, wrote, value.as_deref());
    m.swapped(
        wrote,
        value.as_deref(),
        version,
        policy,
        &mut client.accounts,
        now,
    )
}

fn journaled(
    client: &mut Client,
    key: &str,
    runner: &str,
    lease: u64,
    min_interval_ms: f64,
    resend_unknown: bool,
    lookup: bool,
) -> SendMachine {
    SendMachine::new(&mut client.accounts, "")
        .with_shared(SharedSend {
            lease,
            policy: SharedPolicy {
                min_interval_ms,
                ..SharedPolicy::default()
            },
            key: client.scope.account(""),
        })
        .with_journal(JournalItem {
            key: key.into(),
            runner: runner.into(),
            claim_ms: 35_000.0,
            resend_unknown,
            lookup,
        })
}

/// Two journaled sends of runner "A" paced `pacing` ms apart on one account: "item-0"
/// started at DAY1 (its request out), then "item-1" (lease 2) at DAY1 + 1, told to wait.
/// The second, and how long it waits.
fn paced_second(client: &mut Client, store: &mut Store, pacing: f64) -> (SendMachine, f64) {
    let policy = Policy::default();
    let mut first = journaled(client, "item-0", "A", 1, pacing, false, false);
    let step = first.start(&policy, &mut client.accounts, DAY1);
    assert_eq!(
        swaps_until_not(&mut first, step, client, store, DAY1),
        Step::Fetch
    );
    let mut m = journaled(client, "item-1", "A", 2, pacing, false, false);
    let step = m.start(&policy, &mut client.accounts, DAY1 + 1.0);
    let Step::Wait(w) = swaps_until_not(&mut m, step, client, store, DAY1 + 1.0) else {
        panic!("paced")
    };
    (m, w)
}

#[test]
fn a_claim_outlived_by_a_wait_is_renewed_before_the_request_and_lost_to_another_runner_sends_nothing(
) {
    let policy = Policy::default();
    for taken in [false, true] {
        let mut store = Store::default();
        let mut a = Client::new("k");
        // Another send started just now: pacing of 40 s holds this one past its claim's 35 s.
        let (mut m, w) = paced_second(&mut a, &mut store, 40_000.0);
        assert!(w > 35_000.0);
        let later = DAY1 + 40_001.0;
        if taken {
            // Meanwhile the claim expired, and a runner that resends unknown items took it.
            let mut b = Client::new("k");
            let mut other = journaled(&mut b, "item-1", "B", 3, 0.0, true, false);
            let step = other.start(&policy, &mut b.accounts, DAY1 + 36_500.0);
            assert_eq!(
                swaps_until_not(&mut other, step, &mut b, &mut store, DAY1 + 36_500.0),
                Step::Fetch
            );
        }
        let mut now = later;
        let mut step = m.waited(&policy, &mut a.accounts, now);
        loop {
            step = swaps_until_not(&mut m, step, &mut a, &mut store, now);
            let Step::Wait(w) = step else { break };
            now += w;
            step = m.waited(&policy, &mut a.accounts, now);
        }
        if taken {
            assert_eq!(
                step,
                Step::Done,
                "the item is the other runner's now: nothing is sent"
            );
            assert_eq!(m.origin(), Origin::Elsewhere);
            let record = store.map.get(&a.scope.account("")).map(|(v, _)| v.clone());
            let leases = connectsafely_wasm::store::SharedAccount::decode(record.as_deref()).leases;
            assert!(
                leases.iter().all(|l| l.id != 2),
                "its reservation was given back"
            );
        } else {
            assert_eq!(step, Step::Fetch);
            let claim = connectsafely_wasm::store::JournalEntry::decode(
                store.map.get("item-1").map(|(v, _)| v.as_str()),
            );
            assert!(
                matches!(claim, connectsafely_wasm::store::JournalEntry::Claimed { expires_at, .. } if expires_at == now + 35_000.0),
                "renewed: {claim:?}"
            );
        }
    }
}

/// Answers `m`'s one swap from `store` at `now`.
fn swaps_until_not_once(
    m: &mut SendMachine,
    client: &mut Client,
    store: &mut Store,
    now: f64,
) -> Step {
    answer_swap(
        m,
        client,
        store,
        now,
        &Policy::default(),
        &mut Claims::default(),
    )
}

/// The claim `key` holds in `store`: when it expires.
fn claim_expiry(store: &Store, key: &str) -> f64 {
    match connectsafely_wasm::store::JournalEntry::decode(
        store.map.get(key).map(|(v, _)| v.as_str()),
    ) {
        connectsafely_wasm::store::JournalEntry::Claimed { expires_at, .. } => expires_at,
        other => panic!("not a claim: {other:?}"),
    }
}

#[test]
fn a_request_starts_with_its_timeout_and_a_margin_left_on_its_claim_however_long_it_waited() {
    // The claim holds 35 s (a 30 s timeout and 5 s), and is renewed once before the request,
    // marked sending (three round trips: claim, reservation, renewal). Asked for after a wait
    // of 15 s (pacing), under half the claim, the renewal counts from then: left as it was,
    // the claim would expire 20 s into a request that may take 30, and a runner that resends
    // unknown items would send the message again.
    let policy = Policy::default();
    let mut store = Store::default();
    let mut a = Client::new("k");
    let (mut m, w) = paced_second(&mut a, &mut store, 15_000.0);
    assert_eq!(claim_expiry(&store, "item-0"), DAY1 + 35_000.0);
    assert_eq!(
        store.map["item-0"].1, 2,
        "a fresh claim is renewed once, marked sending"
    );
    assert!(store.map["item-0"].0.starts_with("c|"));
    assert!(
        w > 10_000.0 && w < 17_500.0,
        "a wait under half the claim: {w}"
    );
    let now = DAY1 + 1.0 + w;
    let step = m.waited(&policy, &mut a.accounts, now);
    let step = swaps_until_not(&mut m, step, &mut a, &mut store, now);
    assert_eq!(step, Step::Fetch);
    assert_eq!(store.map["item-1"].1, 2, "the claim renewed");
    assert!(
        claim_expiry(&store, "item-1")
            >= now + 30_000.0 + connectsafely_wasm::policy::CLAIM_FRESH_MS,
        "the request's timeout and a margin left when it starts"
    );

    // A claim whose store answered slowly (3 s) counts from when it was asked for.
    let mut slow = journaled(&mut a, "item-2", "A", 3, 0.0, false, false);
    let step = slow.start(&policy, &mut a.accounts, DAY1 + 100_000.0);
    assert_eq!(step, Step::Swap);
    let later = DAY1 + 103_000.0;
    let step = swaps_until_not_once(&mut slow, &mut a, &mut store, later);
    let step = swaps_until_not(&mut slow, step, &mut a, &mut store, later);
    assert_eq!(step, Step::Fetch);
    assert_eq!(store.map["item-2"].1, 2, "the claim renewed");
    assert_eq!(claim_expiry(&store, "item-2"), later + 35_000.0);
}

/// `paced_second`'s second send, paced 15 s, waited and its reservation granted: at the
/// renewal of its claim before the request. The send, and the time.
fn at_renewal(a: &mut Client, store: &mut Store) -> (SendMachine, f64) {
    let (mut m, w) = paced_second(a, store, 15_000.0);
    let now = DAY1 + 1.0 + w;
    let mut step = m.waited(&Policy::default(), &mut a.accounts, now);
    while step == Step::Swap && !matches!(m.swap().map(|s| s.key.as_str()), Some("item-1")) {
        step = swaps_until_not_once(&mut m, a, store, now);
    }
    assert_eq!(step, Step::Swap, "the claim's renewal");
    (m, now)
}

#[test]
fn a_renewal_the_store_answers_too_late_sends_nothing_and_gives_the_item_and_its_room_back() {
    let mut store = Store::default();
    let mut a = Client::new("k");
    // Paced 15 s: its claim is renewed before the request, and the store answers that 3 s
    // after it was asked, past CLAIM_FRESH_MS.
    let (mut m, now) = at_renewal(&mut a, &mut store);
    let step = swaps_until_not_once(&mut m, &mut a, &mut store, now + 3_000.0);
    assert_eq!(
        swaps_until_not(&mut m, step, &mut a, &mut store, now + 3_000.0),
        Step::Done,
        "no request"
    );
    let e = m.outcome().unwrap().result.clone().unwrap_err();
    assert_eq!(
        (e.kind, e.delivery_unknown),
        (ErrorKind::StoreUnavailable, false)
    );
    assert!(
        matches!(
            connectsafely_wasm::store::JournalEntry::decode(
                store.map.get("item-1").map(|(v, _)| v.as_str())
            ),
            connectsafely_wasm::store::JournalEntry::Open
        ),
        "the claim given back: a later run sends the item"
    );
    let record = store.map.get(&a.scope.account("")).map(|(v, _)| v.clone());
    let leases = connectsafely_wasm::store::SharedAccount::decode(record.as_deref()).leases;
    assert!(
        leases.iter().all(|l| l.id != 2),
        "its reservation given back"
    );
}

#[test]
fn a_look_up_sends_nothing_even_when_the_store_says_its_read_wrote() {
    let policy = Policy::default();
    let mut client = Client::new("k");
    let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, false, true);
    let step = m.start(&policy, &mut client.accounts, DAY1);
    assert_eq!(step, Step::Swap);
    assert_eq!(m.swap().unwrap().expected, None, "a look-up only reads");
    let step = m.swapped(true, None, 0, &policy, &mut client.accounts, DAY1);
    assert_eq!(step, Step::Done);
    assert_eq!(m.origin(), Origin::Sent);
    let e = m.outcome().unwrap().result.clone().unwrap_err();
    assert_eq!(
        (e.kind, e.delivery_unknown),
        (ErrorKind::Aborted, false),
        "not sent: its account is stopped (not a store failure)"
    );
}

#[test]
fn a_reservation_read_the_store_says_it_wrote_is_not_taken_for_a_reservation() {
    // A read answered { ok: true } was taken for the reservation written: the request left
    // with no reservation in the account's record, beyond the quota shared across processes.
    let policy = Policy::default();
    let (mut store, mut server) = world(150);
    let mut client = Client::new("k");
    let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, false, false);
    let account = client.scope.account("");
    let mut step = m.start(&policy, &mut client.accounts, DAY1);
    let mut fetched = false;
    while step != Step::Done {
        step = match step {
            Step::Swap => {
                let s = m.swap().unwrap().clone();
                let (wrote, value, version) = store.swap(&s.key, s.expected, s.value.as_deref());
                let says = wrote || s.value.is_none();
                m.swapped(
                    says,
                    value.as_deref(),
                    version,
                    &policy,
                    &mut client.accounts,
                    DAY1,
                )
            }
            Step::Fetch => {
                fetched = true;
                let record = store.map.get(&account).map(|(v, _)| v.as_str());
                assert!(
                    SharedAccount::decode(record)
                        .leases
                        .iter()
                        .any(|l| l.id == 1),
                    "a request with no reservation: {record:?}"
                );
                let (status, headers, text) = server.post(&client.api_key, &body(0), DAY1);
                let exchange = Exchange::complete(status, headers, &text);
                m.exchanged(exchange, &policy, &mut client.accounts, DAY1)
            }
            other => panic!("{other:?}"),
        };
    }
    assert!(fetched && m.outcome().unwrap().result.is_ok());
}

#[test]
fn a_look_up_with_resend_unknown_leaves_a_dead_claim_for_the_next_run_to_send() {
    let policy = Policy::default();
    let mut store = Store::default();
    let dead = connectsafely_wasm::store::JournalEntry::Claimed {
        runner: "gone".into(),
        expires_at: DAY1 - 1.0,
        lease: 9,
        sending: true,
    };
    store.swap("item-0", Some(0), Some(&dead.encode()));
    for (resend, not_attempted) in [(true, true), (false, false)] {
        let mut client = Client::new("k");
        let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, resend, true);
        let step = m.start(&policy, &mut client.accounts, DAY1);
        assert_eq!(
            swaps_until_not(&mut m, step, &mut client, &mut store, DAY1),
            Step::Done
        );
        let how = connectsafely_wasm::outcome::Settled::of_run(m.outcome().unwrap(), m.origin());
        assert_eq!(
            how == connectsafely_wasm::outcome::Settled::NotSent,
            not_attempted,
            "resendUnknown {resend}: {how:?}"
        );
    }
}

#[test]
fn resume_at_after_a_429_follows_the_guard_a_retry_after_of_zero_falling_back_to_the_reset() {
    // A quota already spent: the run's first send is answered 429.
    let list: Vec<_> = (0..3).map(body).collect();
    for (retry_after, resume) in [
        (None, DAY1 + DAY),
        (Some("0"), DAY1 + DAY),
        (Some("60"), DAY1 + 60_000.0),
    ] {
        let mut store = Store::default();
        let mut server = Server {
            quota: 0,
            retry_after: retry_after.map(str::to_owned),
            ..Server::default()
        };
        let mut client = Client::new("k");
        let ran = run(&mut client, &mut store, &mut server, "j", &list, DAY1);
        assert_eq!(ran.items[0].as_ref().and_then(|(_, o)| o.status), Some(429));
        assert_eq!(
            ran.summary.resume_at,
            Some(resume),
            "Retry-After {retry_after:?}"
        );
    }
}

#[test]
fn journal_and_store_keys_and_entries_are_pinned_so_a_change_to_them_needs_a_new_journal_format() {
    // Entries are found by these keys: a build that derived another key for the same body
    // (its normalization, its JSON, a digest's input) would find no entry and send every
    // item of a resumed run again. So each is pinned here; changing one means a new
    // JOURNAL_FORMAT (which refuses the older journals before anything is sent) and new
    // values here.
    use connectsafely_wasm::store::keys::JOURNAL_FORMAT;
    use connectsafely_wasm::validate::validate;
    use connectsafely_wasm::value::Value;
    let workspace = workspace_of_key("sk-golden-0123456789");
    let scope = Scope::new(&workspace, &origin("HTTPS://Api.ConnectSafely.ai:443/v1/"));
    // A body as users send it, padded: the key is of the normalized request.
    let body = Value::object([
        ("accountId", Value::str(" acct-1 ")),
        (
            "recipientProfileUrn",
            Value::str(" urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o "),
        ),
        ("groupId", Value::str(" 12345678 ")),
        ("message", Value::str("Thanks for your message, \"Ann\" 😀")),
        (
            "messageUrns",
            Value::Array(vec![Value::str(
                " urn:li:msg_message:(urn:li:fsd_profile:A,2-B=) ",
            )]),
        ),
    ]);
    let json = validate(&body, 8000).unwrap().to_json();
    let keys = scope.journal_items("campaign-7", &[Some(json.clone()), Some(json)]);
    // And what entries hold: a claim held, one marked sending, a recorded outcome (this
    // version writes no other).
    let held = connectsafely_wasm::store::JournalEntry::Claimed {
        runner: "tab-1".into(),
        expires_at: 1_764_892_800_000.0,
        lease: 77,
        sending: false,
    };
    let claim = connectsafely_wasm::store::JournalEntry::Claimed {
        runner: "tab-1".into(),
        expires_at: 1_764_892_800_000.0,
        lease: 77,
        sending: true,
    };
    let done = connectsafely_wasm::store::JournalEntry::Done {
        ok: true,
        result: r#"{"ok":true}"#.into(),
    };
    // Entries written so (by this version, or an earlier one of this format) read back.
    use connectsafely_wasm::store::JournalEntry;
    assert_eq!(
        JournalEntry::decode(Some("c|tab-1|1764892800000|77")),
        claim
    );
    assert_eq!(JournalEntry::decode(Some("h|tab-1|1764892800000|77")), held);
    assert_eq!(JournalEntry::decode(Some(r#"d|1|{"ok":true}"#)), done);
    let got = [
        held.encode(),
        claim.encode(),
        done.encode(),
        JOURNAL_FORMAT.to_string(),
        workspace,
        scope.account("acct-1"),
        scope.journal_head("campaign-7"),
        keys[0].clone().unwrap(),
        keys[1].clone().unwrap(),
    ];
    // (Each digest checked by hand with Python's hashlib: SHA-256 of the inputs keys.rs
    // names, the body as its normalized JSON.)
    assert_eq!(
        got,
        [
            "h|tab-1|1764892800000|77",
            "c|tab-1|1764892800000|77",
            r#"d|1|{"ok":true}"#,
            "j3",
            "key-6b198a4fd3def83c321bc383",
            "s2:7f77e05a5fe16b66b5864219:acct:acct-1",
            "s2:7f77e05a5fe16b66b5864219:head:campaign-7",
            "s2:7f77e05a5fe16b66b5864219:run:campaign-7:fb80c477e29dcfb7b1039f20e4e9843d:0",
            "s2:7f77e05a5fe16b66b5864219:run:campaign-7:fb80c477e29dcfb7b1039f20e4e9843d:1",
        ]
    );
}

/// Drives `m` from its start to its end at `now`, as the driver does: each swap answered by
/// `answer` (given the swap and how many came before), each request `request` posted to
/// `server`, each wait over at once. The swaps asked, and whether it fetched. Gives up past
/// 100,000 swaps (a send that never ends).
fn drive(
    m: &mut SendMachine,
    policy: &Policy,
    client: &mut Client,
    server: &mut Server,
    request: &SendGroupWithAckRequest,
    now: f64,
    mut answer: impl FnMut(&Swap, usize) -> (bool, Option<String>, u64),
) -> (usize, bool) {
    let mut swaps = 0;
    let mut fetched = false;
    let mut claims = Claims::default();
    let mut step = m.start(policy, &mut client.accounts, now);
    loop {
        step = match step {
            Step::Swap => {
                assert!(swaps < 100_000, "the send never ends");
                let s = m.swap().unwrap().clone();
                let (wrote, value, version) = answer(&s, swaps);
                claims.answered(m, wrote, value.as_deref());
                swaps += 1;
                m.swapped(
                    wrote,
                    value.as_deref(),
                    version,
                    policy,
                    &mut client.accounts,
                    now,
                )
            }
            Step::Fetch => {
                claims.at_fetch(m);
                fetched = true;
                let (status, headers, body) = server.post(&client.api_key, request, now);
                m.exchanged(
                    Exchange::complete(status, headers, &body),
                    policy,
                    &mut client.accounts,
                    now,
                )
            }
            Step::Wait(_) => m.waited(policy, &mut client.accounts, now),
            Step::Done => break,
        };
    }
    (swaps, fetched)
}

fn shared_send(client: &mut Client) -> SendMachine {
    SendMachine::new(&mut client.accounts, "").with_shared(SharedSend {
        lease: 1,
        policy: SharedPolicy::default(),
        key: client.scope.account(""),
    })
}

#[test]
fn a_store_that_never_writes_ends_the_send_as_store_unavailable_after_a_bounded_number_of_swaps() {
    // A store whose version is never the one it compares (a `Number()` of a missing
    // field reads NaN, and the driver's check lets no NaN through; a store answering 0
    // for every key): every swap a conflict. Asked forever, a send never ended.
    let (_, mut server) = world(150);
    let mut client = Client::new("k");
    let mut m = shared_send(&mut client);
    let (swaps, fetched) = drive(
        &mut m,
        &Policy::default(),
        &mut client,
        &mut server,
        &body(0),
        DAY1,
        |_, _| (false, None, 0),
    );
    let outcome = m.outcome().unwrap().clone();
    assert!(!fetched, "nothing sent");
    let e = outcome.result.unwrap_err();
    assert_eq!(e.kind, ErrorKind::StoreUnavailable);
    assert!(e.message.contains("without writing"), "{}", e.message);
    assert_eq!(
        swaps,
        connectsafely_wasm::policy::MAX_UNWRITTEN_SWAPS as usize + 1
    );
}

#[test]
fn a_store_that_never_writes_a_release_still_reports_the_message_it_sent() {
    // The reservation is written; every swap after the request (giving it back) is a
    // conflict. Those are asked again at once, with no wait between: unbounded, the send
    // never ended and no timer of the process ran. Bounded, the message sent is reported.
    let (mut store, mut server) = world(150);
    let mut client = Client::new("k");
    let mut m = shared_send(&mut client);
    let mut reserved_at = None;
    let policy = Policy::default();
    let (swaps, fetched) = drive(
        &mut m,
        &policy,
        &mut client,
        &mut server,
        &body(0),
        DAY1,
        |s, n| {
            if reserved_at.is_none() {
                let answer = store.swap(&s.key, s.expected, s.value.as_deref());
                if answer.0 {
                    reserved_at = Some(n);
                }
                answer
            } else {
                let (_, value, version) = store.swap(&s.key, None, None);
                (false, value, version + 7)
            }
        },
    );
    let outcome = m.outcome().unwrap().clone();
    assert!(fetched);
    assert!(outcome.result.is_ok(), "the message was sent: {outcome:?}");
    assert_eq!(server.accepted.len(), 1);
    assert_eq!(
        swaps,
        reserved_at.unwrap() + 1 + connectsafely_wasm::policy::MAX_UNWRITTEN_SWAPS as usize + 1
    );
}

#[test]
fn a_swap_whose_answer_was_lost_and_asked_again_is_taken_as_written_and_the_item_sent_once() {
    // ioredis resends what a dropped connection left unanswered: the store wrote the claim,
    // then answers the resent swap "not written" with that very claim. Taken as another
    // runner's, the item read as maybe delivered and was never sent.
    let (mut store, mut server) = world(150);
    let mut client = Client::new("k");
    let policy = Policy::default();
    let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, false, false);
    let request = body(0);
    let (_, fetched) = drive(
        &mut m,
        &policy,
        &mut client,
        &mut server,
        &request,
        DAY1,
        |s, _| {
            let (wrote, value, version) = store.swap(&s.key, s.expected, s.value.as_deref());
            if wrote {
                // Every write's answer lost, each swap asked again: now "not written".
                store.swap(&s.key, s.expected, s.value.as_deref())
            } else {
                (wrote, value, version)
            }
        },
    );
    assert!(fetched, "sent");
    assert!(m.outcome().unwrap().result.is_ok());
    assert_eq!(server.accepted.len(), 1);
    assert!(
        matches!(
            JournalEntry::decode(store.map.get("item-0").map(|(v, _)| v.as_str())),
            JournalEntry::Done { ok: true, .. }
        ),
        "recorded as sent: a later run does not send it again"
    );
    let record = store
        .map
        .get(&client.scope.account(""))
        .map(|(v, _)| v.clone());
    assert!(
        SharedAccount::decode(record.as_deref()).leases.is_empty(),
        "its reservation released"
    );
}

#[test]
fn a_claim_whose_answer_was_lost_in_an_error_is_read_back_and_given_back_so_a_later_run_sends_the_item(
) {
    // node-redis rejects what a dropped connection left unanswered: the claim may be in
    // the store all the same. Left there, the item read as maybe delivered, never sent.
    let (mut store, _) = world(150);
    let mut client = Client::new("k");
    let policy = Policy::default();
    let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, false, false);
    assert_eq!(m.start(&policy, &mut client.accounts, DAY1), Step::Swap);
    let claim = m.swap().unwrap().clone();
    assert!(
        store
            .swap(&claim.key, claim.expected, claim.value.as_deref())
            .0
    );
    let step = m.store_failed("connection lost", &policy);
    assert_eq!(step, Step::Swap, "the entry read back");
    assert_eq!(m.swap().unwrap().value, None, "a read");
    assert_eq!(
        swaps_until_not(&mut m, step, &mut client, &mut store, DAY1),
        Step::Done
    );
    let e = m.outcome().unwrap().result.clone().unwrap_err();
    assert_eq!(
        (e.kind, e.delivery_unknown),
        (ErrorKind::StoreUnavailable, false)
    );
    assert_eq!(
        JournalEntry::decode(store.map.get("item-0").map(|(v, _)| v.as_str())),
        JournalEntry::Open,
        "the claim given back"
    );
    // A claim that did not land leaves the entry as it was, and the read back fails too:
    // nothing more is asked.
    let mut m = journaled(&mut client, "item-1", "A", 2, 0.0, false, false);
    assert_eq!(m.start(&policy, &mut client.accounts, DAY1), Step::Swap);
    assert_eq!(m.store_failed("connection lost", &policy), Step::Swap);
    assert_eq!(m.store_failed("still down", &policy), Step::Done);
    assert!(!store.map.contains_key("item-1"));
}

#[test]
fn a_renewal_whose_answer_was_lost_in_an_error_is_given_back_over_its_own_version() {
    let policy = Policy::default();
    let mut store = Store::default();
    let mut a = Client::new("k");
    // Paced 15 s: the claim is renewed before the request; the renewal lands, its answer is lost.
    let (mut m, now) = at_renewal(&mut a, &mut store);
    let renewal = m.swap().unwrap().clone();
    assert!(
        store
            .swap(&renewal.key, renewal.expected, renewal.value.as_deref())
            .0
    );
    let step = m.store_failed("connection lost", &policy);
    assert_eq!(
        swaps_until_not(&mut m, step, &mut a, &mut store, now),
        Step::Done,
        "no request"
    );
    assert_eq!(
        JournalEntry::decode(store.map.get("item-1").map(|(v, _)| v.as_str())),
        JournalEntry::Open,
        "the renewed claim given back: a later run sends the item"
    );
}

#[test]
fn a_memory_of_the_account_record_older_than_seen_ms_is_read_again_before_a_write() {
    // The adapters restart a key's version once it expired. A client that last saw the
    // record days ago, at the version others' new record has since reached, swapped over
    // it and wrote its old copy over theirs: a send past the quota, their reservations gone.
    let (mut store, mut server) = world(150);
    let mut client = Client::new("k");
    let policy = Policy::default();
    let answer = |store: &mut Store, s: &Swap| store.swap(&s.key, s.expected, s.value.as_deref());
    let mut first_swaps = Vec::new();
    for at in [
        DAY1,
        DAY1 + 60_000.0,
        DAY1 + 60_000.0 + connectsafely_wasm::policy::SEEN_MS,
    ] {
        let mut m = shared_send(&mut client);
        let mut first = None;
        drive(
            &mut m,
            &policy,
            &mut client,
            &mut server,
            &body(0),
            at,
            |s, n| {
                if n == 0 {
                    first = Some(s.expected);
                }
                answer(&mut store, s)
            },
        );
        assert!(m.outcome().unwrap().result.is_ok());
        first_swaps.push(first.unwrap());
    }
    let v = first_swaps[1].expect("a write over the version it remembered");
    assert!(v > 0);
    assert_eq!(
        first_swaps,
        [None, Some(v), None],
        "a read first, then a write over the memory a minute old, then a read again"
    );
}

#[test]
fn a_dead_claim_taken_over_on_request_is_put_back_when_the_send_delivers_nothing() {
    // With resendUnknown a runner takes over an item a dead runner may have delivered. Its
    // send answered 429 (nothing delivered): giving the claim back wrote "", the item read
    // open, and a later run without resendUnknown sent it again.
    let policy = Policy {
        max_rate_limit_wait_ms: 0.0,
        ..Policy::default()
    };
    let (mut store, mut server) = world(0);
    let dead = JournalEntry::Claimed {
        runner: "gone".into(),
        expires_at: DAY1 - 1.0,
        lease: 9,
        sending: true,
    }
    .encode();
    store.swap("item-0", Some(0), Some(&dead));
    let mut client = Client::new("k");
    let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, true, false);
    let world = (&mut client, &mut server);
    let (_, fetched) = drive(&mut m, &policy, world.0, world.1, &body(0), DAY1, |s, _| {
        store.swap(&s.key, s.expected, s.value.as_deref())
    });
    assert!(fetched, "sent again, as asked");
    assert_eq!(m.outcome().unwrap().status, Some(429));
    assert_eq!(
        store.map.get("item-0").map(|(v, _)| v.as_str()),
        Some(dead.as_str()),
        "the dead runner's claim again: maybe delivered for a run without resendUnknown"
    );
}

/// A later run of the journal: `runner` (a process of its own, its reservation `lease`)
/// sends the item `key` of `request` at `at` through to its end, on `store` and `server`.
/// The send, and whether it fetched.
fn later_run(
    store: &mut Store,
    server: &mut Server,
    (key, request): (&str, &SendGroupWithAckRequest),
    runner: &str,
    lease: u64,
    at: f64,
) -> (SendMachine, bool) {
    let mut client = Client::new("k");
    let mut m = journaled(&mut client, key, runner, lease, 0.0, false, false);
    let (_, fetched) = drive(
        &mut m,
        &Policy::default(),
        &mut client,
        server,
        request,
        at,
        |s, _| store.swap(&s.key, s.expected, s.value.as_deref()),
    );
    (m, fetched)
}

#[test]
fn a_runner_that_dies_before_its_request_left_leaves_its_item_held_for_a_later_run_to_send_not_maybe_delivered(
) {
    // Runner A's item-0 has its request out; its item-1 waits for pacing. A dies there.
    // item-1's claim was only held: nothing of it left, so a later run sends it (A
    // restarted at once, or another runner once the claim expired), where it was reported
    // maybe delivered and never sent. item-0's claim says its request may have left.
    for (runner, at, resumes) in [
        ("A", DAY1 + 2.0, true),
        ("B", DAY1 + 2.0, false),
        ("B", DAY1 + 36_002.0, true),
    ] {
        let (mut store, mut server) = world(150);
        let mut a = Client::new("k");
        let _ = paced_second(&mut a, &mut store, 15_000.0);
        assert!(store.map["item-0"].0.starts_with("c|"), "marked sending");
        assert!(store.map["item-1"].0.starts_with("h|"), "held");

        let (held, sent) = later_run(&mut store, &mut server, ("item-1", &body(1)), runner, 3, at);
        let what = format!("{runner} at +{} ms", at - DAY1);
        assert_eq!(sent, resumes, "{what}: item-1 sent");
        if resumes {
            assert!(held.outcome().unwrap().result.is_ok(), "{what}");
            assert!(
                store.map["item-1"].0.starts_with("d|1|"),
                "{what}: recorded"
            );
        } else {
            assert_eq!(
                held.origin(),
                Origin::Elsewhere,
                "{what}: a live claim is left alone"
            );
        }

        let (sending, sent) =
            later_run(&mut store, &mut server, ("item-0", &body(0)), runner, 4, at);
        assert!(!sent, "{what}: item-0 not sent again");
        let expected = if resumes {
            Origin::Unknown
        } else {
            Origin::Elsewhere
        };
        assert_eq!(sending.origin(), expected, "{what}: item-0");
        if resumes {
            assert!(
                sending
                    .outcome()
                    .unwrap()
                    .result
                    .as_ref()
                    .unwrap_err()
                    .delivery_unknown
            );
        }
        assert!(server.accepted.len() <= 1, "{what}: nothing twice");
    }
}

#[test]
fn a_claim_the_store_failed_to_give_back_before_any_request_is_sent_by_the_next_run() {
    // The store fails at the reservation and again as the claim is given back: the claim
    // stays. Only held, it tells a later run that nothing was sent, and that run sends the
    // item (without resendUnknown), where it was reported maybe delivered, never sent.
    let policy = Policy::default();
    let (mut store, mut server) = world(150);
    let mut a = Client::new("k");
    let mut m = journaled(&mut a, "item-0", "A", 1, 0.0, false, false);
    assert_eq!(m.start(&policy, &mut a.accounts, DAY1), Step::Swap);
    let step = swaps_until_not_once(&mut m, &mut a, &mut store, DAY1);
    assert_eq!(step, Step::Swap, "claimed; the reservation next");
    assert_eq!(
        m.store_failed("down", &policy),
        Step::Swap,
        "the claim given back"
    );
    assert_eq!(m.store_failed("still down", &policy), Step::Done);
    let e = m.outcome().unwrap().result.clone().unwrap_err();
    assert_eq!(
        (e.kind, e.delivery_unknown),
        (ErrorKind::StoreUnavailable, false)
    );
    assert!(
        store.map["item-0"].0.starts_with("h|A|"),
        "the claim stayed, held"
    );

    for (runner, at) in [("A", DAY1 + 1.0), ("B", DAY1 + 35_001.0)] {
        let mut store = Store {
            map: store.map.clone(),
        };
        let (m, sent) = later_run(&mut store, &mut server, ("item-0", &body(0)), runner, 2, at);
        assert!(sent, "{runner}: sent");
        assert!(m.outcome().unwrap().result.is_ok());
        assert_eq!(m.origin(), Origin::Sent);
    }
}

#[test]
fn a_store_that_answers_a_write_with_version_0_sends_nothing_and_leaves_no_claim_under_a_request() {
    // Version 0 is a key's before any write. Taken at its word, the claim's version 0 left
    // the renewal that marks it sending unasked, and the request left on a held claim: a
    // runner dying then left an item the next run sends again.
    let policy = Policy::default();
    let (mut store, mut server) = world(150);
    let mut client = Client::new("k");
    let mut m = journaled(&mut client, "item-0", "A", 1, 0.0, false, false);
    let (_, fetched) = drive(
        &mut m,
        &policy,
        &mut client,
        &mut server,
        &body(0),
        DAY1,
        |s, _| {
            let (wrote, value, _) = store.swap(&s.key, s.expected, s.value.as_deref());
            (wrote, value, 0)
        },
    );
    assert!(!fetched, "nothing sent");
    let e = m.outcome().unwrap().result.clone().unwrap_err();
    assert_eq!(
        (e.kind, e.delivery_unknown),
        (ErrorKind::StoreUnavailable, false)
    );
    assert!(e.message.contains("version 0"), "{}", e.message);
    assert!(
        !matches!(
            JournalEntry::decode(store.map.get("item-0").map(|(v, _)| v.as_str())),
            JournalEntry::Claimed { sending: true, .. }
        ),
        "no claim says a request may have left"
    );
}

#[test]
fn a_runner_that_dies_in_a_429s_wait_leaves_its_item_held_for_a_later_run_to_send() {
    // A 429 delivered nothing: for the wait before the one retry, the claim is held again,
    // so a runner dying in it leaves an item the next run sends, where it was reported maybe
    // delivered. The retry marks it sending again.
    let policy = Policy {
        max_rate_limit_wait_ms: 60_000.0,
        ..Policy::default()
    };
    // (The 429 showed the day's quota spent: the next run comes the next day.)
    for (runner, at) in [
        ("A", DAY1 + DAY + 2.0),
        ("B", DAY1 + DAY + 2.0),
        ("retry", 0.0),
    ] {
        let (mut store, mut server) = world(0);
        server.retry_after = Some("1".into());
        let mut a = Client::new("k");
        let mut m = journaled(&mut a, "item-0", "A", 1, 0.0, false, false);
        let mut claims = Claims::default();
        let mut step = m.start(&policy, &mut a.accounts, DAY1);
        while step == Step::Swap {
            step = answer_swap(&mut m, &mut a, &mut store, DAY1, &policy, &mut claims);
        }
        assert_eq!(step, Step::Fetch);
        claims.at_fetch(&m);
        let (status, headers, text) = server.post(&a.api_key, &body(0), DAY1);
        let exchange = Exchange::complete(status, headers, &text);
        let mut step = m.exchanged(exchange, &policy, &mut a.accounts, DAY1);
        while step == Step::Swap {
            step = answer_swap(&mut m, &mut a, &mut store, DAY1, &policy, &mut claims);
        }
        assert_eq!(step, Step::Wait(1000.0), "the 429's wait");
        assert!(
            store.map["item-0"].0.starts_with("h|A|"),
            "held for the wait"
        );
        server.quota = 150;
        if runner == "retry" {
            // Alive: the retry marks the claim sending again before its request.
            let now = DAY1 + 1000.0;
            let mut step = m.waited(&policy, &mut a.accounts, now);
            while step == Step::Swap {
                step = answer_swap(&mut m, &mut a, &mut store, now, &policy, &mut claims);
            }
            assert_eq!(step, Step::Fetch);
            claims.at_fetch(&m);
            continue;
        }
        // Runner A dies in the wait: A restarted, or B, sends the item.
        let (m, sent) = later_run(&mut store, &mut server, ("item-0", &body(0)), runner, 2, at);
        assert!(sent, "{runner}: sent");
        assert!(m.outcome().unwrap().result.is_ok(), "{runner}");
        assert_eq!(server.accepted.len(), 1, "{runner}: once");
    }
}
