//! The operations of the OpenAPI document, as the corpus needs them.

use serde_json::Value;

/// An operation of the OpenAPI document, with what it takes.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub template: String,
    pub bearer: bool,
    /// The request body's content type, and whether it may be left out.
    pub body: Option<(String, bool)>,
    /// The body's properties: name → schema (references resolved).
    pub properties: Vec<(String, Value)>,
    pub query: Vec<String>,
    /// The methods the path answers, so that a wrong method is never one
    /// of them.
    pub methods_on_path: Vec<String>,
}

/// The operations of the OpenAPI document.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let bearer = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|content| {
                    content.keys().next().map(|ct| {
                        (
                            ct.clone(),
                            !op["requestBody"]["required"].as_bool().unwrap_or(false),
                        )
                    })
                });
            let schema = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|c| resolve(doc, &c["schema"]))
                .unwrap_or(Value::Null);
            let properties = schema["properties"]
                .as_object()
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.clone(), resolve(doc, v)))
                        .collect()
                })
                .unwrap_or_default();
            let query = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query")
                        .filter_map(|p| p["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                bearer,
                body,
                properties,
                query,
                methods_on_path: item.keys().map(|m| m.to_uppercase()).collect(),
            });
        }
    }
    out
}

/// Follows a `$ref` (and a one-element `allOf`/`oneOf` around one).
fn resolve(doc: &Value, schema: &Value) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return resolve(doc, &doc["components"]["schemas"][name]);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[key]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["type"] != "null"))
        {
            return resolve(doc, first);
        }
    }
    schema.clone()
}
