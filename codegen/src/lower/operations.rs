//! Paths and operations -> IR operations, with every check that a client
//! needs to be correct: placeholders declared and used, parameters resolved,
//! responses understood.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Operation as OaOperation, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, StatusCode};

use super::resolve::resolve;
use super::schemas::SchemaLowering;
use crate::error::{Pointer, Sink};
use crate::ir::{Body, Location, Method, Operation, OperationKind, Options, Param, PathPart, PathTemplate, Success, TypeRef};
use crate::naming::ident::{pascal_case, snake_case, UniqueNames};

/// Lowers every operation, sorted by (path, method), except those whose
/// operationId `removed` accepts (the configuration's
/// `remove-path-by-operation`): they are not looked at at all.
pub(crate) fn lower_operations(
    doc: &OpenAPI,
    schemas: &mut SchemaLowering<'_>,
    parameter_names: &std::collections::BTreeMap<String, String>,
    removed: &dyn Fn(&str) -> bool,
    sink: &mut Sink,
) -> Vec<Operation> {
    let mut out = Vec::new();
    let mut rust_names = UniqueNames::with_reserved(&["new", "builder", "send", "base_url"]);
    let mut paths: Vec<(&String, &ReferenceOr<PathItem>)> = doc.paths.paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    for (raw_path, item) in paths {
        let path_ptr = Pointer::root().join("paths").join(raw_path);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                sink.push(&path_ptr, None, "path item references are not supported; write the path item inline");
                continue;
            }
        };
        let mut methods: Vec<(Method, &str, &OaOperation)> = item
            .iter()
            .filter(|(_, op)| !op.operation_id.as_deref().is_some_and(removed))
            .filter_map(|(m, op)| method_of(m).map(|method| (method, m, op)))
            .collect();
        // A path whose every operation is removed is not looked at either.
        if methods.is_empty() && item.iter().next().is_some() {
            continue;
        }
        let template = match parse_template(raw_path) {
            Ok(t) => t,
            Err(message) => {
                sink.push(&path_ptr, None, message);
                continue;
            }
        };
        methods.sort_by_key(|(m, _, _)| *m);
        for (method, key, op) in methods {
            let ptr = path_ptr.join(key);
            let ctx = OpContext { doc, ptr: &ptr, path_ptr: &path_ptr, parameter_names };
            if let Some(lowered) = lower_operation(&ctx, &template, item, method, op, schemas, &mut rust_names, sink) {
                out.push(lowered);
            }
        }
    }
    check_shared_ids(&out, sink);
    out
}

/// A PowerShell parameter name (case-insensitive, as PowerShell binds them)
/// must stand for one parameter of an operation; two wire names that
/// collide after conversion (`thing-id` and `thingId`) would otherwise make
/// one of them unreachable. OData options (`$select`...) get names of their
/// own in the cmdlet, so they are left out.
fn check_powershell_names(params: &[Param], pointers: &[Pointer], id: &str, sink: &mut Sink) {
    let mut seen: Vec<(String, &Param)> = Vec::new();
    for (p, here) in params.iter().zip(pointers) {
        if p.ps_name.is_empty() {
            sink.push(
                here,
                Some(id),
                format!(
                    "parameter `{}` has no letters or digits a PowerShell parameter name can keep; name it under \
                     `parameter-names` in the configuration",
                    p.wire_name
                ),
            );
            continue;
        }
        if p.wire_name.starts_with('$') {
            continue;
        }
        let key = p.ps_name.to_lowercase();
        match seen.iter().find(|(k, _)| *k == key) {
            Some((_, first)) => sink.push(
                here,
                Some(id),
                format!(
                    "{} parameter `{}` and {} parameter `{}` both become the PowerShell parameter -{}; {}",
                    location_name(first.location),
                    first.wire_name,
                    location_name(p.location),
                    p.wire_name,
                    p.ps_name,
                    fix_hint(id, Some(p)),
                ),
            ),
            None => seen.push((key, p)),
        }
    }
}

/// How to get past a collision in the module configuration: remove the
/// operation (what the real SDK's module directives do), or, for a
/// parameter, give its wire name a PowerShell name of its own. Written as
/// YAML flow mappings that can be pasted into the configuration.
pub(crate) fn fix_hint(operation_id: &str, param: Option<&Param>) -> String {
    let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let pattern = format!("^{}$", regex::escape(operation_id));
    // Every operation with this operationId goes.
    let mut hint = format!("remove it with `directive: [{{remove-path-by-operation: {}}}]`", quote(&pattern));
    if let Some(p) = param {
        let suffix = match p.location {
            Location::Path => "Key",
            Location::Query => "Query",
            Location::Header => "Header",
        };
        hint.push_str(&format!(
            " or rename the parameter in the whole module with `parameter-names: {{{}: {}}}`",
            quote(&p.wire_name),
            quote(&format!("{}{suffix}", p.ps_name))
        ));
    }
    format!("{hint} in the module configuration")
}

