//! The imperative operations of docs/architecture.md (`sim show`, `usage`, `sms`,
//! `diagnose`): which provider to ask and the checks made before any
//! request. Their output is rendered by `render::operations`.
//!
//! Everything here runs before or after the network: whether a provider
//! offers an operation is read from its capabilities, and a refusal must
//! happen before any client is built. Nothing here may send a request.

use crate::kind::{Operation, ProviderKind};
use crate::manifest::{Manifests, UnknownProvider};
use crate::model::Iccid;

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("`{}` is not an ICCID (18 to 22 digits)", crate::text::inert(.text))]
    BadIccid { text: String },
    #[error("--provider: {0}")]
    UnknownProvider(#[from] UnknownProvider),
    #[error(
        "SIM {iccid} is declared in no manifest and several providers could hold it; name one with --provider"
    )]
    Undeclared { iccid: Iccid },
    #[error(
        "provider `{provider}` ({kind}) does not offer `{command}`; it is offered by {offered_by}"
    )]
    NotOffered {
        provider: String,
        kind: ProviderKind,
        command: &'static str,
        offered_by: String,
    },
    #[error("no provider in the manifests offers `{command}`")]
    NoneOffers { command: &'static str },
    #[error("the SMS text is {chars} characters; at most {max} can be sent")]
    SmsTooLong { chars: usize, max: usize },
    #[error("the SMS text is empty")]
    SmsEmpty,
}

pub fn parse_iccid(text: &str) -> Result<Iccid, OperationError> {
    Iccid::parse(text.trim()).ok_or_else(|| OperationError::BadIccid {
        text: text.to_owned(),
    })
}

/// Provider types that offer `op`, for messages.
fn offered_by(op: Operation) -> String {
    let kinds: Vec<String> = ProviderKind::offering(op)
        .into_iter()
        .map(|k| format!("{k} providers"))
        .collect();
    crate::wording::words(&kinds, "and")
}

/// Checks that provider `name` exists and offers `op`.
pub fn check_offered(
    manifests: &Manifests,
    name: &str,
    op: Operation,
) -> Result<(), OperationError> {
    let config = manifests.provider(name)?;
    if config.kind.capabilities().offers(op) {
        Ok(())
    } else {
        Err(OperationError::NotOffered {
            provider: name.to_owned(),
            kind: config.kind,
            command: op.command(),
            offered_by: offered_by(op),
        })
    }
}

/// The provider to ask about `iccid`: `--provider` if given, else the one
/// whose manifest declares the SIM, else the only provider offering `op`.
/// It must offer `op`.
pub fn target(
    manifests: &Manifests,
    iccid: &Iccid,
    provider: Option<&str>,
    op: Operation,
) -> Result<String, OperationError> {
    let name = match provider {
        Some(p) => p.to_owned(),
        None => manifests
            .sims
            .iter()
            .find(|s| &s.iccid == iccid)
            .map(|s| s.provider.to_string())
            .or_else(|| {
                let mut offering = manifests
                    .providers
                    .iter()
                    .filter(|(_, c)| c.kind.capabilities().offers(op));
                match (offering.next(), offering.next()) {
                    (Some((only, _)), None) => Some(only.clone()),
                    _ => None,
                }
            })
            .ok_or_else(|| OperationError::Undeclared {
                iccid: iccid.clone(),
            })?,
    };
    check_offered(manifests, &name, op)?;
    Ok(name)
}

/// The named providers (each must offer `op`), or every one that does.
pub fn providers_offering(
    manifests: &Manifests,
    names: &[String],
    op: Operation,
) -> Result<Vec<String>, OperationError> {
    if !names.is_empty() {
        for name in names {
            check_offered(manifests, name, op)?;
        }
        return Ok(names.to_vec());
    }
    let all: Vec<String> = manifests
        .providers
        .iter()
        .filter(|(_, c)| c.kind.capabilities().offers(op))
        .map(|(n, _)| n.clone())
        .collect();
    if all.is_empty() {
        return Err(OperationError::NoneOffers {
            command: op.command(),
        });
    }
    Ok(all)
}

/// The SMS length rule of `kind` (from its row), checked before anything is sent.
pub fn check_sms_text(kind: ProviderKind, text: &str) -> Result<(), OperationError> {
    let max = kind.capabilities().sms_max_chars.unwrap_or(usize::MAX);
    match text.chars().count() {
        0 => Err(OperationError::SmsEmpty),
        n if n > max => Err(OperationError::SmsTooLong { chars: n, max }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_length_counts_characters_not_bytes() {
        let mut checked = 0;
        for kind in ProviderKind::ALL {
            let Some(max) = kind.capabilities().sms_max_chars else {
                continue;
            };
            assert!(check_sms_text(kind, &"é".repeat(max)).is_ok());
            let chars = max + 1;
            assert!(matches!(
                check_sms_text(kind, &"a".repeat(chars)),
                Err(OperationError::SmsTooLong { chars: c, max: m }) if c == chars && m == max
            ));
            assert!(check_sms_text(kind, "").is_err());
            checked += 1;
        }
        assert!(checked > 0, "no kind sends SMS");
    }
}
