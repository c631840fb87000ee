//! Operations as data, and the typed requests built from them.
//!
//! Every generated operation is a `static` [`Operation`]: its method, API
//! version, path template (as literal segments around the keys), the wire
//! names of its parameters, and what its body and response are. One shared
//! builder, [`Request`], turns an operation plus values into an
//! [`ApiRequest`]; the typed client functions and the table-driven cmdlets
//! both go through it, so a request is built the same way whichever door it
//! came in by.
//!
//! A generated function is a few lines:
//!
//! ```ignore
//! pub fn application_get_application(application_id: &str, query: &Query) -> Request<Json<Application>> {
//!     Request::new(&APPLICATION_GET_APPLICATION, &[application_id]).query(query)
//! }
//! ```
//!
//! and is sent through the one [`Client`] of the program:
//! `application_get_application("id", &Query::default()).send(&client).await?`.

use std::marker::PhantomData;

use super::client::{ApiResponse, Client, RequestOptions};
use super::error::{Error, ResponseHeaders};
use super::paging::{DeltaLink, Items, Pages};
use super::upload::{UploadOptions, Uploaded};
use super::model::Json as ToJson;
use super::path;

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Upper-case wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// The `reqwest` method (the standard ones do not allocate).
    pub fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Options => reqwest::Method::OPTIONS,
            Method::Head => reqwest::Method::HEAD,
            Method::Patch => reqwest::Method::PATCH,
            Method::Trace => reqwest::Method::TRACE,
        }
    }
}

/// The API version an operation belongs to: the path of its document's
/// server URL (`/beta`, `/v1.0`). A [`Client`] holds the service root
/// (`https://graph.microsoft.com`); the version path goes between the root
/// and the operation's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiVersion {
    /// `/beta`, `/v1.0`, or another document's server path; empty when the
    /// server URL has no path.
    pub path: &'static str,
}

impl ApiVersion {
    /// Microsoft Graph beta.
    pub const BETA: ApiVersion = ApiVersion { path: "/beta" };
    /// Microsoft Graph v1.0.
    pub const V1_0: ApiVersion = ApiVersion { path: "/v1.0" };
    /// The version paths of Microsoft Graph. A service root that ends in one
    /// of them is pinned to that version (see [`Client`]).
    pub const GRAPH: [ApiVersion; 2] = [ApiVersion::BETA, ApiVersion::V1_0];

    /// A version from its path.
    pub const fn new(path: &'static str) -> ApiVersion {
        ApiVersion { path }
    }

    /// `beta`, `v1.0`: the path without its slash.
    pub fn name(&self) -> &'static str {
        self.path.trim_start_matches('/')
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where an operation parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A path key, encoded as exactly one segment.
    Path,
    /// A path key inside OData quotes (`(appId='{appId}')`): quotes doubled.
    QuotedPath,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpParam {
    /// Name on the wire (`application-id`, `$select`, `ConsistencyLevel`).
    pub name: &'static str,
    /// Where it goes.
    pub location: Location,
    /// For path keys: the identity property that holds the key
    /// (`ApplicationId`), read by the `ViaIdentity` parameter sets.
    pub identity: &'static str,
}

impl OpParam {
    /// A path key and the identity property that carries it.
    pub const fn path(name: &'static str, identity: &'static str) -> OpParam {
        OpParam { name, location: Location::Path, identity }
    }

    /// A quoted path key (`(appId='{appId}')`).
    pub const fn quoted(name: &'static str, identity: &'static str) -> OpParam {
        OpParam { name, location: Location::QuotedPath, identity }
    }

    /// A query parameter.
    pub const fn query(name: &'static str) -> OpParam {
        OpParam { name, location: Location::Query, identity: "" }
    }

    /// A header parameter.
    pub const fn header(name: &'static str) -> OpParam {
        OpParam { name, location: Location::Header, identity: "" }
    }