/// Graph documents repeat an operationId on purpose: AutoRest makes such
/// operations parameter sets of one cmdlet (`Delete`, `Delete1`). That only
/// works when they agree: the same HTTP method (the verb comes from it) and,
/// for every PowerShell parameter they share, the same wire name, location
/// and type (the cmdlet has one field for it).
fn check_shared_ids(operations: &[Operation], sink: &mut Sink) {
    let mut first_by_id: std::collections::BTreeMap<&str, &Operation> = std::collections::BTreeMap::new();
    for op in operations {
        let Some(first) = first_by_id.get(op.id.as_str()).copied() else {
            first_by_id.insert(&op.id, op);
            continue;
        };
        let other = format!("`{} {}` ({})", first.method.as_str(), first.path.raw, first.pointer);
        if first.method != op.method {
            sink.push_at(
                &op.pointer,
                Some(&op.id),
                format!(
                    "operationId `{}` is also used by {other} with another HTTP method; operations sharing an operationId \
                     become parameter sets of one cmdlet and must use the same method; {}",
                    op.id,
                    fix_hint(&op.id, None)
                ),
            );
            continue;
        }
        for p in op.params.iter().filter(|p| !p.wire_name.starts_with('$')) {
            let Some(q) = first.params.iter().find(|q| q.ps_name.eq_ignore_ascii_case(&p.ps_name)) else { continue };
            let same = q.wire_name == p.wire_name && q.location == p.location && strip_nullable(&q.ty) == strip_nullable(&p.ty);
            if !same {
                sink.push_at(
                    &op.pointer,
                    Some(&op.id),
                    format!(
                        "operationId `{}` is also used by {other}, where -{} is the {} parameter `{}` of another type or \
                         location than the {} parameter `{}` here; operations sharing an operationId become parameter \
                         sets of one cmdlet and must agree on shared parameters; {}",
                        op.id,
                        p.ps_name,
                        location_name(q.location),
                        q.wire_name,
                        location_name(p.location),
                        p.wire_name,
                        fix_hint(&op.id, Some(p))
                    ),
                );
            }
        }
    }
}

fn strip_nullable(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => strip_nullable(inner),
        other => other,
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

struct OpContext<'a> {
    doc: &'a OpenAPI,
    ptr: &'a Pointer,
    path_ptr: &'a Pointer,
    parameter_names: &'a std::collections::BTreeMap<String, String>,
}

