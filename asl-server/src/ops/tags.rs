//! Tags on state machines and activities: kept and listed.

use crate::App;
use crate::protocol::{ApiError, length, parse, required};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A tag, as the API writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tag {
    key: Option<String>,
    value: Option<String>,
}

/// The most tags a resource has (AWS: 50).
const MAX_TAGS: usize = 50;

/// `tags` as key and value, checked.
pub(crate) fn pairs(tags: Vec<Tag>) -> Result<Vec<(String, String)>, ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(ApiError::new("TooManyTags", format!("Too many tags: a resource has at most {MAX_TAGS}")));
    }
    tags.into_iter()
        .map(|t| {
            let key = required(t.key, "tags.member.key")?;
            length("tags.member.key", &key, 1, 128)?;
            let value = t.value.unwrap_or_default();
            length("tags.member.value", &value, 0, 256)?;
            Ok((key, value))
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagRequest {
    resource_arn: Option<String>,
    tags: Option<Vec<Tag>>,
    tag_keys: Option<Vec<String>>,
}

/// The tagged resource `arn`, which must exist.
fn resource(app: &App, request: &TagRequest) -> Result<String, ApiError> {
    let arn = required(request.resource_arn.clone(), "resourceArn")?;
    crate::arn::parse(&arn)?;
    if !app.registry.exists(&arn)? {
        return Err(ApiError::new("ResourceNotFound", format!("Resource not found: '{arn}'")));
    }
    Ok(arn)
}

/// `TagResource`.
pub(crate) fn tag(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: TagRequest = parse(body)?;
    let arn = resource(app, &request)?;
    let set = pairs(request.tags.unwrap_or_default())?;
    let existing = app.registry.tags(&arn)?;
    let total = existing.iter().filter(|(k, _)| !set.iter().any(|(s, _)| s == k)).count() + set.len();
    if total > MAX_TAGS {
        return Err(ApiError::new("TooManyTags", format!("Too many tags: a resource has at most {MAX_TAGS}")));
    }
    app.registry.tag(&arn, &set, &[])?;
    Ok(json!({}))
}

/// `UntagResource`.
pub(crate) fn untag(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: TagRequest = parse(body)?;
    let arn = resource(app, &request)?;
    app.registry.tag(&arn, &[], &request.tag_keys.unwrap_or_default())?;
    Ok(json!({}))
}

/// `ListTagsForResource`.
pub(crate) fn list(app: &App, body: &[u8]) -> Result<Value, ApiError> {
    let request: TagRequest = parse(body)?;
    let arn = resource(app, &request)?;
    let tags: Vec<Value> = app.registry.tags(&arn)?.into_iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
    Ok(json!({ "tags": tags }))
}