    /// Whether this is a path key.
    pub const fn is_key(&self) -> bool {
        matches!(self.location, Location::Path | Location::QuotedPath)
    }
}

/// What an operation sends as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// A JSON document.
    Json,
    /// Bytes of this media type (an upload such as a `$value` PUT).
    Raw(&'static str),
}

/// What a successful response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// No body: `true` with -PassThru, else nothing.
    NoContent,
    /// A JSON body.
    Json,
    /// Bytes (written to -OutFile when given).
    Raw,
    /// Text such as a `$count` (a number when it parses as one).
    Text,
    /// A paged collection: the items of `value`, following the named next
    /// link with -All.
    Paged(&'static str),
    /// A delta function (`.../delta()`): a paged collection (next link
    /// named here) whose last page carries `@odata.deltaLink`, the link that
    /// returns the changes since.
    Delta(&'static str),
    /// A `createUploadSession` action: a JSON `uploadSession` whose
    /// `uploadUrl` takes a file in chunks (see `super::upload`).
    UploadSession,
}

impl ResponseKind {
    /// The next-link property of a paged or delta list.
    pub const fn next_link(self) -> Option<&'static str> {
        match self {
            ResponseKind::Paged(name) | ResponseKind::Delta(name) => Some(name),
            _ => None,
        }
    }
}

/// One operation of an API, as the generator describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// operationId as written in the document.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// The API version (from the document's server URL).
    pub version: ApiVersion,
    /// The path template as written, placeholders literal (for What-if,
    /// tracing and error messages).
    pub path: &'static str,
    /// The literal text around the path keys: `segments[0]`, key 0,
    /// `segments[1]`, key 1, ...; one more segment than keys.
    pub segments: &'static [&'static str],
    /// Parameters: path keys in template order, then query and headers.
    pub params: &'static [OpParam],
    /// The request body.
    pub body: BodyKind,
    /// The successful response.
    pub response: ResponseKind,
}

impl Operation {
    /// The path keys, in template order.
    pub fn keys(&self) -> impl Iterator<Item = &'static OpParam> + use<> {
        let params: &'static [OpParam] = self.params;
        params.iter().filter(|p| p.is_key())
    }

    /// The parameter with this wire name.
    pub fn param(&self, name: &str) -> Option<&'static OpParam> {
        let params: &'static [OpParam] = self.params;
        params.iter().find(|p| p.name == name)
    }

    /// Whether -WhatIf/-Confirm apply (the call changes something).
    pub const fn changes_state(&self) -> bool {
        matches!(self.method, Method::Post | Method::Put | Method::Patch | Method::Delete)
    }

    /// The path with `keys` filled in and encoded, in template order. Fails
    /// for a key that cannot be one segment (empty, `.`, `..`) and when the
    /// number of keys does not match.
    pub fn path_with(&'static self, keys: &[&str]) -> Result<String, Error> {
        let mut out = String::with_capacity(self.path.len() + keys.iter().map(|k| k.len()).sum::<usize>());
        let mut segments = self.segments.iter();
        if let Some(first) = segments.next() {
            out.push_str(first);
        }
        let mut given = keys.iter();
        for param in self.keys() {
            let Some(value) = given.next() else {
                return Err(Error::InvalidArgument(format!(
                    "{} needs {} path keys, but {} were given.",
                    self.id,
                    self.keys().count(),
                    keys.len()
                )));
            };
            let encoded = match param.location {
                Location::QuotedPath => path::quoted_key(param.name, value)?,
                _ => path::segment(param.name, value)?,
            };
            out.push_str(&encoded);
            if let Some(next) = segments.next() {
                out.push_str(next);
            }
        }
        if given.next().is_some() {
            return Err(Error::InvalidArgument(format!(
                "{} takes {} path keys, but {} were given.",
                self.id,
                self.keys().count(),
                keys.len()
            )));
        }
        Ok(out)
    }
}

/// A request ready to send: an operation, its encoded path and its values.
/// Built by [`Request`] (typed code) or from a cmdlet binding (the CLI).
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// The operation.
    pub op: &'static Operation,
    /// The path with keys filled in and encoded, starting with `/`,
    /// relative to the version root (`https://graph.microsoft.com/beta`).
    pub path: String,
    /// Query parameters, unencoded.
    pub query: Vec<(String, String)>,
    /// Declared header parameters (e.g. `ConsistencyLevel`, `If-Match`).
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<serde_json::Value>,
    /// A body sent as bytes (an upload); its media type travels in
    /// `headers` as `Content-Type`. Ignored when `body` is set.
    pub raw_body: Option<Vec<u8>>,
    /// An absolute URL to call instead of the path and query (a next link
    /// of a paged list). The client only follows it below its own root.
    pub next_link: Option<String>,
}

