//! The normalized request body: what is sent, after validation.

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// The fields of the request, in the order their errors are reported.
pub const KNOWN_FIELDS: [&str; 5] = [
    "accountId",
    "recipientProfileUrn",
    "groupId",
    "message",
    "messageUrns",
];

/// The path of the endpoint, appended to the base URL.
pub const ENDPOINT_PATH: &str = "/linkedin/messaging/send-group-with-ack";

/// A validated, normalized body of `POST /linkedin/messaging/send-group-with-ack`.
///
/// Identifiers are trimmed; `message` is exactly as given; absent optional
/// fields are left out.
///
/// ```
/// use connectsafely_wasm::request::SendGroupWithAckRequest;
///
/// let request = SendGroupWithAckRequest {
///     account_id: None,
///     recipient_profile_urn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o".into(),
///     group_id: "12345678".into(),
///     message: "Thanks for your message in the group!".into(),
///     message_urns: None,
/// };
/// assert_eq!(request.account_key(), "");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct SendGroupWithAckRequest {
    /// The LinkedIn account to send from; `None` uses the default account.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub account_id: Option<String>,
    /// `urn:li:fsd_profile:...` of the recipient.
    pub recipient_profile_urn: String,
    /// The LinkedIn group id, digits only.
    pub group_id: String,
    /// The message text.
    pub message: String,
    /// Message URNs to acknowledge.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub message_urns: Option<Vec<String>>,
}

impl SendGroupWithAckRequest {
    /// The bytes of UTF-8 its strings hold.
    ///
    /// ```
    /// use connectsafely_wasm::request::SendGroupWithAckRequest;
    ///
    /// let request = SendGroupWithAckRequest {
    ///     account_id: None,
    ///     recipient_profile_urn: "urn:li:fsd_profile:A".into(),
    ///     group_id: "12".into(),
    ///     message: "hé".into(),
    ///     message_urns: Some(vec!["urn:li:a:b".into()]),
    /// };
    /// assert_eq!(request.text_bytes(), 20 + 2 + 3 + 10);
    /// ```
    pub fn text_bytes(&self) -> usize {
        // (Plain adds: an iterator's sum cost the wasm 150 bytes more gzipped.)
        let mut n = self.recipient_profile_urn.len() + self.group_id.len() + self.message.len();
        if let Some(a) = &self.account_id {
            n += a.len();
        }
        for urn in self.message_urns.as_deref().unwrap_or_default() {
            n += urn.len();
        }
        n
    }

    /// The body as JSON text, fields in the documented order.
    ///
    /// ```
    /// use connectsafely_wasm::request::SendGroupWithAckRequest;
    ///
    /// let request = SendGroupWithAckRequest {
    ///     account_id: Some("acct-1".into()),
    ///     recipient_profile_urn: "urn:li:fsd_profile:A".into(),
    ///     group_id: "1".into(),
    ///     message: "Say \"hi\"".into(),
    ///     message_urns: Some(vec!["urn:li:msg_message:(x,y)".into()]),
    /// };
    /// assert_eq!(
    ///     request.to_json(),
    ///     r#"{"accountId":"acct-1","recipientProfileUrn":"urn:li:fsd_profile:A","groupId":"1","message":"Say \"hi\"","messageUrns":["urn:li:msg_message:(x,y)"]}"#
    /// );
    /// ```
    pub fn to_json(&self) -> String {
        let mut out = json_head(
            self.account_id.as_deref(),
            &self.recipient_profile_urn,
            &self.group_id,
            &self.message,
        );
        json_tail(
            &mut out,
            self.message_urns
                .as_ref()
                .map(|u| u.iter().map(String::as_str)),
        );
        out
    }

    /// The account key the rate-limit guard uses ("" for the default account).
    ///
    /// ```
    /// use connectsafely_wasm::request::SendGroupWithAckRequest;
    ///
    /// let mut request = SendGroupWithAckRequest {
    ///     account_id: Some("acct-1".into()),
    ///     recipient_profile_urn: "urn:li:fsd_profile:A".into(),
    ///     group_id: "1".into(),
    ///     message: "Hi".into(),
    ///     message_urns: None,
    /// };
    /// assert_eq!(request.account_key(), "acct-1"); // the quota is per account
    /// request.account_id = None;
    /// assert_eq!(request.account_key(), ""); // the API key's default account
    /// ```
    pub fn account_key(&self) -> &str {
        self.account_id.as_deref().unwrap_or("")
    }
}

/// A request's JSON text from its fields (validated and trimmed), fields in the documented
/// order, up to `message`: [`SendGroupWithAckRequest::to_json`], and the validation fast
/// path's (`validate::Fields::to_json`), which writes it from the caller's text with no
/// owned copy. [`json_tail`] ends it.
pub(crate) fn json_head(account: Option<&str>, urn: &str, group: &str, message: &str) -> String {
    use crate::text::json_string;
    let mut out = String::with_capacity(96 + message.len());
    out.push('{');
    if let Some(account) = account {
        out.push_str("\"accountId\":");
        json_string(&mut out, account);
        out.push(',');
    }
    out.push_str("\"recipientProfileUrn\":");
    json_string(&mut out, urn);
    out.push_str(",\"groupId\":");
    json_string(&mut out, group);
    out.push_str(",\"message\":");
    json_string(&mut out, message);
    out
}

/// Ends [`json_head`]'s text: `messageUrns` when present (an empty list too), then `}`.
pub(crate) fn json_tail<'a>(out: &mut String, urns: Option<impl Iterator<Item = &'a str>>) {
    if let Some(urns) = urns {
        out.push_str(",\"messageUrns\":[");
        for (i, urn) in urns.enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::text::json_string(out, urn);
        }
        out.push(']');
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_json_writes_known_fields_in_order_and_omits_absent_ones() {
        let r = SendGroupWithAckRequest {
            account_id: None,
            recipient_profile_urn: "urn:li:fsd_profile:A".into(),
            group_id: "1".into(),
            message: "hi \"you\"\n".into(),
            message_urns: Some(vec!["urn:li:x:1".into()]),
        };
        assert_eq!(
            r.to_json(),
            r#"{"recipientProfileUrn":"urn:li:fsd_profile:A","groupId":"1","message":"hi \"you\"\n","messageUrns":["urn:li:x:1"]}"#
        );
    }
}
