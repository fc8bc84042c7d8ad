//! Reading a whole paged list, once for every provider: follow cursors or
//! numbered pages the way the first answer says, stop only on the
//! provider's own end signal, and refuse what would loop or overrun.
//!
//! A client reads one page ([`Page`]) and says where the next one is
//! ([`Next`]); this module decides how many to fetch, how many at once,
//! and when the listing is over. It must never end a listing early on a
//! guess: an answer that does not say whether more follows is the
//! client's shape error, not an empty rest. A cursor seen twice, a
//! numbered page that opens like an earlier one, or more SIMs than the
//! provider's own total are errors, never a loop or a silent cut.

use std::collections::HashSet;
use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::{self, FuturesOrdered};

use super::ProviderError;
use super::http::{HttpError, Response, Where};
use crate::tally::Tally;

/// The most items a listing may return. Far beyond any real account, it
/// only stops a server whose pages never end (or whose total is absurd)
/// before it exhausts memory.
pub const MAX_LISTED: usize = 10_000_000;

/// The most pages a listing may take: a server that keeps pointing to
/// more pages is not followed forever, even when they are empty.
pub const MAX_PAGES: usize = 1_000_000;

/// Empty pages in a row that still point to a next one: taken as a server
/// whose pages never end.
const EMPTY_IN_A_ROW: usize = 10;

/// Full pages read per page requested ahead of the one being read, where
/// the total is unknown: each page in flight may prove to be past the end,
/// so this keeps those wasted requests under 2% of the pages needed.
const PAGES_PER_AHEAD: usize = 50;

/// Which page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// The first page, asked the way the API documents a first request.
    First,
    /// The page a cursor from the previous answer points at.
    Cursor(String),
    /// A numbered page (1-based; the first is [`At::First`]).
    Number(usize),
}

/// Where the rest of a listing is, as one answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// The provider says this is the last page.
    End,
    /// Follow this opaque cursor.
    Cursor(String),
    /// Numbered pages of `size` items: with a total, exactly the pages it
    /// needs; without one, until a page shorter than `size`.
    Numbered { size: usize },
}

/// One page of a listing and what it says about the rest.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Next,
    /// Items in the whole list, where the answer says.
    pub total: Option<usize>,
    /// The URL asked, and which provider answered: for messages.
    pub url: String,
    pub at: Where,
}

impl<T> Page<T> {
    /// The page `resp` answered: its `items`, where the rest is, and the
    /// total it gives.
    pub fn of(resp: Response, items: Vec<T>, next: Next, total: Option<usize>) -> Page<T> {
        Page {
            items,
            next,
            total,
            url: resp.url,
            at: resp.at,
        }
    }

    fn error(&self, detail: String) -> ProviderError {
        ProviderError::Http(HttpError::Shape {
            call: format!("GET {}", self.url),
            at: self.at.clone(),
            detail,
        })
    }
}

/// Every item of a listing. `fetch` reads one page; `key` names an item
/// (to notice a numbered page that repeats an earlier one); `tally` hears
/// of each page before it is asked; at most `width` pages are in flight.
pub async fn all<T, F, Fut>(
    fetch: F,
    key: impl Fn(&T) -> String,
    tally: &Tally,
    width: usize,
) -> Result<Vec<T>, ProviderError>
where
    F: Fn(At) -> Fut,
    Fut: Future<Output = Result<Page<T>, ProviderError>>,
{
    tally.expect(1);
    let first = fetch(At::First).await?;
    all_from(first, fetch, key, tally, width).await
}

