//! Infobip writes: name through `PATCH /iot/1/sims/{iccid}`, status through
//! `PUT /iot/1/sims/{iccid}/status`, plus the SMS and diagnostic actions.
//! The plan has already kept status moves to the ones the API performs.

use reqwest::{Method, StatusCode};

use super::Infobip;
use super::wire::{ActionAnswer, NameBody, SmsBody, StatusBody};
use crate::model::{Field, Iccid, SimWork, Status, Value};
use crate::provider::http::{Request, Response};
use crate::provider::{Client, ProviderError, SimFailure, SimOutcome};

impl Infobip {
    /// The changes of one SIM, in order; the first failure ends them.
    pub(super) async fn apply_sim(&self, work: &SimWork) -> SimOutcome {
        let mut result = Ok(());
        for change in &work.changes {
            let req = match request(&work.iccid, change.field, &change.after) {
                Ok(r) => r,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            if let Err(e) = self.http.send(req).await.and_then(|r| r.into_success()) {
                result = Err(Self::failure(&e));
                break;
            }
        }
        SimOutcome {
            iccid: work.iccid.clone(),
            result,
            note: None,
        }
    }

    pub(super) async fn sms(&self, iccid: &Iccid, text: &str) -> Result<(), ProviderError> {
        // Not repeatable: a second call sends a second SMS.
        let req =
            Request::new(Method::POST, format!("/iot/1/sims/{iccid}/sms")).json(&SmsBody { text });
        self.send_checked(iccid, req).await.map(drop)
    }

    pub(super) async fn diagnostic(&self, iccid: &Iccid) -> Result<String, ProviderError> {
        // Not repeatable: a second call runs the diagnostics again.
        let req = Request::new(Method::POST, format!("/iot/1/sims/{iccid}/diagnostic"));
        let resp = self.send_checked(iccid, req).await?;
        let answer: ActionAnswer = resp.decode()?;
        Ok(answer.action_id)
    }

    /// Sends, mapping 404 to `NotFound` and other failures to the provider's text.
    async fn send_checked(&self, iccid: &Iccid, req: Request) -> Result<Response, ProviderError> {
        let resp = self.http.send(req).await?;
        if resp.status == StatusCode::NOT_FOUND {
            return Err(ProviderError::NotFound {
                iccid: iccid.clone(),
            });
        }
        resp.into_success()
            .map_err(|e| ProviderError::Refused(Self::failure(&e)))
    }
}

/// The call that sets `field` to `after`.
pub(super) fn request(iccid: &Iccid, field: Field, after: &Value) -> Result<Request, SimFailure> {
    match (field, after) {
        (Field::Name, Value::Text(name)) => {
            Ok(Request::new(Method::PATCH, format!("/iot/1/sims/{iccid}"))
                .json(&NameBody { name })
                // Sets the name: twice leaves what once does.
                .repeatable())
        }
        // The API has no null name; an empty one clears it.
        (Field::Name, Value::Null) => {
            Ok(Request::new(Method::PATCH, format!("/iot/1/sims/{iccid}"))
                .json(&NameBody { name: "" })
                .repeatable())
        }
        (Field::Status, Value::Status(s)) => {
            let status = match s {
                Status::Active => "Active",
                Status::Suspended => "Suspended",
                Status::Inactive => {
                    return Err(SimFailure::inexpressible(
                        "Infobip cannot set a SIM inactive",
                    ));
                }
            };
            // Not repeatable: once the first landed, a repeat is refused
            // ("Status change from Active to Active is not allowed").
            Ok(
                Request::new(Method::PUT, format!("/iot/1/sims/{iccid}/status"))
                    .json(&StatusBody { status }),
            )
        }
        (field, value) => Err(SimFailure::inexpressible(format!(
            "Infobip cannot set {} to {value}",
            field.manifest_name()
        ))),
    }
}
