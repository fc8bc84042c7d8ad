//! Reading Onomondo state: cursor pages of SIMs, the tags they carry, the
//! tag list when a declared tag is on no SIM, and conversion to the model.
//! A listed SIM's data limit is unknown (the list answer does not hold it),
//! never `null`: it comes only from a single SIM's answer.
//!
//! Every SIM's `tags` carry `{id, name, can_write}`, so the tags the SIMs
//! show are learned while converting them; the account's tag list (the
//! search path real clients use, `GET /tags` only where that is absent) is
//! read only for names no SIM carries.

use std::collections::HashMap;
use std::sync::Arc;

use reqwest::{Method, StatusCode};

use super::Onomondo;
use super::wire::{
    PAGE_LIMIT, SimPage, TAG_PAGE, TagAnswer, TagPage, WireDataLimit, WireSim, WireTag,
};
use crate::kind::onomondo::{CONNECTOR, DATA_LIMIT, IMEI_LOCK, NETWORK_WHITELIST};
use crate::model::{Field, Fields, Iccid, LiveSim, Names, Record, Scalar, Status, Value};
use crate::provider::ProviderError;
use crate::provider::http::{Request, Response};
use crate::provider::listing::{self, At, Next, Page};

/// The account's tags as far as this run has seen them: one copy of each
/// name, its id and whether it may be taken off a SIM.
#[derive(Debug, Default)]
pub struct TagBook {
    known: HashMap<Arc<str>, (String, bool)>,
    /// By SIM id, the ids of tags without a name on that SIM when last
    /// read: a tag update replaces the whole list, so it carries them.
    unnamed: HashMap<String, Vec<String>>,
    /// Whether the whole tag list was read (then `known` is complete).
    pub listed: bool,
}

impl TagBook {
    /// The shared copy of `tag`'s name, learning its id on first sight.
    fn learn(&mut self, tag: &WireTag) -> Arc<str> {
        if let Some((name, _)) = self.known.get_key_value(tag.name.as_str()) {
            return name.clone();
        }
        let name: Arc<str> = Arc::from(tag.name.as_str());
        self.known
            .insert(name.clone(), (tag.id.clone(), tag.can_write));
        name
    }

    /// Remembers the unnamed tags of SIM `sim_id` as just read.
    fn keep_unnamed(&mut self, sim_id: &str, ids: &[String]) {
        if ids.is_empty() {
            self.unnamed.remove(sim_id);
        } else {
            self.unnamed.insert(sim_id.to_owned(), ids.to_vec());
        }
    }

    /// The ids of the unnamed tags SIM `sim_id` carried when last read.
    pub fn unnamed(&self, sim_id: &str) -> &[String] {
        self.unnamed.get(sim_id).map_or(&[], Vec::as_slice)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.known.contains_key(name)
    }

    pub fn id(&self, name: &str) -> Option<&str> {
        self.known.get(name).map(|(id, _)| id.as_str())
    }

    /// Every known tag: name and whether it may be removed.
    pub fn all(&self) -> impl Iterator<Item = (&str, bool)> {
        self.known.iter().map(|(n, (_, w))| (n.as_ref(), *w))
    }

    /// Adds the tags of a full list and marks the book complete.
    pub fn complete(&mut self, tags: &[WireTag]) {
        for tag in tags {
            self.learn(tag);
        }
        self.listed = true;
    }
}

/// Converts a wire SIM into the normalised model; its tags are learned
/// into `book`, so a fleet's SIMs share one copy of each name. The data
/// limit is in the model only when the record is a single SIM's answer:
/// a listed SIM's is read as a detail (`Onomondo::details`).
pub fn to_live(sim: &WireSim, book: &mut TagBook) -> LiveSim {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    let status = if sim.activated {
        Status::Active
    } else {
        Status::Inactive
    };
    let tags = sim.tags.named.iter().map(|t| book.learn(t)).collect();
    book.keep_unnamed(&sim.id, &sim.tags.unnamed);
    let mut fields = Fields::from([
        (Field::Name, text(&sim.label)),
        (Field::Status, Value::Status(status)),
        (Field::Tags, Value::Set(Names::from_shared(tags))),
        (Field::Own(&NETWORK_WHITELIST), text(&sim.network_whitelist)),
        (Field::Own(&IMEI_LOCK), text(&sim.imei_lock)),
        (Field::Own(&CONNECTOR), text(&sim.connector)),
    ]);
    if sim.single {
        fields.extend(data_limit(sim.data_limit.as_ref()));
    }
    LiveSim {
        iccid: Iccid::from_live(&sim.iccid),
        id: sim.id.clone(),
        fields,
        condition: None,
        aliases: Vec::new(),
    }
}

