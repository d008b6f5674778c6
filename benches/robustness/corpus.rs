//! The bad-input corpus: for each operation of the OpenAPI document, the
//! ways a request can be wrong, each one alone on an otherwise valid
//! request, so that the only right answer is a 4xx.

use serde_json::Value;

use crate::openapi::Operation;

/// One malformed request.
#[derive(Debug, Clone)]
pub struct Case {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Which route and which fault, for the report.
    pub label: String,
}

/// What makes a request wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    NoToken,
    ForgedToken,
    AlgNoneToken,
    ExpiredToken,
    LinkAsBearer,
    GarbageAuthorization,
    OverlongToken,
    NotAnId,
    UnknownId,
    OverlongId,
    InvalidUtf8InPath,
    WrongMethod,
    TruncatedJson,
    DeepJson,
    WrongTypes,
    InvalidUtf8Body,
    OverlongStrings,
    UnknownEnumValues,
    UnknownField,
    HugeBody,
    WrongContentType,
    HugeNumber,
    BadQuery,
}

pub const FAULTS: [Fault; 23] = [
    Fault::NoToken,
    Fault::ForgedToken,
    Fault::AlgNoneToken,
    Fault::ExpiredToken,
    Fault::LinkAsBearer,
    Fault::GarbageAuthorization,
    Fault::OverlongToken,
    Fault::NotAnId,
    Fault::UnknownId,
    Fault::OverlongId,
    Fault::InvalidUtf8InPath,
    Fault::WrongMethod,
    Fault::TruncatedJson,
    Fault::DeepJson,
    Fault::WrongTypes,
    Fault::InvalidUtf8Body,
    Fault::OverlongStrings,
    Fault::UnknownEnumValues,
    Fault::UnknownField,
    Fault::HugeBody,
    Fault::WrongContentType,
    Fault::HugeNumber,
    Fault::BadQuery,
];

/// The valid pieces the corpus spoils one at a time.
pub struct Valid<'a> {
    pub token: &'a str,
    pub forged: &'a [String; 4],
    /// The path with real ids filled in.
    pub path: String,
}

/// Whether `fault` makes a request to `op` wrong (some faults do not apply
/// to every operation: no token on a public route is no fault).
pub fn applies(op: &Operation, fault: Fault) -> bool {
    let json_body = op.body.as_ref().is_some_and(|(ct, _)| ct.contains("json"));
    let has_id = op.template.contains('{');
    match fault {
        Fault::NoToken
        | Fault::ForgedToken
        | Fault::AlgNoneToken
        | Fault::ExpiredToken
        | Fault::LinkAsBearer
        | Fault::GarbageAuthorization
        | Fault::OverlongToken => op.bearer,
        Fault::NotAnId | Fault::UnknownId | Fault::OverlongId | Fault::InvalidUtf8InPath => has_id,
        Fault::WrongMethod => true,
        Fault::TruncatedJson | Fault::DeepJson | Fault::InvalidUtf8Body | Fault::HugeNumber => {
            json_body
        }
        Fault::WrongTypes | Fault::OverlongStrings => json_body && !op.properties.is_empty(),
        Fault::UnknownEnumValues => {
            json_body && op.properties.iter().any(|(_, s)| s["enum"].is_array())
        }
        Fault::UnknownField => json_body,
        Fault::HugeBody => op.body.is_some(),
        Fault::WrongContentType => op.body.as_ref().is_some_and(|(_, optional)| !optional),
        Fault::BadQuery => op
            .query
            .iter()
            .any(|q| QUERY_FAULTS.iter().any(|(name, _)| name == q)),
    }
}

/// Query parameters and a value each must refuse.
const QUERY_FAULTS: [(&str, &str); 6] = [
    ("limit", "-1"),
    ("offset", "abc"),
    ("year", "deux-mille"),
    ("since", "hier"),
    ("revision", "9999999999999999999999"),
    ("overdue_on", "31/02/2024"),
];

/// A value of the wrong type for `schema`.
fn wrong_type(schema: &Value) -> Value {
    match schema["type"]
        .as_str()
        .or_else(|| schema["type"][0].as_str())
    {
        Some("string") => serde_json::json!({"objet": "au lieu d'un texte"}),
        Some("array") => serde_json::json!("un texte au lieu d'une liste"),
        Some("object") => serde_json::json!([1, 2, 3]),
        _ => serde_json::json!([{"mauvais": "type"}]),
    }
}

