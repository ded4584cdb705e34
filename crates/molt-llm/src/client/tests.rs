use super::*;
use crate::types::Message;

#[test]
fn estimate_is_generous() {
    let r = Request { messages: vec![Message::user("x".repeat(4000))], ..Request::default() };
    let est = estimate_input_tokens(&r);
    // 4000 characters are about 1000 real tokens; the estimate is twice that.
    assert!((2000..2100).contains(&est), "{est}");
}

#[test]
fn dollar_caps_need_a_price() {
    let config: ModelConfig =
        toml::from_str("provider = \"openai\"\nmodel = \"my-local-llama\"\nmax_usd = 5.0\n").unwrap();
    let env = Env::empty().with("OPENAI_API_KEY", "sk-fake");
    let err = Client::from_config(&config, &env).unwrap_err().to_string();
    assert!(err.contains("[model.price]"), "{err}");
    let priced: ModelConfig = toml::from_str(
        "provider = \"openai\"\nmodel = \"my-local-llama\"\nmax_usd = 5.0\nprice = { input = 1.0, output = 2.0 }\n",
    )
    .unwrap();
    let client = Client::from_config(&priced, &env).unwrap();
    assert_eq!(client.price().map(|p| p.output), Some(2.0));
    assert_eq!((client.kind(), client.model()), (ProviderKind::Openai, "my-local-llama"));
}

#[test]
fn replay_needs_no_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.jsonl");
    std::fs::write(&path, "").unwrap();
    let config: ModelConfig = toml::from_str("provider = \"bedrock\"\nmodel = \"m\"\n").unwrap();
    let options = ClientOptions { cassette: CassetteMode::Replay(path), ..ClientOptions::from_config(&config) };
    assert!(Client::from_config_with(&config, &Env::empty(), options).is_ok());
    assert!(Client::from_config(&config, &Env::empty()).is_err());
}
