//! [`Iccid`]: a SIM's identity, and the Luhn check digit validation uses.
//!
//! It must accept whatever a provider reports (see [`Iccid::from_live`]):
//! judging a manifest's ICCIDs is validation's work, not this type's.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A SIM's ICCID: 18 to 22 decimal digits. The check digit is verified at
/// validation time (a provider may opt out), not here, so live SIMs with
/// unusual ICCIDs can still be represented.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Iccid(String);

impl Iccid {
    /// Accepts 18 to 22 ASCII digits.
    pub fn parse(text: &str) -> Option<Iccid> {
        Iccid::valid(text).then(|| Iccid(text.to_owned()))
    }

    /// [`Iccid::parse`] keeping the string it is given, or giving it back.
    pub fn parse_owned(text: String) -> Result<Iccid, String> {
        if Iccid::valid(&text) {
            Ok(Iccid(text))
        } else {
            Err(text)
        }
    }

    fn valid(text: &str) -> bool {
        (18..=22).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
    }

    /// Wraps a live identifier without checking it: providers report what they
    /// hold, and simfleet must be able to list it even when it is malformed.
    pub fn from_live(text: impl Into<String>) -> Iccid {
        Iccid(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Luhn (mod 10) check over all digits, the last being the check digit.
    pub fn luhn_ok(&self) -> bool {
        match self.0.as_bytes().split_last() {
            Some((check, body)) if check.is_ascii_digit() => {
                // `body` is a prefix of a UTF-8 string cut before an ASCII byte.
                let body = std::str::from_utf8(body).unwrap_or_default();
                check - b'0' == luhn_check_digit(body)
            }
            _ => false,
        }
    }
}

impl fmt::Display for Iccid {
    /// Inert: a live ICCID is whatever a provider sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::inert(&self.0))
    }
}

/// The Luhn check digit for a string of ASCII digits.
pub fn luhn_check_digit(body: &str) -> u8 {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0') % 10);
        // Counting from the right, every other digit starting with the first
        // is doubled, because the check digit will take position 0.
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    // The result is below 10, so the cast cannot truncate.
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_documented_iccids_and_rejects_typos() {
        for good in [
            "89457387300000024185",
            "89457387300000024177",
            "89457387300002791013",
        ] {
            assert!(Iccid::parse(good).unwrap().luhn_ok(), "{good}");
        }
        assert!(!Iccid::parse("89457387300000024186").unwrap().luhn_ok());
    }

    #[test]
    fn iccid_length_and_digits() {
        assert!(Iccid::parse("12345678901234567").is_none());
        assert!(Iccid::parse("12345678901234567890123").is_none());
        assert!(Iccid::parse("8945738730000002418x").is_none());
        assert!(Iccid::parse("123456789012345678").is_some());
    }
}
