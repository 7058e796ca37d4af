//! What the endpoint answered when it succeeded: the `data` of a `SendSuccess`.

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// The `data` of a success, each field `null` when the body lacks it or has the wrong type.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use connectsafely_wasm::result::SuccessData;
///
/// let data: SuccessData = serde_json::from_value(serde_json::json!({
///     "success": true, "message": "Group context message sent successfully",
///     "recipientProfileUrn": null, "groupId": "12345678", "acknowledgmentSent": true,
/// })).unwrap();
/// assert_eq!((data.group_id.as_deref(), data.recipient_profile_urn), (Some("12345678"), None));
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "camelCase", deny_unknown_fields)
)]
pub struct SuccessData {
    /// Always true.
    pub success: bool,
    /// The server's message.
    pub message: Option<String>,
    /// The recipient, as the server echoed it.
    pub recipient_profile_urn: Option<String>,
    /// The group, as the server echoed it.
    pub group_id: Option<String>,
    /// Whether the acknowledgment was sent.
    pub acknowledgment_sent: Option<bool>,
}