/// The data limit of a single SIM's answer as the model's detail field;
/// usage counters (`used`, `period`, `resets_at`) are not managed.
pub fn data_limit(limit: Option<&WireDataLimit>) -> Fields {
    let value = match limit {
        Some(WireDataLimit {
            total: Some(total),
            kind: Some(kind),
            alert_threshold,
        }) => Value::Record(Box::new(Record::new([
            ("total".to_owned(), Scalar::Count(*total)),
            ("type".to_owned(), Scalar::Text(kind.clone())),
            (
                "alert_threshold".to_owned(),
                alert_threshold.map_or(Scalar::Null, Scalar::Count),
            ),
        ]))),
        _ => Value::Null,
    };
    Fields::from([(Field::Own(&DATA_LIMIT), value)])
}

impl Onomondo {
    /// One `GET /sims` page. It ends the listing only when it says so
    /// (`has_more` false), or when it is not full (fewer SIMs than asked
    /// for, and not fewer than a `total` it gives) and names no next page.
    pub(super) async fn sim_page(&self, at: At) -> Result<Page<WireSim>, ProviderError> {
        let mut req = Request::new(Method::GET, "/sims")
            .query("limit", PAGE_LIMIT)
            .listing();
        if let At::Cursor(cursor) = &at {
            req = req.query("next_page", cursor);
        }
        let resp = self.http.send(req).await?.into_success()?;
        let page: SimPage = resp.decode()?;
        let Some(sims) = page.sims else {
            return Err(resp.missing("sims", "the SIM list").into());
        };
        // The end only where the answer says so: `has_more` false, or a
        // page that is not full and names no next page.
        let full = sims.len() >= PAGE_LIMIT || page.total.is_some_and(|t| sims.len() < t);
        let next = match page.pagination {
            Some(p) if p.has_more == Some(false) => Next::End,
            Some(p) => match p.next_page.filter(|c| !c.is_empty()) {
                Some(cursor) => Next::Cursor(cursor),
                None if p.has_more == Some(true) || full => {
                    return Err(resp
                        .missing("pagination.next_page", "where the next page is")
                        .into());
                }
                None => Next::End,
            },
            None if !full => Next::End,
            None => {
                return Err(resp
                    .missing("pagination", "whether more SIMs follow a full page")
                    .into());
            }
        };
        Ok(Page::of(resp, sims, next, page.total))
    }

    /// The whole tag list: the search path real clients use, `GET /tags`
    /// (the provider text's) only when that answers 404.
    pub(super) async fn tag_list(&self) -> Result<Vec<WireTag>, ProviderError> {
        let tally = self.http.tally();
        tally.expect(1);
        let first = self.tag_search(&At::First).await?;
        if first.status == StatusCode::NOT_FOUND {
            tracing::debug!("the tag search path answered 404; reading GET /tags");
            tally.expect(1);
            let resp = self
                .http
                .send(Request::new(Method::GET, "/tags").listing())
                .await?
                .into_success()?;
            return match resp.decode::<TagAnswer>()? {
                TagAnswer::Bare(tags) => Ok(tags),
                TagAnswer::Page(TagPage {
                    result: Some(tags), ..
                }) => Ok(tags),
                TagAnswer::Page(_) => Err(resp.missing("result", "the tag list").into()),
            };
        }
        let first = tag_page(first.into_success()?, 0)?;
        let rest = |at: At| async move {
            let offset = offset_of(&at);
            tag_page(self.tag_search(&at).await?.into_success()?, offset)
        };
        listing::all_from(first, rest, |t: &WireTag| t.id.clone(), tally, 1).await
    }

    /// One request of `GET /tags/search/tags`, its status unjudged.
    async fn tag_search(&self, at: &At) -> Result<Response, ProviderError> {
        let req = Request::new(Method::GET, "/tags/search/tags")
            .query("offset", offset_of(at))
            .query("limit", TAG_PAGE);
        Ok(self.http.send(req).await?)
    }
}

/// The offset a tag page starts at: our own cursor, written by `tag_page`
/// as the next offset (so it always parses); the first page starts at 0.
fn offset_of(at: &At) -> usize {
    match at {
        At::Cursor(o) => o.parse().unwrap_or(usize::MAX),
        At::First | At::Number(_) => 0,
    }
}

/// One page of the tag search: offset paging until `offset + count`
/// reaches `total`; a bare array is the whole list.
fn tag_page(resp: Response, offset: usize) -> Result<Page<WireTag>, ProviderError> {
    let (tags, next, total) = match resp.decode::<TagAnswer>()? {
        TagAnswer::Bare(tags) => (tags, Next::End, None),
        TagAnswer::Page(TagPage {
            result: Some(tags),
            total: Some(total),
            offset: given,
        }) => {
            let end = given.unwrap_or(offset) + tags.len();
            let next = if end < total {
                Next::Cursor(end.to_string())
            } else {
                Next::End
            };
            (tags, next, Some(total))
        }
        TagAnswer::Page(TagPage {
            result: Some(tags),
            total: None,
            ..
        }) if tags.len() < TAG_PAGE => (tags, Next::End, None),
        TagAnswer::Page(TagPage {
            result: Some(_), ..
        }) => {
            return Err(resp
                .missing("total", "whether more tags follow a full page")
                .into());
        }
        TagAnswer::Page(_) => return Err(resp.missing("result", "the tag list").into()),
    };
    Ok(Page::of(resp, tags, next, total))
}
