//! The normalized request body: what is sent, after validation.

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

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
        use crate::text::json_string;
        let mut out = String::with_capacity(96 + self.message.len());
        out.push('{');
        if let Some(account) = &self.account_id {
            out.push_str("\"accountId\":");
            json_string(&mut out, account);
            out.push(',');
        }
        out.push_str("\"recipientProfileUrn\":");
        json_string(&mut out, &self.recipient_profile_urn);
        out.push_str(",\"groupId\":");
        json_string(&mut out, &self.group_id);
        out.push_str(",\"message\":");
        json_string(&mut out, &self.message);
        if let Some(urns) = &self.message_urns {
            out.push_str(",\"messageUrns\":[");
            for (i, urn) in urns.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(&mut out, urn);
            }
            out.push(']');
        }
        out.push('}');
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