impl ApiRequest {
    /// A request for `op` with this (already encoded) path and nothing else.
    pub fn new(op: &'static Operation, path: impl Into<String>) -> ApiRequest {
        ApiRequest {
            op,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            raw_body: None,
            next_link: None,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.op.method
    }

    /// The path template, placeholders literal.
    pub fn path_template(&self) -> &'static str {
        self.op.path
    }

    /// Adds a query or header value by the parameter's wire name. `None`
    /// and JSON null add nothing. Fails when the operation has no such
    /// query or header parameter.
    pub fn set_arg(&mut self, name: &str, value: &serde_json::Value) -> Result<(), Error> {
        if value.is_null() {
            return Ok(());
        }
        let param = self.op.param(name).filter(|p| !p.is_key()).ok_or_else(|| {
            Error::InvalidArgument(format!("{} has no query or header parameter '{name}'.", self.op.id))
        })?;
        let text = arg_text(value);
        match param.location {
            Location::Header => self.headers.push((param.name.to_owned(), text)),
            _ => self.query.push((param.name.to_owned(), text)),
        }
        Ok(())
    }
}

/// How a parameter value is written in a query string or header: text as
/// is, lists comma-separated (OData's `$select=a,b`), numbers and booleans
/// in JSON spelling, anything else as JSON.
pub fn arg_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items.iter().map(arg_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The OData query options and the `ConsistencyLevel` header that most
/// Graph operations take. An operation whose only optional parameters are
/// among these takes a `&Query`; setting an option the operation does not
/// declare is an error when the request is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// `$top`: show only the first n items.
    pub top: Option<i64>,
    /// `$skip`: skip the first n items.
    pub skip: Option<i64>,
    /// `$search`: search items by search phrases.
    pub search: Option<String>,
    /// `$filter`: filter items by property values.
    pub filter: Option<String>,
    /// `$count`: include the count of items.
    pub count: Option<bool>,
    /// `$orderby`: order items by property values.
    pub orderby: Option<Vec<String>>,
    /// `$select`: the properties to return.
    pub select: Option<Vec<String>>,
    /// `$expand`: the related entities to expand.
    pub expand: Option<Vec<String>>,
    /// `ConsistencyLevel` header (`eventual` for advanced queries).
    pub consistency_level: Option<String>,
}

impl Query {
    /// Wire name and value of every option that is set.
    fn pairs(&self) -> Vec<(&'static str, serde_json::Value)> {
        let mut out = Vec::new();
        let mut add = |name: &'static str, value: Option<serde_json::Value>| {
            if let Some(value) = value {
                out.push((name, value));
            }
        };
        add("ConsistencyLevel", self.consistency_level.clone().map(Into::into));
        add("$top", self.top.map(Into::into));
        add("$skip", self.skip.map(Into::into));
        add("$search", self.search.clone().map(Into::into));
        add("$filter", self.filter.clone().map(Into::into));
        add("$count", self.count.map(Into::into));
        add("$orderby", self.orderby.clone().map(Into::into));
        add("$select", self.select.clone().map(Into::into));
        add("$expand", self.expand.clone().map(Into::into));
        out
    }
}

/// How a typed request decodes a successful response.
pub trait Decode {
    /// What the call returns.
    type Output;
    /// Decodes the response.
    fn decode(response: ApiResponse) -> Result<Self::Output, Error>;
}

/// The operation returns no body: the call returns `()`.
#[derive(Debug)]
pub enum NoContent {}

impl Decode for NoContent {
    type Output = ();
    fn decode(_: ApiResponse) -> Result<(), Error> {
        Ok(())
    }
}

/// The operation returns a JSON body of type `T`.
#[derive(Debug)]
pub struct Json<T>(PhantomData<fn() -> T>);

