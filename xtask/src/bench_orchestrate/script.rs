//! The scripted model: `read_symbol`, then `replace_symbol` with the port,
//! then `finish`, decided from each request alone.

use molt_test_support::model_server::{ReceivedRequest, Turn};
use serde_json::json;

use super::repo::{kernel_name, ported_gather};

/// Which task a request belongs to (`# Task ID:` opens the first user
/// message) and which kernel file it is about.
pub(super) fn task_of(request: &ReceivedRequest) -> Option<(String, String)> {
    let first = request.body["messages"].as_array()?.iter().find(|m| m["role"] == "user")?["content"].as_str()?;
    let id = first.strip_prefix("# Task ")?.split(':').next()?.to_owned();
    let file = first.split("Files of this task: ").nth(1)?.split([',', '\n']).next()?.trim().to_owned();
    Some((id, file))
}

/// The scripted model: which turn comes next, from the request alone.
pub(super) fn script(request: &ReceivedRequest) -> Turn {
    let Some((_, file)) = task_of(request) else { return Turn::status(400) };
    let Some(n) = file.strip_prefix("src/k").and_then(|f| f.strip_suffix(".c")).and_then(|n| n.parse().ok()) else {
        return Turn::status(400);
    };
    let symbol = format!("{file}::{}_gather", kernel_name(n));
    let answered =
        request.body["messages"].as_array().map_or(0, |m| m.iter().filter(|m| m["role"] == "assistant").count());
    match answered {
        0 => Turn::tool_call("read_symbol", json!({ "symbol": symbol })),
        1 => match ported_gather(n) {
            Ok(text) => Turn::tool_call("replace_symbol", json!({ "symbol": symbol, "text": text })),
            Err(_) => Turn::status(500),
        },
        _ => Turn::tool_call(
            "finish",
            json!({ "summary": "The AVX2 gather stays on x86; elsewhere the eight lanes are loaded one by one." }),
        ),
    }
}
