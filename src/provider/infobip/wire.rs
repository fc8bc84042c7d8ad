//! Infobip IoT request and response shapes (docs/providers.md).
//!
//! Tolerant reader: unknown fields are ignored, and usage counters are read
//! under both spellings the text uses (the examples' `usedDataBytes`,
//! `sentSmsCount` ... and the table's `totalData`, `totalSmsMo` ...), as
//! numbers or strings. Strict writer: bodies carry exactly one documented
//! property.

use serde::{Deserialize, Deserializer, Serialize};

/// Page size asked for: the documented maximum, to keep requests few.
pub const PAGE_LIMIT: usize = 100;

#[derive(Debug, Clone, Deserialize)]
pub struct WireSim {
    pub iccid: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireUsage {
    pub iccid: String,
    #[serde(default, alias = "totalData", deserialize_with = "count")]
    pub used_data_bytes: Option<u64>,
    /// Mobile-originated: sent by the SIM.
    #[serde(default, alias = "totalSmsMo", deserialize_with = "count")]
    pub sent_sms_count: Option<u64>,
    /// Mobile-terminated: received by the SIM.
    #[serde(default, alias = "totalSmsMt", deserialize_with = "count")]
    pub received_sms_count: Option<u64>,
    #[serde(default, alias = "totalVoiceOutgoing", deserialize_with = "count")]
    pub sent_calls_count: Option<u64>,
    #[serde(default, alias = "totalVoiceIncoming", deserialize_with = "count")]
    pub received_calls_count: Option<u64>,
}

/// A counter given as a number, a numeric string, or null.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u64),
        Text(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(Raw::Number(n)) => Ok(Some(n)),
        Some(Raw::Text(t)) if t.trim().is_empty() => Ok(None),
        Some(Raw::Text(t)) => {
            t.trim().parse().map(Some).map_err(|_| {
                serde::de::Error::custom(format!("usage counter {t:?} is not a number"))
            })
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionAnswer {
    pub action_id: String,
}

#[derive(Debug, Serialize)]
pub struct NameBody<'a> {
    pub name: &'a str,
}

#[derive(Debug, Serialize)]
pub struct StatusBody {
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SmsBody<'a> {
    pub text: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    request_error: RequestError,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestError {
    service_exception: ServiceException,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServiceException {
    message_id: String,
    #[serde(default)]
    text: String,
}

/// `MESSAGE_ID: text` from an Infobip error body, if it is one.
pub fn error_text(body: &str) -> Option<String> {
    let e = serde_json::from_str::<ErrorBody>(body).ok()?;
    let ex = e.request_error.service_exception;
    Some(format!("{}: {}", ex.message_id, ex.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_reads_both_documented_spellings() {
        let example: WireUsage = serde_json::from_str(
            r#"{"iccid":"1","receivedSmsCount":null,"sentSmsCount":null,"usedDataBytes":27199488,
                "receivedCallsCount":null,"sentCallsCount":null}"#,
        )
        .unwrap();
        assert_eq!(example.used_data_bytes, Some(27_199_488));
        assert_eq!(example.sent_sms_count, None);
        let table: WireUsage = serde_json::from_str(
            r#"{"iccid":"1","simName":"x","totalSmsMt":"2","totalSmsMo":"3","totalData":"100",
                "totalVoiceIncoming":"0","totalVoiceOutgoing":"5"}"#,
        )
        .unwrap();
        assert_eq!(table.used_data_bytes, Some(100));
        assert_eq!(table.received_sms_count, Some(2));
        assert_eq!(table.sent_sms_count, Some(3));
        assert_eq!(table.sent_calls_count, Some(5));
    }

    #[test]
    fn error_bodies_are_summarised() {
        let body =
            r#"{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"no"}}}"#;
        assert_eq!(error_text(body).as_deref(), Some("BAD_REQUEST: no"));
        assert_eq!(error_text("oops"), None);
    }
}