impl<T: ToJson> Decode for Json<T> {
    type Output = T;
    fn decode(response: ApiResponse) -> Result<T, Error> {
        let value = if response.body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&response.body).map_err(|e| Error::Decode(e.to_string()))?
        };
        T::from_json(value).map_err(|e| Error::Decode(e.to_string()))
    }
}

/// The operation returns bytes (a `$value` download).
#[derive(Debug)]
pub enum Bytes {}

impl Decode for Bytes {
    type Output = Vec<u8>;
    fn decode(response: ApiResponse) -> Result<Vec<u8>, Error> {
        Ok(response.body)
    }
}

/// The operation returns text (a `$count`).
#[derive(Debug)]
pub enum Text {}

impl Decode for Text {
    type Output = String;
    fn decode(response: ApiResponse) -> Result<String, Error> {
        String::from_utf8(response.body).map_err(|e| Error::Decode(e.to_string()))
    }
}

/// Decodes a JSON body of type `C` ([`Json`]) and marks a pageable list
/// whose `value` items are `T`: such a request also streams its items
/// across pages ([`Request::items`]).
#[derive(Debug)]
pub struct Paged<C, T>(PhantomData<fn() -> (C, T)>);

impl<C: ToJson, T> Decode for Paged<C, T> {
    type Output = C;
    fn decode(response: ApiResponse) -> Result<C, Error> {
        Json::<C>::decode(response)
    }
}

/// Like [`Paged`], for a delta function: the last page carries the
/// `@odata.deltaLink` that [`Request::delta`] returns as a [`DeltaLink`].
#[derive(Debug)]
pub struct Delta<C, T>(PhantomData<fn() -> (C, T)>);

impl<C: ToJson, T> Decode for Delta<C, T> {
    type Output = C;
    fn decode(response: ApiResponse) -> Result<C, Error> {
        Json::<C>::decode(response)
    }
}

/// Decodes the `uploadSession` `C` of a `createUploadSession` action
/// ([`Json`]); such a request can also upload a file through the session
/// ([`Request::upload_file`]).
#[derive(Debug)]
pub struct Upload<C>(PhantomData<fn() -> C>);

impl<C: ToJson> Decode for Upload<C> {
    type Output = C;
    fn decode(response: ApiResponse) -> Result<C, Error> {
        Json::<C>::decode(response)
    }
}

/// A list whose items can be streamed: [`Paged`] and [`Delta`].
pub trait Listing: Decode {
    /// The type of the items of `value`.
    type Item: ToJson;
}

impl<C: ToJson, T: ToJson> Listing for Paged<C, T> {
    type Item = T;
}

impl<C: ToJson, T: ToJson> Listing for Delta<C, T> {
    type Item = T;
}

/// A decoded response with what came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// Status code.
    pub status: u16,
    /// All response headers.
    pub headers: ResponseHeaders,
    /// The service's `Warning` headers (also logged as `tracing` warnings).
    pub warnings: Vec<String>,
    /// How many times the request was re-sent.
    pub retries: u32,
}

/// Largest page size Graph accepts.
pub const MAX_PAGE_SIZE: u32 = 999;

/// A request being built: the part of [`Request`] that does not depend on
/// how the response is decoded, so its code exists once.
#[derive(Debug, Clone)]
pub struct Builder {
    inner: Result<ApiRequest, Error>,
}

impl Builder {
    /// A request for `op` with its path keys in template order.
    pub fn new(op: &'static Operation, keys: &[&str]) -> Builder {
        Builder { inner: op.path_with(keys).map(|path| ApiRequest::new(op, path)) }
    }

    fn with(&mut self, f: impl FnOnce(&mut ApiRequest) -> Result<(), Error>) {
        if let Ok(request) = &mut self.inner
            && let Err(e) = f(request) {
                self.inner = Err(e);
            }
    }

    /// Sets a query or header parameter by wire name from a JSON value.
    pub fn arg_value(&mut self, name: &str, value: Option<serde_json::Value>) {
        if let Some(value) = value {
            self.with(|r| r.set_arg(name, &value));
        }
    }

    /// Sets the standard OData options and `ConsistencyLevel`.
    pub fn query(&mut self, query: &Query) {
        self.with(|r| {
            for (name, value) in query.pairs() {
                r.set_arg(name, &value)?;
            }
            Ok(())
        });
    }

