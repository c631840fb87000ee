//! Paged lists as streams: one page in memory at a time, no recursion.
//!
//! [`Pages`] sends the first request, and each next one only when the
//! caller asks for the next page; [`Items`] hands out the items of the
//! page it holds, one by one, typed. Both are [`futures_core::Stream`]s and
//! also have an inherent async `next`. The cmdlets' `-All` reads the same
//! [`Pages`].
//!
//! A next link is followed only below the client's service root (the check
//! of [`Client::url_for`]), so the token is never sent anywhere else; a
//! link to another origin ends the stream with an error after the items of
//! the page that named it.
//!
//! A delta function's last page carries `@odata.deltaLink`: [`Items::delta_link`]
//! returns it as a [`DeltaLink`], which serialises (serde) so it can be
//! stored, and [`crate::request::Request::resume`] takes it back.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::client::{ApiResponse, Client, RequestOptions};
use super::error::{Error, ResponseHeaders};
use super::model::Json as ToJson;
use super::request::{ApiRequest, Operation, ResponseKind};

/// The property of a delta function's last page that holds the delta link.
pub const DELTA_LINK: &str = "@odata.deltaLink";

/// The link a delta round ended with, for the next round: what changed
/// since is what it returns. Store it (it is `Serialize`/`Deserialize`)
/// and pass it to [`crate::request::Request::resume`] of the same
/// operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DeltaLink {
    /// The operationId of the delta function that returned it.
    pub operation: String,
    /// The absolute `@odata.deltaLink` URL, as the service sent it.
    pub link: String,
}

impl DeltaLink {
    /// The link as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.link
    }
}

/// One delta round, read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaRound<T> {
    /// The changes (every page's items).
    pub items: Vec<T>,
    /// Where the next round starts.
    pub delta_link: DeltaLink,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The items of `value` (for a first page that is not a collection,
    /// the whole object as the one item).
    pub items: Vec<serde_json::Value>,
    /// `@odata.count`, when the service counted.
    pub count: Option<i64>,
    /// The link to the next page, if any.
    pub next_link: Option<String>,
    /// `@odata.deltaLink` (the last page of a delta round).
    pub delta_link: Option<String>,
    /// The response's headers.
    pub headers: ResponseHeaders,
    /// The service's `Warning` headers.
    pub warnings: Vec<String>,
}

impl Page {
    /// Reads a page. The body is dropped once parsed.
    fn parse(response: ApiResponse, next_link: &str, first: bool) -> Result<Page, Error> {
        let ApiResponse { headers, body, warnings, .. } = response;
        let value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&body).map_err(|e| Error::Decode(e.to_string()))?
        };
        drop(body);
        let mut page = Page { items: Vec::new(), count: None, next_link: None, delta_link: None, headers, warnings };
        let serde_json::Value::Object(mut object) = value else {
            // Not a collection after all: passed through as the one item.
            if first && !value.is_null() {
                page.items.push(value);
            }
            return Ok(page);
        };
        let text = |object: &serde_json::Map<String, serde_json::Value>, name: &str| {
            object.get(name).and_then(serde_json::Value::as_str).map(str::to_owned)
        };
        page.count = object.get("@odata.count").and_then(serde_json::Value::as_i64);
        page.next_link = text(&object, next_link);
        page.delta_link = text(&object, DELTA_LINK);
        match object.remove("value") {
            Some(serde_json::Value::Array(items)) => page.items = items,
            Some(other) => {
                object.insert("value".to_owned(), other);
                if first {
                    page.items.push(serde_json::Value::Object(object));
                }
            }
            None if first => page.items.push(serde_json::Value::Object(object)),
            None => {}
        }
        Ok(page)
    }
}

type Pending = Pin<Box<dyn Future<Output = Result<ApiResponse, Error>> + Send>>;

/// The pages of a list, fetched one at a time as they are asked for.
pub struct Pages {
    client: Client,
    options: RequestOptions,
    /// The first request, kept for its operation and headers
    /// (`ConsistencyLevel`, `Prefer`) that every page is sent with.
    template: Option<ApiRequest>,
    /// What to send next: a request, or the error that ends the stream.
    next: Option<Result<ApiRequest, Error>>,
    in_flight: Option<Pending>,
    next_link_name: &'static str,
    follow: bool,
    pages: u64,
    count: Option<i64>,
    delta_link: Option<String>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &self.template.as_ref().map(|t| t.op.id))
            .field("pages", &self.pages)
            .field("in_flight", &self.in_flight.is_some())
            .finish()
    }
}

impl Pages {
    /// The pages of `request` (a build error ends the stream at once).
    pub fn new(client: &Client, request: Result<ApiRequest, Error>, options: RequestOptions) -> Pages {
        let template = request.as_ref().ok().cloned();
        let next_link_name = template
            .as_ref()
            .and_then(|t| t.op.response.next_link())
            .unwrap_or("@odata.nextLink");
        Pages {
            client: client.clone(),
            options,
            template,
            next: Some(request),
            in_flight: None,
            next_link_name,
            follow: true,
            pages: 0,
            count: None,
            delta_link: None,
        }
    }