#[allow(clippy::too_many_arguments)]
fn lower_operation(
    ctx: &OpContext<'_>,
    template: &PathTemplate,
    item: &PathItem,
    method: Method,
    op: &OaOperation,
    schemas: &mut SchemaLowering<'_>,
    rust_names: &mut UniqueNames,
    sink: &mut Sink,
) -> Option<Operation> {
    let ptr = ctx.ptr;
    let Some(id) = op.operation_id.clone().filter(|id| !id.trim().is_empty()) else {
        sink.push(ptr, None, "operation has no operationId; every operation needs one to be named");
        return None;
    };
    let errors_before = sink.len();
    // Operation-level parameters override path-level ones with the same (name, in).
    let mut declared: Vec<(Pointer, &Parameter)> = Vec::new();
    let sources = [(ptr.join("parameters"), &op.parameters), (ctx.path_ptr.join("parameters"), &item.parameters)];
    for (base, list) in sources {
        for (i, p) in list.iter().enumerate() {
            let here = base.join(i);
            match resolve(ctx.doc, p, &here) {
                Ok((param, _)) => {
                    let data = param.parameter_data_ref();
                    let dup = declared.iter().any(|(_, q)| {
                        q.parameter_data_ref().name == data.name && std::mem::discriminant(*q) == std::mem::discriminant(param)
                    });
                    if !dup {
                        declared.push((here, param));
                    }
                }
                Err(e) => sink.push(&here.join("$ref"), Some(&id), e.to_string()),
            }
        }
    }

    let placeholders = template.placeholders();
    let mut params = Vec::new();
    let mut seen_rust = UniqueNames::with_reserved(&["client", "options", "body"]);
    // Where each entry of `params` was declared, for later checks.
    let mut param_ptrs: Vec<Pointer> = Vec::new();
    // Path parameters in template order.
    for name in &placeholders {
        let found = declared.iter().find(|(_, p)| matches!(p, Parameter::Path { .. }) && p.parameter_data_ref().name == *name);
        match found {
            Some((here, p)) => {
                params.push(lower_param(ctx, here, p, Location::Path, &id, schemas, &mut seen_rust, sink));
                param_ptrs.push(here.clone());
            }
            None => sink.push(ptr, Some(&id), format!("path placeholder `{{{name}}}` has no `in: path` parameter declared")),
        }
    }
    for (here, p) in &declared {
        let location = match p {
            Parameter::Path { parameter_data, .. } => {
                if !placeholders.contains(&parameter_data.name.as_str()) {
                    sink.push(here, Some(&id), format!("path parameter `{}` does not appear in the path template", parameter_data.name));
                }
                continue;
            }
            Parameter::Query { .. } => Location::Query,
            Parameter::Header { .. } => Location::Header,
            Parameter::Cookie { .. } => {
                sink.push(here, Some(&id), "cookie parameters are not supported");
                continue;
            }
        };
        params.push(lower_param(ctx, here, p, location, &id, schemas, &mut seen_rust, sink));
        param_ptrs.push(here.clone());
    }
    check_powershell_names(&params, &param_ptrs, &id, sink);

    let body = lower_body(ctx.doc, op, ptr, &id, schemas, sink);
    let success = lower_success(ctx.doc, op, ptr, &id, schemas, sink);
    let mut next_link = op
        .extensions
        .get("x-ms-pageable")
        .and_then(|p| p.get("nextLinkName"))
        .and_then(|n| n.as_str())
        .map(str::to_owned);
    let kind = kind_of(method, template, &success);
    if kind == OperationKind::Delta && next_link.is_none() {
        // Delta functions page with `@odata.nextLink` whether or not the
        // document says so.
        next_link = Some("@odata.nextLink".to_owned());
    }
    if sink.len() > errors_before {
        return None;
    }
    let rust_name = rust_names.claim(&snake_case(&id));
    let options = options_of(&params, &rust_name);
    Some(Operation {
        static_name: rust_name.to_uppercase(),
        rust_name,
        id,
        pointer: ptr.to_string(),
        method,
        path: template.clone(),
        summary: op.summary.clone(),
        description: op.description.clone(),
        external_docs: op.external_docs.as_ref().map(|d| d.url.clone()),
        feature: feature_name(op.tags.first().map_or("untagged", String::as_str)),
        params,
        options,
        body,
        success,
        next_link,
        kind,
        // Filled in once every named type is lowered.
        item: None,
    })
}

/// A delta function (`GET`, last path segment `delta`, `delta()`,
/// `microsoft.graph.delta()` or with parameters such as `(token='{token}')`)
/// or a `createUploadSession` action (`POST`, last segment
/// `createUploadSession` or `microsoft.graph.createUploadSession`), each
/// with a JSON response.
fn kind_of(method: Method, template: &PathTemplate, success: &Success) -> OperationKind {
    if !matches!(success, Success::Json(_)) {
        return OperationKind::Plain;
    }
    // Placeholders hold no `/`, so the last segment is the text after the
    // last `/` of the template.
    let last = template.raw.rsplit('/').next().unwrap_or("");
    let name = last.strip_prefix("microsoft.graph.").unwrap_or(last);
    let function = name.split('(').next().unwrap_or(name);
    match (method, function) {
        (Method::Get, "delta") => OperationKind::Delta,
        (Method::Post, "createUploadSession") => OperationKind::UploadSession,
        _ => OperationKind::Plain,
    }
}

/// Whether a parameter is one of the standard OData options (or the
/// `ConsistencyLevel` header) with its usual type: those travel in the
/// runtime's `Query`.
fn is_standard_option(p: &Param) -> bool {
    let ty = p.ty.strip_nullable();
    let strings = TypeRef::Array(Box::new(TypeRef::String));
    match (p.location, p.wire_name.as_str()) {
        (Location::Query, "$top" | "$skip") => matches!(ty, TypeRef::Int32 | TypeRef::Int64),
        (Location::Query, "$search" | "$filter") => *ty == TypeRef::String,
        (Location::Query, "$count") => *ty == TypeRef::Boolean,
        (Location::Query, "$orderby" | "$select" | "$expand") => *ty == strings,
        (Location::Header, "ConsistencyLevel") => *ty == TypeRef::String,
        _ => false,
    }
}

