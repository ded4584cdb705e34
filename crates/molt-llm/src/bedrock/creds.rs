//! The AWS credential and region chain, without aws-config.
//!
//! Credentials, first match wins: the profile named in molt.toml (explicit
//! configuration beats the environment, as in the AWS SDKs), then
//! `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, then
//! the profile `AWS_PROFILE` names (or `default`) in the shared credentials
//! file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) and the
//! config file (`AWS_CONFIG_FILE`, else `~/.aws/config`, where sections read
//! `[profile name]`). Region: molt.toml, `AWS_REGION`, `AWS_DEFAULT_REGION`,
//! then the profile's `region`. Profiles that only name a role, SSO or a
//! credential process are refused with a way out, rather than half-supported.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::env::Env;
use crate::error::{Error, Result};

/// Static AWS credentials. `Debug` never shows the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    pub credentials: AwsCredentials,
    pub region: String,
    /// Where the credentials came from, for messages: `environment` or `profile "x"`.
    pub source: String,
}

type Sections = BTreeMap<String, BTreeMap<String, String>>;

/// Resolves credentials and region. `profile` and `region` come from molt.toml.
pub fn resolve_aws(env: &Env, profile: Option<&str>, region: Option<&str>) -> Result<AwsSettings> {
    let profile_name = profile.or(env.get("AWS_PROFILE")).unwrap_or("default").to_owned();
    let home = env.get("HOME").or(env.get("USERPROFILE")).map(PathBuf::from);
    let file =
        |var: &str, default: &str| env.get(var).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)));
    let credentials_file = read_ini(file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"), false)?;
    let config_file = read_ini(file("AWS_CONFIG_FILE", ".aws/config"), true)?;
    let from_files = |key: &str| -> Option<String> {
        credentials_file
            .get(&profile_name)
            .and_then(|s| s.get(key))
            .or_else(|| config_file.get(&profile_name).and_then(|s| s.get(key)))
            .filter(|v| !v.is_empty())
            .cloned()
    };

    let from_env = match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) if profile.is_none() => Some(AwsCredentials {
            access_key_id: id.to_owned(),
            secret_access_key: secret.to_owned(),
            session_token: env.get("AWS_SESSION_TOKEN").map(str::to_owned),
        }),
        _ => None,
    };
    let (credentials, source) = match from_env {
        Some(c) => (c, "environment".to_owned()),
        None => match (from_files("aws_access_key_id"), from_files("aws_secret_access_key")) {
            (Some(access_key_id), Some(secret_access_key)) => (
                AwsCredentials { access_key_id, secret_access_key, session_token: from_files("aws_session_token") },
                format!("profile \"{profile_name}\""),
            ),
            _ => {
                let unsupported =
                    ["role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"]
                        .into_iter()
                        .find(|k| from_files(k).is_some());
                return Err(Error::Config(match unsupported {
                    Some(k) => format!(
                        "AWS profile \"{profile_name}\" uses {k}, which molt does not resolve; export static \
                         credentials first, e.g. `eval \"$(aws configure export-credentials --profile {profile_name} --format env)\"`"
                    ),
                    None => format!(
                        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put keys for \
                         profile \"{profile_name}\" in ~/.aws/credentials (or choose a profile with AWS_PROFILE)"
                    ),
                }));
            }
        },
    };
    let region = region
        .map(str::to_owned)
        .or_else(|| env.get("AWS_REGION").map(str::to_owned))
        .or_else(|| env.get("AWS_DEFAULT_REGION").map(str::to_owned))
        .or_else(|| from_files("region"))
        .ok_or_else(|| {
            Error::Config(format!(
                "no AWS region: set AWS_REGION, `region` in the [model] table, or `region` for profile \"{profile_name}\" in ~/.aws/config"
            ))
        })?;
    Ok(AwsSettings { credentials, region, source })
}

/// Reads an INI-style AWS file; a missing file is empty. In the config file,
/// `[profile x]` names profile `x` (and `[default]` stays `default`).
fn read_ini(path: Option<PathBuf>, config: bool) -> Result<Sections> {
    let Some(path) = path else { return Ok(Sections::new()) };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Sections::new()),
        Err(e) => return Err(Error::Config(format!("cannot read {}: {e}", path.display()))),
    };
    Ok(parse_ini(&text, config))
}

pub(crate) fn parse_ini(text: &str, config: bool) -> Sections {
    let mut sections = Sections::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            let name = if config { name.strip_prefix("profile ").map(str::trim).unwrap_or(name) } else { name };
            current = Some(name.to_owned());
            sections.entry(name.to_owned()).or_default();
            continue;
        }
        if let (Some(section), Some((k, v))) = (&current, line.split_once('=')) {
            // Nested sub-sections (indented lines under `s3 =`) are ignored.
            if raw.starts_with([' ', '\t']) {
                continue;
            }
            sections.entry(section.clone()).or_default().insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    sections
}

#[cfg(test)]
mod tests;
