//! Rules the contract states for the whole document, applied after generation: what the
//! server checks about a value is written into its schema, so generated clients and
//! fuzzers know it without reading our code.
//!
//! Request-side rules are never stricter than the server (a value the server accepts is
//! valid by its schema), so a schema-invalid value is always refused; the server may
//! still refuse a schema-valid value for reasons JSON Schema cannot state (an unknown
//! organization id, a date before the office opened, a weak password).
//!
//! Field rules are keyed by property name: a name means one thing across the API (every
//! `slug` is a slug, every `postal_code` five digits), and a new field with a known name
//! gets its rule without anyone remembering this file. Text lengths sit on the fields.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// Dates and instants the server accepts lie in the years 1900 to 2199
/// (`domain::validation::date_in_window`).
pub const YEAR_WINDOW: &str = "^(19|20|21)[0-9]{2}-";
/// `domain::Slug`: 3 to 64 lowercase letters, digits and single hyphens.
pub const SLUG: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";
/// An office path parameter: its UUID or its slug.
pub const OFFICE_KEY: &str =
    "^([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[a-z0-9]+(-[a-z0-9]+)*)$";
/// A language tag as in `Accept-Language` (`de`, `en-US`); only its language counts.
pub const LANGUAGE_TAG: &str = "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$";
/// A cursor: base64url (unpadded) of `k1:` and a sort key (see `pagination`).
pub const CURSOR: &str = "^azE6([A-Za-z0-9_-]{4})*([A-Za-z0-9_-]{2,3})?$";
/// One or more entity tags, as `If-Match` takes them (`*` is not accepted: a write must
/// name the version it is based on).
pub const ENTITY_TAGS: &str = r#"^(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*$"#;
pub const POSTAL_CODE: &str = "^[0-9]{5}$";
pub const PHONE: &str = "^[0-9 +/()-]{3,50}$";
pub const EMAIL: &str = r"^[^@\s\u0000]+@[^\s\u0000]*\.[^\s\u0000]*[^.\s\u0000]$";
pub const WEB_ADDRESS: &str = r"^https?://[^\s\u0000-\u001F\u007F-\u009F]*$";
/// No string the server takes may hold U+0000 (`extractors::parse_json` and the URL
/// guard refuse it); said of every string that has no stricter pattern.
pub const NO_NUL: &str = r"^[^\u0000]*$";
pub const WALL_TIME: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

/// Plain text fields by name and the most characters each takes (what the handlers'
/// `require_text` calls check; a localized text's limits are in its description).
const TEXT_LIMITS: &[(&str, u32)] = &[
    ("name", 200),
    ("display_name", 200),
    ("short_name", 100),
    ("premises", 200),
    ("reason", 500),
    ("note", 1000),
    ("place", 300),
    ("street", 200),
    ("city", 100),
    ("title", 200),
    ("function", 200),
];

/// Said of every enum a response carries.
const EXTENSIBLE: &str = "New values may be added in later versions of the API; clients should \
    treat an unknown value like a missing one rather than fail.";