/// The same as [`all`] from a first page already read (a caller that
/// judged the first answer itself, e.g. to fall back on a 404).
pub async fn all_from<T, F, Fut>(
    first: Page<T>,
    fetch: F,
    key: impl Fn(&T) -> String,
    tally: &Tally,
    width: usize,
) -> Result<Vec<T>, ProviderError>
where
    F: Fn(At) -> Fut,
    Fut: Future<Output = Result<Page<T>, ProviderError>>,
{
    bounded(&first, first.items.len())?;
    match first.next.clone() {
        Next::End => Ok(first.items),
        Next::Cursor(cursor) => cursors(&fetch, first, cursor, tally).await,
        Next::Numbered { size } => match first.total {
            Some(total) if first.items.len() == total => Ok(first.items),
            Some(total) if first.items.len() > total => Err(first.error(format!(
                "the first page holds {} items, more than the total of {total} it gives",
                first.items.len()
            ))),
            Some(total) if first.items.is_empty() => Err(first.error(format!(
                "the first page is empty although the total it gives is {total}"
            ))),
            // A first page shorter than asked although the total says more:
            // the server's page size is smaller than the one asked for.
            Some(total) => {
                let size = first.items.len().min(size);
                counted(&fetch, first, key, total, size, tally, width).await
            }
            None if first.items.len() < size => Ok(first.items),
            None => uncounted(&fetch, first, key, size, tally, width).await,
        },
    }
}

fn bounded<T>(page: &Page<T>, listed: usize) -> Result<(), ProviderError> {
    if listed > MAX_LISTED || page.total.is_some_and(|t| t > MAX_LISTED) {
        return Err(page.error(format!(
            "the listing goes past {MAX_LISTED} items; taken as a server whose pages never end"
        )));
    }
    Ok(())
}

/// Follows cursors until an answer gives none.
async fn cursors<T, F, Fut>(
    fetch: &F,
    mut first: Page<T>,
    mut cursor: String,
    tally: &Tally,
) -> Result<Vec<T>, ProviderError>
where
    F: Fn(At) -> Fut,
    Fut: Future<Output = Result<Page<T>, ProviderError>>,
{
    let total = first.total;
    let mut out = std::mem::take(&mut first.items);
    let mut seen = HashSet::new();
    let mut empty = 0;
    loop {
        if seen.len() >= MAX_PAGES {
            return Err(first.error(format!(
                "the listing goes past {MAX_PAGES} pages; taken as a server whose pages never end"
            )));
        }
        if !seen.insert(cursor.clone()) {
            return Err(first.error(format!(
                "the cursor {cursor:?} came back a second time: the listing would never end"
            )));
        }
        tally.expect(1);
        let page = fetch(At::Cursor(cursor)).await?;
        let n = page.items.len();
        let next = page.next.clone();
        bounded(&page, out.len() + n)?;
        if let Some(total) = total.or(page.total)
            && out.len() + n > total
            && matches!(next, Next::Cursor(_))
        {
            return Err(page.error(format!(
                "more pages follow although the {} items read already exceed the {total} \
                 the provider reported",
                out.len() + n
            )));
        }
        empty = if n == 0 { empty + 1 } else { 0 };
        if empty >= EMPTY_IN_A_ROW && matches!(next, Next::Cursor(_)) {
            return Err(page.error(format!(
                "{empty} empty pages in a row still point to a next one: the listing would \
                 never end"
            )));
        }
        out.extend(page.items);
        match next {
            Next::Cursor(c) => cursor = c,
            _ => return Ok(out),
        }
    }
}

/// Numbered pages whose count the first answer's total gives: the rest
/// are fetched at once, `width` at a time. The items read must be exactly
/// the total: fewer would be a silent cut, more a server repeating pages.
async fn counted<T, F, Fut>(
    fetch: &F,
    mut first: Page<T>,
    key: impl Fn(&T) -> String,
    total: usize,
    size: usize,
    tally: &Tally,
    width: usize,
) -> Result<Vec<T>, ProviderError>
where
    F: Fn(At) -> Fut,
    Fut: Future<Output = Result<Page<T>, ProviderError>>,
{
    let pages = total.div_ceil(size.max(1));
    if pages > MAX_PAGES {
        return Err(first.error(format!(
            "a total of {total} in pages of {size} goes past {MAX_PAGES} pages"
        )));
    }
    tally.expect(pages.saturating_sub(1));
    let mut openings: HashSet<String> = first.items.first().map(&key).into_iter().collect();
    let mut out = std::mem::take(&mut first.items);
    let mut rest = stream::iter((2..=pages).map(|n| fetch(At::Number(n)))).buffered(width.max(1));
    while let Some(page) = rest.next().await {
        let page = page?;
        if page.items.len() > size {
            return Err(page.error(format!(
                "a page holds {} items although pages hold {size}",
                page.items.len()
            )));
        }
        if let Some(item) = page.items.first()
            && !openings.insert(key(item))
        {
            return Err(page.error(
                "a page opens like an earlier page: the server ignores the page number".into(),
            ));
        }
        out.extend(page.items);
    }
    if out.len() != total {
        return Err(first.error(format!(
            "the pages hold {} items, not the total of {total} they give: the account changed \
             while it was read, or its pages are not what they seem; read again",
            out.len()
        )));
    }
    Ok(out)
}

