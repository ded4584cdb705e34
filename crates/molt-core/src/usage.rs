//! Token usage of model calls and what it costs.
//!
//! Providers count tokens in four buckets: fresh input, output, input read
//! from the prompt cache and input written to it. They are priced differently
//! (a cache read costs a tenth of fresh input on most providers, a cache write
//! a quarter more), so [`Usage`] keeps them apart and [`Price`] prices each.
//! `input` never includes the cached buckets: providers that report cached
//! tokens as part of the prompt (OpenAI) are normalized when parsed.
//!
//! The built-in table ([`builtin_price`]) holds list prices in US dollars per
//! million tokens for the models molt is usually pointed at; `[model.price]` in
//! `molt.toml` overrides it ([`price_for`]), which is also how a local or
//! unknown model gets a price.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

pub use crate::spec::Price;

/// Tokens one call (or a sum of calls) consumed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens billed at the full input price (not read from or written to the cache).
    #[serde(default)]
    pub input: u64,
    #[serde(default)]
    pub output: u64,
    /// Input tokens served from the prompt cache.
    #[serde(default)]
    pub cache_read: u64,
    /// Input tokens written to the prompt cache.
    #[serde(default)]
    pub cache_write: u64,
}

impl Usage {
    pub fn new(input: u64, output: u64) -> Usage {
        Usage { input, output, cache_read: 0, cache_write: 0 }
    }

    /// Every token the model read, cached or not.
    pub fn total_input(&self) -> u64 {
        self.input.saturating_add(self.cache_read).saturating_add(self.cache_write)
    }

    /// Every token counted against a token budget: all input plus output.
    pub fn total(&self) -> u64 {
        self.total_input().saturating_add(self.output)
    }

    /// What these tokens cost at `price`, in US dollars.
    pub fn cost(&self, price: &Price) -> f64 {
        (self.input as f64 * price.input
            + self.output as f64 * price.output
            + self.cache_read as f64 * price.cache_read
            + self.cache_write as f64 * price.cache_write)
            / 1_000_000.0
    }
}

impl Add for Usage {
    type Output = Usage;

    fn add(self, rhs: Usage) -> Usage {
        Usage {
            input: self.input.saturating_add(rhs.input),
            output: self.output.saturating_add(rhs.output),
            cache_read: self.cache_read.saturating_add(rhs.cache_read),
            cache_write: self.cache_write.saturating_add(rhs.cache_write),
        }
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, rhs: Usage) {
        *self = *self + rhs;
    }
}

impl Price {
    pub const fn new(input: f64, output: f64, cache_read: f64, cache_write: f64) -> Price {
        Price { input, output, cache_read, cache_write }
    }

    /// The most one input token can cost, whichever bucket it lands in: the
    /// budget governor reserves input at this rate.
    pub fn worst_input(&self) -> f64 {
        self.input.max(self.cache_write).max(self.cache_read)
    }
}

/// List prices, US dollars per million tokens, keyed by model-name prefix. The
/// longest matching prefix wins, so `gpt-4o-mini` is not priced as `gpt-4o`.
const PRICES: &[(&str, Price)] = &[
    // Anthropic (cache write is the 5-minute rate).
    ("claude-opus-4-5", Price::new(5.0, 25.0, 0.50, 6.25)),
    ("claude-opus-4-1", Price::new(15.0, 75.0, 1.50, 18.75)),
    ("claude-opus-4", Price::new(15.0, 75.0, 1.50, 18.75)),
    ("claude-sonnet-4", Price::new(3.0, 15.0, 0.30, 3.75)),
    ("claude-haiku-4", Price::new(1.0, 5.0, 0.10, 1.25)),
    ("claude-3-7-sonnet", Price::new(3.0, 15.0, 0.30, 3.75)),
    ("claude-3-5-sonnet", Price::new(3.0, 15.0, 0.30, 3.75)),
    ("claude-3-5-haiku", Price::new(0.80, 4.0, 0.08, 1.0)),
    ("claude-3-haiku", Price::new(0.25, 1.25, 0.03, 0.30)),
    ("claude-3-opus", Price::new(15.0, 75.0, 1.50, 18.75)),
    // OpenAI (cached input is a cache read; there is no write surcharge).
    ("gpt-5-nano", Price::new(0.05, 0.40, 0.005, 0.05)),
    ("gpt-5-mini", Price::new(0.25, 2.0, 0.025, 0.25)),
    ("gpt-5", Price::new(1.25, 10.0, 0.125, 1.25)),
    ("gpt-4.1-nano", Price::new(0.10, 0.40, 0.025, 0.10)),
    ("gpt-4.1-mini", Price::new(0.40, 1.60, 0.10, 0.40)),
    ("gpt-4.1", Price::new(2.0, 8.0, 0.50, 2.0)),
    ("gpt-4o-mini", Price::new(0.15, 0.60, 0.075, 0.15)),
    ("gpt-4o", Price::new(2.50, 10.0, 1.25, 2.50)),
    ("o4-mini", Price::new(1.10, 4.40, 0.275, 1.10)),
    ("o3-mini", Price::new(1.10, 4.40, 0.55, 1.10)),
    ("o3", Price::new(2.0, 8.0, 0.50, 2.0)),
    // Amazon Nova on Bedrock.
    ("nova-premier", Price::new(2.50, 12.50, 0.625, 2.50)),
    ("nova-pro", Price::new(0.80, 3.20, 0.20, 0.80)),
    ("nova-lite", Price::new(0.06, 0.24, 0.015, 0.06)),
    ("nova-micro", Price::new(0.035, 0.14, 0.00875, 0.035)),
];

/// Vendor and region prefixes that model ids carry on Bedrock
/// (`us.anthropic.claude-...`) and routers (`anthropic/claude-...`).
const ID_PREFIXES: &[&str] = &["global.", "us.", "eu.", "apac.", "anthropic.", "openai.", "amazon.", "meta."];

/// The model name the price table is keyed by: lowercase, without router
/// (`openrouter`'s `vendor/`) and Bedrock (`us.anthropic.`) prefixes.
pub fn canonical_model(model: &str) -> String {
    let lower = model.trim().to_ascii_lowercase();
    let mut name = lower.rsplit('/').next().unwrap_or(&lower);
    while let Some(rest) = ID_PREFIXES.iter().find_map(|p| name.strip_prefix(p)) {
        name = rest;
    }
    name.to_owned()
}

/// The built-in list price of `model`, if the table knows it.
pub fn builtin_price(model: &str) -> Option<Price> {
    let name = canonical_model(model);
    PRICES
        .iter()
        .filter(|(prefix, _)| name.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, price)| *price)
}

/// The price molt charges `model` at: the `[model.price]` override when the
/// spec has one, else the built-in table.
pub fn price_for(model: &str, overrides: Option<&Price>) -> Option<Price> {
    overrides.copied().or_else(|| builtin_price(model))
}

#[cfg(test)]
mod tests;