    /// Sets the JSON body.
    pub fn body_value(&mut self, body: serde_json::Value) {
        self.with(|r| {
            r.body = Some(body);
            Ok(())
        });
    }

    /// Sets a body of bytes, sent with the operation's media type.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.with(|r| {
            if let BodyKind::Raw(media_type) = r.op.body {
                r.headers.push(("Content-Type".to_owned(), media_type.to_owned()));
            }
            r.raw_body = Some(bytes.to_vec());
            Ok(())
        });
    }

    /// Asks for `size` items per page: `$top` for a paged list, the
    /// `Prefer: odata.maxpagesize` header for a delta function (which takes
    /// no `$top`).
    pub fn page_size(&mut self, size: u32) {
        self.with(|r| set_page_size(r, size))
    }

    /// Starts from a stored delta link instead of the path.
    pub fn resume(&mut self, link: &DeltaLink) {
        self.with(|r| {
            if link.operation != r.op.id {
                return Err(Error::InvalidArgument(format!(
                    "This delta link was returned by {}, not {}; nothing was sent.",
                    link.operation, r.op.id
                )));
            }
            r.next_link = Some(link.link.clone());
            Ok(())
        })
    }

    /// The request, or the reason it cannot be sent.
    pub fn build(self) -> Result<ApiRequest, Error> {
        self.inner
    }
}

/// Sets the page size of a list request (see [`Builder::page_size`]);
/// shared with the cmdlets' `-PageSize`.
pub fn set_page_size(request: &mut ApiRequest, size: u32) -> Result<(), Error> {
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(Error::InvalidArgument(format!("The page size must be between 1 and {MAX_PAGE_SIZE}, not {size}.")));
    }
    if matches!(request.op.response, ResponseKind::Delta(_)) {
        request.headers.retain(|(name, value)| {
            !(name.eq_ignore_ascii_case("Prefer") && value.trim_start().starts_with("odata.maxpagesize"))
        });
        request.headers.push(("Prefer".to_owned(), format!("odata.maxpagesize={size}")));
    } else {
        request.query.retain(|(name, _)| name != "$top");
        request.query.push(("$top".to_owned(), size.to_string()));
    }
    Ok(())
}

/// A typed request: an operation with its values, not sent yet. `D` says
/// how the response is decoded ([`NoContent`], [`Json`], [`Bytes`],
/// [`Text`]). A value that cannot be sent (an empty key) is kept as the
/// error that [`Request::send`] and [`Request::build`] return, so the
/// builder chains without `?`. Every method is a one-line step of the
/// shared [`Builder`].
#[must_use = "a request does nothing until it is sent"]
pub struct Request<D> {
    builder: Builder,
    _decode: PhantomData<fn() -> D>,
}

impl<D> std::fmt::Debug for Request<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Request").field(&self.builder.inner).finish()
    }
}

impl<D> Clone for Request<D> {
    fn clone(&self) -> Self {
        Request { builder: self.builder.clone(), _decode: PhantomData }
    }
}

impl<D> Request<D> {
    /// A request for `op` with its path keys in template order.
    #[inline]
    pub fn new(op: &'static Operation, keys: &[&str]) -> Self {
        Request { builder: Builder::new(op, keys), _decode: PhantomData }
    }

    /// Sets a query or header parameter by its wire name; `None` sets
    /// nothing.
    #[inline]
    pub fn arg<T: ToJson>(mut self, name: &'static str, value: &Option<T>) -> Self {
        self.builder.arg_value(name, value.as_ref().map(T::to_json));
        self
    }

    /// Sets the standard OData options and `ConsistencyLevel`.
    #[inline]
    pub fn query(mut self, query: &Query) -> Self {
        self.builder.query(query);
        self
    }

    /// Sets the JSON body.
    #[inline]
    pub fn body<B: ToJson>(mut self, body: &B) -> Self {
        self.builder.body_value(body.to_json());
        self
    }

    /// Sets a body of bytes, sent with the operation's media type.
    #[inline]
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        self.builder.bytes(bytes);
        self
    }

    /// The request, or the reason it cannot be sent. Nothing is sent.
    #[inline]
    pub fn build(self) -> Result<ApiRequest, Error> {
        self.builder.build()
    }
}