/// Numbered pages without a total: read ahead, one more page in flight
/// for every [`PAGES_PER_AHEAD`] read up to `width`, until a short page.
async fn uncounted<T, F, Fut>(
    fetch: &F,
    first: Page<T>,
    key: impl Fn(&T) -> String,
    size: usize,
    tally: &Tally,
    width: usize,
) -> Result<Vec<T>, ProviderError>
where
    F: Fn(At) -> Fut,
    Fut: Future<Output = Result<Page<T>, ProviderError>>,
{
    // Pages open with distinct items; one that opens like an earlier one
    // means the server ignores the page number and would never end.
    let mut openings: HashSet<String> = first.items.first().map(&key).into_iter().collect();
    let mut out = first.items;
    let mut pending = FuturesOrdered::new();
    let mut next = 2;
    let mut read = 1;
    loop {
        let ahead = (1 + read / PAGES_PER_AHEAD).min(width.max(1));
        while pending.len() < ahead {
            tally.expect(1);
            pending.push_back(fetch(At::Number(next)));
            next += 1;
        }
        let Some(page) = pending.next().await else {
            return Ok(out);
        };
        let page = page?;
        read += 1;
        if read > MAX_PAGES {
            return Err(page.error(format!(
                "the listing goes past {MAX_PAGES} pages; taken as a server whose pages never end"
            )));
        }
        if let Some(first) = page.items.first()
            && !openings.insert(key(first))
        {
            return Err(page.error(format!(
                "page {read} opens like an earlier page: the server ignores the page number \
                 and the listing would never end"
            )));
        }
        bounded(&page, out.len() + page.items.len())?;
        let short = page.items.len() < size;
        out.extend(page.items);
        if short {
            // Pages asked beyond it are past the end; dropped unread.
            tally.forget(pending.len());
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn page(items: Vec<u32>, next: Next, total: Option<usize>) -> Page<u32> {
        Page {
            items,
            next,
            total,
            url: "http://127.0.0.1/list".into(),
            at: Where::default(),
        }
    }

    /// Runs a listing over `pages` (answered by position of the request),
    /// returning its result and the pages asked for.
    fn run(answer: impl Fn(&At) -> Page<u32>, width: usize) -> (Result<Vec<u32>, String>, Vec<At>) {
        let asked = Mutex::new(Vec::new());
        let fetch = |at: At| {
            asked.lock().unwrap().push(at.clone());
            let p = answer(&at);
            async move { Ok::<_, ProviderError>(p) }
        };
        let tally = Tally::default();
        let result = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(all(fetch, |n: &u32| n.to_string(), &tally, width));
        let asked = asked.into_inner().unwrap();
        (result.map_err(|e| e.to_string()), asked)
    }

    #[test]
    fn cursors_are_followed_until_an_answer_gives_none() {
        let (got, asked) = run(
            |at| match at {
                At::First => page(vec![1, 2], Next::Cursor("a".into()), None),
                At::Cursor(c) if c == "a" => page(vec![3], Next::End, None),
                other => panic!("asked {other:?}"),
            },
            4,
        );
        assert_eq!(got.unwrap(), vec![1, 2, 3]);
        assert_eq!(asked.len(), 2);
    }

    #[test]
    fn a_cursor_that_comes_back_is_an_error() {
        let (got, _) = run(
            |at| match at {
                At::First => page(vec![1], Next::Cursor("a".into()), None),
                _ => page(vec![2], Next::Cursor("a".into()), None),
            },
            4,
        );
        assert!(got.unwrap_err().contains("came back a second time"));
    }

    #[test]
    fn pages_beyond_the_reported_total_are_an_error() {
        let (got, _) = run(
            |at| match at {
                At::First => page(vec![1, 2], Next::Cursor("a".into()), Some(3)),
                At::Cursor(c) if c == "a" => page(vec![3, 4], Next::Cursor("b".into()), Some(3)),
                _ => page(vec![5], Next::End, Some(3)),
            },
            4,
        );
        let err = got.unwrap_err();
        assert!(err.contains("exceed the 3"), "{err}");
    }

    #[test]
    fn a_total_gives_the_numbered_pages_to_fetch() {
        let (got, asked) = run(
            |at| match at {
                At::First => page(vec![1, 2], Next::Numbered { size: 2 }, Some(5)),
                At::Number(2) => page(vec![3, 4], Next::Numbered { size: 2 }, Some(5)),
                At::Number(3) => page(vec![5], Next::Numbered { size: 2 }, Some(5)),
                other => panic!("asked {other:?}"),
            },
            4,
        );
        assert_eq!(got.unwrap(), vec![1, 2, 3, 4, 5]);
        assert_eq!(asked.len(), 3);
    }

    #[test]
    fn a_count_other_than_the_total_is_an_error_never_a_cut() {
        for (first, second) in [
            (vec![], vec![]),
            (vec![1, 2], vec![3]),
            (vec![1, 2], vec![1, 2]),
        ] {
            let (got, _) = run(
                |at| match at {
                    At::First => page(first.clone(), Next::Numbered { size: 2 }, Some(4)),
                    _ => page(second.clone(), Next::Numbered { size: 2 }, Some(4)),
                },
                4,
            );
            assert!(got.is_err(), "{first:?} {second:?}: {got:?}");
        }
    }

    #[test]
    fn empty_pages_that_keep_pointing_further_are_an_error() {
        let (got, asked) = run(
            |at| {
                let n = match at {
                    At::Cursor(c) => c.parse::<usize>().unwrap(),
                    _ => 0,
                };
                page(vec![], Next::Cursor((n + 1).to_string()), None)
            },
            1,
        );
        assert!(got.unwrap_err().contains("empty pages in a row"));
        assert!(asked.len() <= 11, "{}", asked.len());
    }

    #[test]
    fn a_server_page_smaller_than_asked_is_followed_to_the_total() {
        let (got, asked) = run(
            |at| match at {
                At::First => page(vec![1], Next::Numbered { size: 2 }, Some(3)),
                At::Number(2) => page(vec![2], Next::Numbered { size: 2 }, Some(3)),
                At::Number(3) => page(vec![3], Next::Numbered { size: 2 }, Some(3)),
                other => panic!("asked {other:?}"),
            },
            4,
        );
        assert_eq!(got.unwrap(), vec![1, 2, 3]);
        assert_eq!(asked.len(), 3);
    }

    #[test]
    fn without_a_total_numbered_pages_end_at_a_short_or_empty_page() {
        for last in [vec![5], vec![]] {
            let expected = last.len();
            let (got, asked) = run(
                |at| match at {
                    At::First => page(vec![1, 2], Next::Numbered { size: 2 }, None),
                    At::Number(2) => page(vec![3, 4], Next::Numbered { size: 2 }, None),
                    At::Number(3) => page(last.clone(), Next::Numbered { size: 2 }, None),
                    other => panic!("asked {other:?}"),
                },
                1,
            );
            assert_eq!(got.unwrap().len(), 4 + expected);
            assert_eq!(asked.len(), 3);
        }
    }

    #[test]
    fn a_numbered_page_that_repeats_an_earlier_one_is_an_error() {
        let (got, _) = run(
            |at| match at {
                At::First => page(vec![1, 2], Next::Numbered { size: 2 }, None),
                _ => page(vec![1, 2], Next::Numbered { size: 2 }, None),
            },
            1,
        );
        assert!(got.unwrap_err().contains("opens like an earlier page"));
    }
}
