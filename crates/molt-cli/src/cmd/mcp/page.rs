//! Answers sized for agents: no answer over about 10k tokens. Lists come a
//! page at a time with a cursor; long texts are cut, and the answer says
//! where.

use serde::Serialize;
use serde_json::{json, Value};

/// The most bytes one answer (a tool result's text, a resource) may hold:
/// about 10k tokens.
pub const ANSWER_MAX_BYTES: usize = 40_000;
/// The bytes a page of list items may take, leaving room for the rest of the answer.
pub const PAGE_BYTES: usize = 30_000;
/// At most this many items per page, whatever their size.
pub const PAGE_ITEMS: usize = 200;

/// One page of `items` from `cursor` on: as many as fit in [`PAGE_BYTES`]
/// (at least one), at most `limit`; and the cursor of the next page, if any.
pub fn page<T: Serialize>(
    items: &[T],
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<Value>, Option<String>), String> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .strip_prefix('p')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| format!("`cursor` \"{}\" is not one this server gave", cut_chars(c, 64)))?,
    };
    let mut out = Vec::new();
    let mut bytes = 0;
    for item in items.iter().skip(start).take(limit.clamp(1, PAGE_ITEMS)) {
        let value = serde_json::to_value(item).map_err(|e| format!("internal error: {e}"))?;
        let size = value.to_string().len();
        if !out.is_empty() && bytes + size > PAGE_BYTES {
            break;
        }
        bytes += size;
        out.push(value);
    }
    let next = start + out.len();
    Ok((out, (next < items.len()).then(|| format!("p{next}"))))
}

/// The answer a list tool gives: `items` under `key`, the total, and the
/// cursor of the next page (or null: the last page).
pub fn listing(key: &str, items: Vec<Value>, total: usize, next: Option<String>) -> Value {
    json!({ key: items, "total": total, "next_cursor": next })
}

/// `text` cut to its last `max` bytes (check output: the end says why it failed),
/// and a note saying so when it was cut.
pub fn tail(text: &str, max: usize) -> (String, Option<String>) {
    if text.len() <= max {
        return (text.to_owned(), None);
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let kept = &text[start..];
    (kept.to_owned(), Some(format!("cut: the last {} of {} bytes are shown", kept.len(), text.len())))
}

/// `text` cut to its first `max` bytes, and a note saying so when it was cut.
pub fn head(text: &str, max: usize) -> (String, Option<String>) {
    if text.len() <= max {
        return (text.to_owned(), None);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), Some(format!("cut: the first {end} of {} bytes are shown", text.len())))
}

/// At most `n` characters of `s`, for echoing client input in messages.
pub fn cut_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_the_cursor_to_the_end() {
        let items: Vec<u32> = (0..5).collect();
        let (first, next) = page(&items, None, 2).unwrap();
        assert_eq!(first, vec![json!(0), json!(1)]);
        let (second, next) = page(&items, next.as_deref(), 2).unwrap();
        assert_eq!(second, vec![json!(2), json!(3)]);
        let (last, next) = page(&items, next.as_deref(), 2).unwrap();
        assert_eq!((last, next), (vec![json!(4)], None));
        assert!(page(&items, Some("p9"), 2).is_err());
        assert!(page(&items, Some("x"), 2).is_err());
    }

    #[test]
    fn a_page_stops_at_its_byte_budget() {
        let items = vec!["x".repeat(PAGE_BYTES / 2); 5];
        let (first, next) = page(&items, None, 100).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(next.as_deref(), Some("p1"));
    }

    #[test]
    fn cuts_say_what_they_kept() {
        assert_eq!(tail("abcdef", 10), ("abcdef".to_owned(), None));
        let (kept, note) = tail("abcdef", 2);
        assert_eq!(kept, "ef");
        assert_eq!(note.unwrap(), "cut: the last 2 of 6 bytes are shown");
        let (kept, note) = head("héllo", 2);
        assert_eq!(kept, "h");
        assert!(note.unwrap().contains("first 1 of 6"));
    }
}