/// How the typed call takes the optional parameters.
fn options_of(params: &[Param], rust_name: &str) -> Options {
    let mut optional = params.iter().filter(|p| p.location != Location::Path).peekable();
    if optional.peek().is_none() {
        Options::None
    } else if optional.all(is_standard_option) {
        Options::Standard
    } else {
        Options::Own(format!("{}Params", pascal_case(rust_name)))
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_param(
    ctx: &OpContext<'_>,
    here: &Pointer,
    p: &Parameter,
    location: Location,
    id: &str,
    schemas: &mut SchemaLowering<'_>,
    seen_rust: &mut UniqueNames,
    sink: &mut Sink,
) -> Param {
    let data = p.parameter_data_ref();
    let ty = match &data.format {
        ParameterSchemaOrContent::Schema(ReferenceOr::Item(s)) => schemas.type_of(s, &data.name, &here.join("schema"), sink, 0),
        ParameterSchemaOrContent::Schema(ReferenceOr::Reference { reference }) => {
            schemas.reference(reference, &here.join("schema"), sink)
        }
        ParameterSchemaOrContent::Content(_) => TypeRef::String,
    };
    if location == Location::Path && !data.required {
        sink.push(here, Some(id), format!("path parameter `{}` must be `required: true`", data.name));
    }
    let ps_name = super::key_name(&data.name, ctx.parameter_names);
    Param {
        wire_name: data.name.clone(),
        rust_name: seen_rust.claim(&snake_case(&data.name)),
        ps_name,
        location,
        required: data.required,
        ty,
        description: data.description.clone(),
    }
}

fn lower_success(
    doc: &OpenAPI,
    op: &OaOperation,
    ptr: &Pointer,
    id: &str,
    schemas: &mut SchemaLowering<'_>,
    sink: &mut Sink,
) -> Success {
    let responses_ptr = ptr.join("responses");
    let mut success: Vec<(String, &ReferenceOr<openapiv3::Response>)> = op
        .responses
        .responses
        .iter()
        .filter_map(|(code, r)| match code {
            StatusCode::Code(n) if (200..300).contains(n) => Some((n.to_string(), r)),
            StatusCode::Range(2) => Some(("2XX".to_owned(), r)),
            _ => None,
        })
        .collect();
    success.sort_by(|a, b| a.0.cmp(&b.0));
    if success.is_empty() && op.responses.default.is_none() {
        sink.push(&responses_ptr, Some(id), "no success (2XX) or default response is declared");
        return Success::NoContent;
    }
    for (code, response) in success {
        let here = responses_ptr.join(&code);
        let response = match resolve(doc, response, &here) {
            Ok((r, _)) => r,
            Err(e) => {
                sink.push(&here.join("$ref"), Some(id), e.to_string());
                return Success::NoContent;
            }
        };
        let mut media: Vec<(&String, &openapiv3::MediaType)> = response.content.iter().collect();
        media.sort_by_key(|(k, _)| !k.starts_with("application/json"));
        if let Some((media_type, content)) = media.first() {
            let content_ptr = here.join("content").join(media_type);
            if media_type.starts_with("application/json") {
                let ty = match &content.schema {
                    Some(ReferenceOr::Reference { reference }) => schemas.reference(reference, &content_ptr.join("schema"), sink),
                    Some(ReferenceOr::Item(s)) => schemas.type_of(s, &format!("{id}_response"), &content_ptr.join("schema"), sink, 0),
                    None => TypeRef::Any,
                };
                return Success::Json(ty);
            }
            return Success::Raw { media_type: (*media_type).clone() };
        }
    }
    Success::NoContent
}

/// The request body: JSON when the operation accepts it, else bytes of the
/// first declared media type (a `$value` or logo PUT).
fn lower_body(
    doc: &OpenAPI,
    op: &OaOperation,
    ptr: &Pointer,
    id: &str,
    schemas: &mut SchemaLowering<'_>,
    sink: &mut Sink,
) -> Option<Body> {
    let here = ptr.join("requestBody");
    let body = match resolve(doc, op.request_body.as_ref()?, &here) {
        Ok((b, _)) => b,
        Err(e) => {
            sink.push(&here.join("$ref"), Some(id), e.to_string());
            return None;
        }
    };
    let Some((media_type, content)) = body.content.iter().find(|(k, _)| k.starts_with("application/json")) else {
        // Not JSON: an upload of bytes in the first declared media type.
        let (media_type, _) = body.content.iter().next()?;
        return Some(Body {
            ty: TypeRef::Any,
            required: body.required,
            description: body.description.clone(),
            properties: Vec::new(),
            raw_media_type: Some(media_type.clone()),
        });
    };
    let schema_ptr = here.join("content").join(media_type).join("schema");
    let ty = match &content.schema {
        Some(ReferenceOr::Reference { reference }) => schemas.reference(reference, &schema_ptr, sink),
        Some(ReferenceOr::Item(s)) => schemas.type_of(s, &format!("{id}_request_body"), &schema_ptr, sink, 0),
        None => TypeRef::Any,
    };
    Some(Body { ty, required: body.required, description: body.description.clone(), properties: Vec::new(), raw_media_type: None })
}

/// `applications.Actions` -> `applications-actions`: a Cargo feature name,
/// kept to ASCII so that it is also a bare TOML key (`日本.Actions` ->
/// `actions`).
pub(crate) fn feature_name(tag: &str) -> String {
    let name = crate::naming::ident::words(tag)
        .iter()
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    match name.as_str() {
        "" => "untagged".to_owned(),
        // The manifest defines these two itself; a tag of that name would
        // repeat the key and break Cargo.toml.
        "default" | "full" => format!("{name}-tag"),
        _ => name,
    }
}

fn method_of(key: &str) -> Option<Method> {
    Some(match key {
        "get" => Method::Get,
        "put" => Method::Put,
        "post" => Method::Post,
        "delete" => Method::Delete,
        "options" => Method::Options,
        "head" => Method::Head,
        "patch" => Method::Patch,
        "trace" => Method::Trace,
        _ => return None,
    })
}

/// Parses `/a/{b}/c('{d}')` into literals and placeholders.
pub(crate) fn parse_template(raw: &str) -> Result<PathTemplate, String> {
    if !raw.starts_with('/') {
        return Err(format!("path `{raw}` must start with `/`"));
    }
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut names = BTreeSet::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == '}' {
                        closed = true;
                        break;
                    }
                    if d == '{' || d == '/' {
                        break;
                    }
                    name.push(d);
                }
                if !closed || name.is_empty() {
                    return Err(format!("path `{raw}` has an unbalanced or empty `{{...}}` placeholder"));
                }
                if !names.insert(name.clone()) {
                    return Err(format!("path `{raw}` uses placeholder `{{{name}}}` twice"));
                }
                if !literal.is_empty() {
                    parts.push(PathPart::Literal(std::mem::take(&mut literal)));
                }
                parts.push(PathPart::Param(name));
            }
            '}' => return Err(format!("path `{raw}` has a `}}` without a matching `{{`")),
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        parts.push(PathPart::Literal(literal));
    }
    Ok(PathTemplate { raw: raw.to_owned(), parts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = parse_template("/applications/{application-id}/jobs/{job-id}/microsoft.graph.start").expect("valid");
        assert_eq!(
            t.parts,
            vec![
                PathPart::Literal("/applications/".into()),
                PathPart::Param("application-id".into()),
                PathPart::Literal("/jobs/".into()),
                PathPart::Param("job-id".into()),
                PathPart::Literal("/microsoft.graph.start".into()),
            ]
        );
        assert!(parse_template("/a/{b").is_err());
        assert!(parse_template("/a/{}").is_err());
        assert!(parse_template("/a/{b}/{b}").is_err());
        assert!(parse_template("/a/b}").is_err());
        assert!(parse_template("a").is_err());
        assert!(parse_template("/applications(appId='{appId}')").is_ok());
    }

    #[test]
    fn delta_functions_and_upload_sessions_are_recognised() {
        let json = Success::Json(TypeRef::Any);
        let kind = |method, path: &str, success: &Success| kind_of(method, &parse_template(path).expect("valid"), success);
        for path in [
            "/users/microsoft.graph.delta()",
            "/users/delta()",
            "/users/delta",
            "/drives/{drive-id}/items/{driveItem-id}/microsoft.graph.delta(token='{token}')",
        ] {
            assert_eq!(kind(Method::Get, path, &json), OperationKind::Delta, "{path}");
        }
        for path in ["/drives/{drive-id}/root/microsoft.graph.createUploadSession", "/print/createUploadSession"] {
            assert_eq!(kind(Method::Post, path, &json), OperationKind::UploadSession, "{path}");
        }
        for (method, path, success) in [
            (Method::Post, "/users/microsoft.graph.delta()", &json),
            (Method::Get, "/users/microsoft.graph.delta()", &Success::NoContent),
            (Method::Get, "/users/{user-id}/deltaUsers", &json),
            (Method::Get, "/users/{delta}", &json),
            (Method::Get, "/drives/{drive-id}/microsoft.graph.createUploadSession", &json),
        ] {
            assert_eq!(kind(method, path, success), OperationKind::Plain, "{path}");
        }
    }
}