impl<D: Decode> Request<D> {
    /// Sends the request through `client` and decodes the response.
    pub async fn send(self, client: &Client) -> Result<D::Output, Error> {
        let response = client.send(self.builder.build()?, &RequestOptions::default()).await?;
        D::decode(response)
    }

    /// [`Request::send`] with per-call options (headers, pipeline steps,
    /// proxy).
    pub async fn send_with(self, client: &Client, options: &RequestOptions) -> Result<D::Output, Error> {
        let response = client.send(self.builder.build()?, options).await?;
        D::decode(response)
    }

    /// [`Request::send_with`], returning the decoded body with the status,
    /// headers and the service's `Warning` headers.
    pub async fn send_full(self, client: &Client, options: &RequestOptions) -> Result<Response<D::Output>, Error> {
        let response = client.send(self.builder.build()?, options).await?;
        let (status, headers, warnings, retries) =
            (response.status, response.headers.clone(), response.warnings.clone(), response.retries);
        Ok(Response { value: D::decode(response)?, status, headers, warnings, retries })
    }
}

impl<D: Listing> Request<D> {
    /// Asks for `size` items per page (1 to 999): `$top` for a list,
    /// `Prefer: odata.maxpagesize` for a delta function.
    #[inline]
    pub fn page_size(mut self, size: u32) -> Self {
        self.builder.page_size(size);
        self
    }

    /// The items of every page, as a stream that asks for the next page
    /// (following `@odata.nextLink`) only when the items of the current one
    /// are used up: memory holds one page at a time. A next link outside
    /// the client's service root is refused (the token stays with Graph).
    #[inline]
    pub fn items(self, client: &Client) -> Items<D::Item> {
        Items::new(Pages::new(client, self.builder.build(), RequestOptions::default()))
    }

    /// [`Request::items`] with per-call options.
    #[inline]
    pub fn items_with(self, client: &Client, options: &RequestOptions) -> Items<D::Item> {
        Items::new(Pages::new(client, self.builder.build(), options.clone()))
    }

    /// The pages themselves, undecoded (items as JSON, with `@odata.count`,
    /// the links and each page's headers).
    #[inline]
    pub fn pages(self, client: &Client, options: &RequestOptions) -> Pages {
        Pages::new(client, self.builder.build(), options.clone())
    }
}

impl<C: ToJson, T: ToJson> Request<Delta<C, T>> {
    /// Starts from a delta link stored from an earlier round, which returns
    /// what changed since. Refused (when sent) for a link of another
    /// operation, or one outside the client's service root.
    #[inline]
    pub fn resume(mut self, link: &DeltaLink) -> Self {
        self.builder.resume(link);
        self
    }

    /// One delta round: every page's items, and the `@odata.deltaLink` of
    /// the last page as a [`DeltaLink`] to store and pass to
    /// [`Request::resume`] next time. Fails when the last page has no delta
    /// link. For rounds too large to hold, stream with [`Request::items`]
    /// and read [`Items::delta_link`] at the end.
    pub async fn delta(self, client: &Client) -> Result<super::paging::DeltaRound<T>, Error> {
        self.items(client).round().await
    }
}

impl<C: ToJson> Request<Upload<C>> {
    /// Creates the upload session and uploads the file at `path` through
    /// it, in chunks of `options.chunk_size` (a multiple of 320 KiB). A
    /// chunk that fails is sent again from where the session says it stands
    /// (its `nextExpectedRanges`), within this call. The chunks go to the
    /// session's pre-authorised `uploadUrl` without the Graph token.
    pub async fn upload_file(
        self,
        client: &Client,
        path: impl AsRef<std::path::Path>,
        options: &UploadOptions,
    ) -> Result<Uploaded, Error> {
        let progress = options.progress.clone();
        let mut report = |p: &super::upload::UploadProgress| {
            if let Some(f) = &progress {
                f(p);
            }
            Ok(())
        };
        super::upload::upload_file(client, self.builder.build()?, path.as_ref(), options.chunk_size, &options.request, &mut report).await
    }
}