    /// Whether to follow next links (default true); `false` reads the
    /// first page only, as a cmdlet without `-All` does.
    pub fn follow(mut self, follow: bool) -> Pages {
        self.follow = follow;
        self
    }

    /// The operation listed.
    pub fn operation(&self) -> Option<&'static Operation> {
        self.template.as_ref().map(|t| t.op)
    }

    /// How many pages were read so far.
    pub fn pages_read(&self) -> u64 {
        self.pages
    }

    /// `@odata.count` of the first page that had one.
    pub fn count(&self) -> Option<i64> {
        self.count
    }

    /// The `@odata.deltaLink` of a delta function, once the last page is read.
    pub fn delta_link(&self) -> Option<DeltaLink> {
        let op = self.operation().filter(|op| matches!(op.response, ResponseKind::Delta(_)))?;
        let link = self.delta_link.clone()?;
        Some(DeltaLink { operation: op.id.to_owned(), link })
    }

    /// The next page; `None` after the last.
    pub async fn next(&mut self) -> Option<Result<Page, Error>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// Polls for the next page. One loop, no recursion: at most one request
    /// is in flight, and none is sent before this is polled.
    pub fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Page, Error>>> {
        loop {
            if let Some(pending) = self.in_flight.as_mut() {
                let result = match pending.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(result) => result,
                };
                self.in_flight = None;
                let page = result.and_then(|response| Page::parse(response, self.next_link_name, self.pages == 0));
                let page = match page {
                    Ok(page) => page,
                    Err(e) => {
                        self.next = None;
                        return Poll::Ready(Some(Err(e)));
                    }
                };
                self.pages += 1;
                if self.count.is_none() {
                    self.count = page.count;
                }
                if page.delta_link.is_some() {
                    self.delta_link.clone_from(&page.delta_link);
                }
                if let (true, Some(link), Some(template)) = (self.follow, &page.next_link, &self.template) {
                    let mut request = template.clone();
                    request.next_link = Some(link.clone());
                    // Checked now, before anything is sent: a link to
                    // another origin ends the stream after this page.
                    self.next = Some(self.client.url_for(&request).map(|_| request));
                }
                return Poll::Ready(Some(Ok(page)));
            }
            match self.next.take() {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(request)) => {
                    let (client, options) = (self.client.clone(), self.options.clone());
                    self.in_flight = Some(Box::pin(async move { client.send(request, &options).await }));
                }
            }
        }
    }
}

impl futures_core::Stream for Pages {
    type Item = Result<Page, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

/// The items of a list as JSON values, page after page; the typed
/// [`Items`] wraps this, so this code exists once.
#[derive(Debug)]
struct Values {
    pages: Pages,
    buffer: std::vec::IntoIter<serde_json::Value>,
}

impl Values {
    fn poll_value(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<serde_json::Value, Error>>> {
        loop {
            if let Some(value) = self.buffer.next() {
                return Poll::Ready(Some(Ok(value)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                // The previous page's buffer is empty: only this one is held.
                Poll::Ready(Some(Ok(page))) => self.buffer = page.items.into_iter(),
            }
        }
    }
}

/// The items of a list, typed, across pages: a [`futures_core::Stream`] of
/// `Result<T, Error>` that fetches the next page only once the items of the
/// current one are handed out.
#[derive(Debug)]
pub struct Items<T> {
    values: Values,
    _item: PhantomData<fn() -> T>,
}

impl<T> Items<T> {
    /// The items of these pages.
    pub fn new(pages: Pages) -> Items<T> {
        Items { values: Values { pages, buffer: Vec::new().into_iter() }, _item: PhantomData }
    }

    /// How many pages were read so far.
    pub fn pages_read(&self) -> u64 {
        self.values.pages.pages_read()
    }

    /// `@odata.count` (ask for it with `$count`).
    pub fn count(&self) -> Option<i64> {
        self.values.pages.count()
    }

    /// For a delta function, once the stream has ended: the link that
    /// returns the changes since, to store for the next round.
    pub fn delta_link(&self) -> Option<DeltaLink> {
        self.values.pages.delta_link()
    }
}

impl<T: ToJson> Items<T> {
    /// Polls for the next item.
    pub fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        match self.values.poll_value(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Some(Ok(value))) => {
                Poll::Ready(Some(T::from_json(value).map_err(|e| Error::Decode(e.to_string()))))
            }
        }
    }

    /// The next item; `None` after the last item of the last page.
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Every item of every page, collected (memory grows with the list).
    pub async fn to_vec(mut self) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }

    /// A whole delta round: the items and the delta link.
    pub async fn round(mut self) -> Result<DeltaRound<T>, Error> {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item?);
        }
        let delta_link = self.delta_link().ok_or_else(|| {
            Error::Decode(format!(
                "the last page of {} has no {DELTA_LINK}, so there is no link to resume from",
                self.values.pages.operation().map_or("the delta function", |op| op.id)
            ))
        })?;
        Ok(DeltaRound { items, delta_link })
    }
}

impl<T: ToJson> futures_core::Stream for Items<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}