pub fn refine(doc: &mut Value) {
    let responses = reachable_schemas(doc, Side::Response);
    let requests = reachable_schemas(doc, Side::Request);
    let languages: Vec<&str> = domain::directory::languages::LANGUAGES
        .iter()
        .map(|l| l.code)
        .collect();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        reference_page_items(schemas);
        for (name, schema) in schemas.iter_mut() {
            let in_response = responses.contains(name);
            let in_request = requests.contains(name);
            if in_response && !in_request {
                describe_read_model(schema);
            }
            if in_response && schema.get("enum").is_some() {
                append_description(schema, EXTENSIBLE);
            }
            if in_request {
                constrain_inputs(schema, &languages);
            }
        }
        if let Some(text) = schemas.get_mut("LocalizedText") {
            constrain_localized_text(text);
        }
    }
    if let Some(components) = doc.pointer_mut("/components").and_then(Value::as_object_mut) {
        // Every operation carries its problem responses inline (with their codes); the
        // shared copies would be unused.
        components.remove("responses");
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut() {
                refine_operation(op, &languages);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Request,
    Response,
}

/// Names of the component schemas a request body (or a response) refers to, directly or
/// through other schemas.
fn reachable_schemas(doc: &Value, side: Side) -> BTreeSet<String> {
    let mut roots = Vec::new();
    for item in doc["paths"].as_object().into_iter().flat_map(Map::values) {
        for op in item.as_object().into_iter().flat_map(Map::values) {
            match side {
                Side::Request => roots.push(&op["requestBody"]),
                Side::Response => roots.extend(op["responses"].as_object().into_iter().flat_map(Map::values)),
            }
        }
    }
    let mut found = BTreeSet::new();
    let mut pending: Vec<String> = roots.into_iter().flat_map(references).collect();
    while let Some(name) = pending.pop() {
        if found.insert(name.clone())
            && let Some(schema) = doc.pointer(&format!("/components/schemas/{name}"))
        {
            pending.extend(references(schema));
        }
    }
    found
}

fn references(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref")
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                {
                    out.push(name.to_owned());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// `Page_X` lists `X` by reference instead of a copy of it, and always has `next_cursor`.
fn reference_page_items(schemas: &mut Map<String, Value>) {
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !schemas.contains_key(item) {
            continue;
        }
        let item_ref = json!({ "$ref": format!("#/components/schemas/{item}") });
        if let Some(items) = schemas[&name].pointer_mut("/properties/items/items") {
            *items = item_ref;
        }
    }
}

/// A response object lists every property as required (the server never omits one;
/// absent values are `null`) and may gain properties later, so it does not forbid them.
fn describe_read_model(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.remove("additionalProperties");
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<Value> = properties.keys().map(|k| Value::String(k.clone())).collect();
    object.insert("required".into(), Value::Array(required));
}

fn append_description(schema: &mut Value, sentence: &str) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    let text = match object.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("{} {sentence}", d.trim_end()),
        _ => sentence.to_owned(),
    };
    object.insert("description".into(), Value::String(text));
}

/// The rules of properties by name, and the date window of every date.
fn constrain_inputs(schema: &mut Value, languages: &[&str]) {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        constrain_dates(property);
        forbid_nul(property);
        let rule = match name.as_str() {
            "slug" => json!({ "pattern": SLUG, "minLength": 3, "maxLength": 64 }),
            "postal_code" => json!({ "pattern": POSTAL_CODE }),
            "phone" => json!({ "pattern": PHONE }),
            "email" => json!({ "pattern": EMAIL, "maxLength": 254 }),
            "website" => json!({ "pattern": WEB_ADDRESS, "maxLength": 300 }),
            "opens" | "closes" => json!({ "pattern": WALL_TIME }),
            // Offices of a network meeting, like an office's districts: given means one or more.
            "districts" | "offices" => json!({ "minItems": 1, "uniqueItems": true }),
            "languages" => {
                json!({ "minItems": 1, "uniqueItems": true, "items": { "type": "string", "enum": languages } })
            }
            "topics" => json!({ "uniqueItems": true, "items": { "type": "string", "pattern": SLUG } }),
            // An optional language (`null` allowed) keeps `null` among its values.
            "language" if is_plain_text(property) => {
                let nullable = property["type"]
                    .as_array()
                    .is_some_and(|types| types.iter().any(|t| t == "null"));
                let mut values: Vec<Value> = languages.iter().map(|l| json!(l)).collect();
                if nullable {
                    values.push(Value::Null);
                }
                json!({ "enum": values })
            }
            text => match TEXT_LIMITS.iter().find(|(n, _)| *n == text) {
                // A field may be shorter than its name's usual limit (a home visit's
                // `name`): the smaller limit stands.
                Some((_, max)) if is_plain_text(property) => {
                    let declared = property.get("maxLength").and_then(Value::as_u64);
                    let max = declared.map_or(u64::from(*max), |d| d.min(u64::from(*max)));
                    json!({ "minLength": 1, "maxLength": max })
                }
                _ => continue,
            },
        };
        merge_into_schema(property, rule);
    }
}

