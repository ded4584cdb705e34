use super::*;

async fn post(url: &str, body: Value) -> (u16, Vec<u8>) {
    // A minimal HTTP/1.1 client over a TCP stream keeps this crate free of reqwest.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = url.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((url, "/".into()));
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let body = body.to_string();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status: u16 = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let at = out.windows(4).position(|w| w == b"\r\n\r\n").map_or(out.len(), |p| p + 4);
    (status, out[at..].to_vec())
}

#[tokio::test]
async fn serves_turns_in_order_and_records_requests() {
    let server = ModelServer::start(Wire::Anthropic, vec![Turn::text("hello"), Turn::status(429).retry_after(2)]).await;
    let (status, body) = post(&format!("{}/v1/messages", server.uri()), json!({"model": "m"})).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["content"][0]["text"], "hello");
    let (status, _) = post(&format!("{}/v1/messages", server.uri()), json!({"stream": true})).await;
    assert_eq!(status, 429);
    let (status, body) = post(&format!("{}/v1/messages", server.uri()), json!({})).await;
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("no turn left for request #3"));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].path, "/v1/messages");
    assert!(!reqs[0].streaming && reqs[1].streaming);
    assert_eq!(reqs[0].header("Content-Type"), Some("application/json"));
    assert_eq!(server.remaining(), 0);
}

#[tokio::test]
async fn streams_are_cut_where_asked() {
    let server = ModelServer::start(Wire::OpenAi, vec![Turn::text("abcdefghij").cut_stream_after(2)]).await;
    let (_, body) = post(&format!("{}/chat/completions", server.base_url()), json!({"stream": true})).await;
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text.matches("data: ").count(), 2, "{text}");
    assert!(!text.contains("[DONE]"));
}

#[tokio::test]
async fn chooser_sees_the_request() {
    let server = ModelServer::start_with(Wire::Bedrock, |r| Turn::text(format!("you asked {}", r.path))).await;
    let (_, body) = post(&format!("{}/model/m/converse", server.uri()), json!({})).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["output"]["message"]["content"][0]["text"], "you asked /model/m/converse");
}

#[test]
fn blocking_server_works_without_a_runtime() {
    let server = ModelServer::start_blocking(Wire::OpenAi, vec![Turn::text("hi")]);
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (status, _) = rt.block_on(post(&format!("{}/chat/completions", server.base_url()), json!({})));
    assert_eq!(status, 200);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn pieces_split_on_char_boundaries() {
    assert_eq!(render_pieces("héllo wörld", 4), vec!["héll", "o wö", "rld"]);
    assert_eq!(render_pieces("", 4), vec![""]);
}

fn render_pieces(s: &str, n: usize) -> Vec<String> {
    render::pieces_for_test(s, n)
}

use serde_json::json;