/// Builds request `n`: operation and fault chosen by `n`, the spoiled
/// piece varied by `n` as well.
pub fn case(op: &Operation, fault: Fault, valid: &Valid<'_>, n: usize) -> Case {
    let mut path = valid.path.clone();
    let mut method = op.method.clone();
    let mut headers = Vec::new();
    let mut body = Vec::new();
    let mut content_type = op.body.as_ref().map(|(ct, _)| ct.clone());
    if op.bearer {
        headers.push((
            "Authorization".to_owned(),
            format!("Bearer {}", valid.token),
        ));
    }
    let object = |v: Value| serde_json::to_vec(&v).unwrap_or_default();
    let first_string = op
        .properties
        .iter()
        .find(|(_, s)| s["type"] == "string" || s["type"][0] == "string")
        .map_or("title", |(k, _)| k.as_str());
    match fault {
        Fault::NoToken => headers.clear(),
        Fault::ForgedToken => headers[0].1 = format!("Bearer {}", valid.forged[0]),
        Fault::AlgNoneToken => headers[0].1 = format!("Bearer {}", valid.forged[1]),
        Fault::ExpiredToken => headers[0].1 = format!("Bearer {}", valid.forged[2]),
        Fault::LinkAsBearer => headers[0].1 = format!("Bearer {}", valid.forged[3]),
        Fault::GarbageAuthorization => {
            headers[0].1 = [
                "Basic YWRtaW46YWRtaW4=",
                "Bearer",
                "Bearer a.b.c",
                "Token abc",
            ][n % 4]
                .to_owned();
        }
        Fault::OverlongToken => headers[0].1 = format!("Bearer {}", "A".repeat(6000 + n % 1000)),
        Fault::NotAnId => {
            path = replace_last_param(
                &op.template,
                &valid.path,
                ["abc", "1", "..%2F..%2Fetc%2Fpasswd", "%27%20OR%201%3D1"][n % 4],
            )
        }
        Fault::UnknownId => {
            path = replace_last_param(&op.template, &valid.path, &uuid::Uuid::new_v4().to_string())
        }
        Fault::OverlongId => {
            path = replace_last_param(&op.template, &valid.path, &"9".repeat(4000))
        }
        Fault::InvalidUtf8InPath => {
            path = replace_last_param(&op.template, &valid.path, "%FF%FE%C0%AF")
        }
        Fault::WrongMethod => {
            method = ["TRACE", "PUT", "DELETE", "PATCH", "POST", "GET"]
                .iter()
                .filter(|m| !op.methods_on_path.iter().any(|d| d == *m))
                .nth(n % 2)
                .unwrap_or(&"TRACE")
                .to_string();
        }
        Fault::TruncatedJson => {
            let full = object(
                serde_json::json!({first_string: "Texte coupé au milieu", "autre": [1, 2, {"x": "y"}]}),
            );
            body = full[..1 + n % (full.len() - 1)].to_vec();
        }
        Fault::DeepJson => {
            let depth = 1000 + n % 100_000;
            body = ("[".repeat(depth) + &"]".repeat(depth)).into_bytes();
        }
        Fault::WrongTypes => {
            let (name, schema) = &op.properties[n % op.properties.len()];
            body = object(serde_json::json!({ name: wrong_type(schema) }));
        }
        Fault::InvalidUtf8Body => {
            body = format!("{{\"{first_string}\": \"").into_bytes();
            body.extend_from_slice(&[0xff, 0xfe, 0xc0, 0xaf]);
            body.extend_from_slice(b"\"}");
        }
        Fault::OverlongStrings => {
            let long = "é".repeat(20_000 + n % 1000);
            let fields: serde_json::Map<String, Value> = op
                .properties
                .iter()
                .map(|(k, s)| {
                    (
                        k.clone(),
                        if s["type"] == "string" {
                            Value::from(long.clone())
                        } else {
                            wrong_type(s)
                        },
                    )
                })
                .collect();
            body = object(Value::Object(fields));
        }
        Fault::UnknownEnumValues => {
            let fields: serde_json::Map<String, Value> = op
                .properties
                .iter()
                .filter(|(_, s)| s["enum"].is_array())
                .map(|(k, _)| {
                    (
                        k.clone(),
                        Value::from(["inconnu", "ACCEPTED", "", "\u{202e}accepted"][n % 4]),
                    )
                })
                .collect();
            body = object(Value::Object(fields));
        }
        Fault::UnknownField => {
            body = object(serde_json::json!({"champ_inconnu": n, "__proto__": {"admin": true}}))
        }
        Fault::HugeBody => {
            // One in sixteen is 10 MB; the others just over the 256 KiB limit.
            let size = if n.is_multiple_of(16) {
                10 * 1024 * 1024
            } else {
                300 * 1024 + n % 1000
            };
            body = if op.body.as_ref().is_some_and(|(ct, _)| ct.contains("json")) {
                let mut b = format!("{{\"{first_string}\": \"").into_bytes();
                b.resize(size, b'x');
                b.extend_from_slice(b"\"}");
                b
            } else {
                vec![b'a'; size]
            };
        }
        Fault::WrongContentType => {
            content_type = Some(
                [
                    "text/plain",
                    "application/xml",
                    "multipart/form-data; boundary=x",
                ][n % 3]
                    .to_owned(),
            );
            body = b"<membre nom=\"x\"/>".to_vec();
        }
        Fault::HugeNumber => {
            let name = op.properties.first().map_or("number", |(k, _)| k.as_str());
            body = format!("{{\"{name}\": 1e999999, \"{name}\": -99999999999999999999999999999}}")
                .into_bytes();
        }
        Fault::BadQuery => {
            let (name, value) = QUERY_FAULTS
                .iter()
                .filter(|(name, _)| op.query.iter().any(|q| q == name))
                .nth(n % 2)
                .or_else(|| {
                    QUERY_FAULTS
                        .iter()
                        .find(|(name, _)| op.query.iter().any(|q| q == name))
                })
                .copied()
                .unwrap_or(("limit", "-1"));
            path = format!("{path}?{name}={value}");
        }
    }
    if let Some(ct) = content_type
        && (!body.is_empty() || fault == Fault::WrongContentType)
    {
        headers.push(("Content-Type".to_owned(), ct));
    } else if op.body.as_ref().is_some_and(|(_, optional)| !optional) && body.is_empty() {
        // A required body left out is a fault of its own.
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    Case {
        method,
        path,
        headers,
        body,
        label: format!("{} {} [{fault:?}]", op.method, op.template),
    }
}

/// The path with its last parameter replaced by `value`.
fn replace_last_param(template: &str, valid_path: &str, value: &str) -> String {
    let segments: Vec<&str> = template.split('/').collect();
    let Some(last) = segments.iter().rposition(|s| s.starts_with('{')) else {
        return valid_path.to_owned();
    };
    let mut real: Vec<String> = valid_path.split('/').map(str::to_owned).collect();
    if let Some(slot) = real.get_mut(last) {
        *slot = value.to_owned();
    }
    real.join("/")
}