fn is_plain_text(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(types) => types.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// Adds keywords to a property schema; a nullable reference (`oneOf` with `null`) gets
/// them on its non-null branch.
fn merge_into_schema(property: &mut Value, rule: Value) {
    let target = match property.get_mut("oneOf").and_then(Value::as_array_mut) {
        Some(branches) => match branches
            .iter_mut()
            .find(|b| b.get("type") != Some(&json!("null")))
        {
            Some(branch) => branch,
            None => return,
        },
        None => property,
    };
    if let (Some(target), Value::Object(rule)) = (target.as_object_mut(), rule) {
        for (k, v) in rule {
            target.insert(k, v);
        }
    }
}

/// Free strings (no pattern, format or enum of their own) say that U+0000 is refused.
/// Rules added afterwards by name replace this pattern with a stricter one.
fn forbid_nul(schema: &mut Value) {
    let target = match schema.get_mut("oneOf").and_then(Value::as_array_mut) {
        Some(branches) => match branches
            .iter_mut()
            .find(|b| b.get("type") != Some(&json!("null")))
        {
            Some(branch) => branch,
            None => return,
        },
        None => schema,
    };
    let free = is_plain_text(target)
        && !["pattern", "format", "enum"]
            .iter()
            .any(|k| target.get(*k).is_some());
    if free && let Some(map) = target.as_object_mut() {
        map.insert("pattern".into(), Value::String(NO_NUL.into()));
    }
}

/// Dates and instants outside the accepted window are refused; the year says so.
fn constrain_dates(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let is_date = matches!(
                map.get("format").and_then(Value::as_str),
                Some("date" | "date-time")
            );
            if is_date && !map.contains_key("pattern") {
                map.insert("pattern".into(), Value::String(YEAR_WINDOW.into()));
            }
            map.values_mut().for_each(constrain_dates);
        }
        Value::Array(items) => items.iter_mut().for_each(constrain_dates),
        _ => {}
    }
}

/// Localized texts: German is required, keys are ISO 639 codes, values are text.
fn constrain_localized_text(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.insert("type".into(), json!("object"));
    object.insert("required".into(), json!(["de"]));
    object.insert(
        "properties".into(),
        json!({ "de": { "type": "string", "minLength": 1 } }),
    );
    object.insert("propertyNames".into(), json!({ "pattern": "^[a-z]{2,3}$" }));
    object.insert(
        "additionalProperties".into(),
        json!({ "type": "string", "minLength": 1 }),
    );
}

/// Parameters by name, and `security: []` where no token is involved at all.
fn refine_operation(op: &mut Value, languages: &[&str]) {
    let Some(op) = op.as_object_mut() else { return };
    if !op.contains_key("security") {
        op.insert("security".into(), json!([]));
    }
    let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for parameter in parameters {
        let location = parameter["in"].as_str().unwrap_or_default().to_owned();
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let Some(schema) = parameter.get_mut("schema") else {
            continue;
        };
        constrain_dates(schema);
        if location != "header" {
            forbid_nul(schema);
        }
        let rule = match (location.as_str(), name.as_str()) {
            ("query", "lang") => json!({ "pattern": LANGUAGE_TAG }),
            ("query", "cursor") => json!({ "pattern": CURSOR }),
            ("query", "language") => json!({ "enum": languages }),
            ("query", "topic") => json!({ "pattern": SLUG }),
            ("query" | "path", "office") => json!({ "pattern": OFFICE_KEY, "minLength": 3, "maxLength": 64 }),
            ("header", "If-Match") => json!({ "pattern": ENTITY_TAGS }),
            _ => continue,
        };
        merge_into_schema(schema, rule);
    }
}
