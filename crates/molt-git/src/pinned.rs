//! Recipes kept in other git repositories, named as `git+URL@COMMIT[#SUBDIR]`
//! and fetched once into a cache.
//!
//! This is the one place molt runs the `git` program instead of git2: the
//! vendored libgit2 is built without TLS or SSH, and a recipe's repository is
//! usually reached over https or ssh with the user's own credential helper,
//! which the `git` program already knows how to use. Only full commit ids are
//! accepted: a branch or a tag can move, and a migration must be reproducible.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Error, Result};

/// The prefix that marks a recipe reference as a git repository.
pub const PREFIX: &str = "git+";

/// A parsed `URL@COMMIT[#SUBDIR]` (without the `git+` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedRef {
    pub url: String,
    /// Lower-case, 40 hex digits.
    pub commit: String,
    /// A folder inside the repository, or empty for its root.
    pub subdir: String,
}

impl PinnedRef {
    /// Parses `URL@COMMIT[#SUBDIR]`; the `git+` prefix is accepted and dropped.
    pub fn parse(reference: &str) -> Result<PinnedRef> {
        let bare = reference.strip_prefix(PREFIX).unwrap_or(reference);
        let bad = |why: &str| Error::BadPin { reference: format!("{PREFIX}{bare}"), why: why.to_owned() };
        let (pinned, subdir) = bare.split_once('#').unwrap_or((bare, ""));
        let (url, commit) = pinned
            .rsplit_once('@')
            .filter(|(url, c)| !url.is_empty() && c.len() == 40 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| bad("write git+URL@COMMIT[#SUBDIR] with a full 40-hex commit id"))?;
        let subdir = subdir.trim_matches('/');
        if subdir.split('/').any(|part| part == "..") || subdir.starts_with('/') {
            return Err(bad("the recipe's folder after # must stay inside the repository"));
        }
        if url.starts_with('-') {
            return Err(bad("a URL cannot start with '-'"));
        }
        Ok(PinnedRef { url: url.to_owned(), commit: commit.to_ascii_lowercase(), subdir: subdir.to_owned() })
    }

    /// The cache folder's name: the URL's tail made safe, then the commit.
    fn slug(&self) -> String {
        let slug: String = self.url.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let slug = slug.trim_matches('-');
        let tail = slug.char_indices().rev().nth(59).map_or(slug, |(i, _)| &slug[i..]);
        format!("{}-{}", tail.trim_start_matches('-'), self.commit)
    }
}

/// `$XDG_CACHE_HOME/molt/recipes`, else `~/.cache/molt/recipes`; `None` when
/// neither variable is set.
pub fn recipe_cache_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").filter(|v| !v.is_empty())?).join(".cache"),
    };
    Some(base.join("molt").join("recipes"))
}

/// Checks the pinned commit out under `cache` once (later calls reuse it,
/// with no network) and returns the recipe's folder in it.
///
/// The checkout is made in a scratch folder and renamed into place, so a
/// crash or a failed fetch never leaves a half-filled cache entry that a
/// later run would trust.
pub fn fetch_pinned(pin: &PinnedRef, cache: &Path) -> Result<PathBuf> {
    let done = cache.join(pin.slug());
    if !done.is_dir() {
        std::fs::create_dir_all(cache).map_err(|source| Error::Io {
            action: "creating",
            path: cache.into(),
            source,
        })?;
        let work = cache.join(format!(".fetch-{}-{}", std::process::id(), &pin.commit[..12]));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|source| Error::Io {
            action: "creating",
            path: work.clone(),
            source,
        })?;
        let fetched = fetch_into(&work, pin);
        if let Err(e) = fetched {
            let _ = std::fs::remove_dir_all(&work);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(work.join(".git"));
        // Another process may have won the race; its checkout is the same commit.
        if std::fs::rename(&work, &done).is_err() {
            let _ = std::fs::remove_dir_all(&work);
        }
    }
    let folder = if pin.subdir.is_empty() { done } else { done.join(&pin.subdir) };
    if !folder.exists() {
        return Err(Error::Fetch {
            url: pin.url.clone(),
            commit: pin.commit.clone(),
            message: format!("the commit has no folder {}", pin.subdir),
        });
    }
    Ok(folder)
}

fn fetch_into(work: &Path, pin: &PinnedRef) -> Result<()> {
    let fail = |message: String| Error::Fetch { url: pin.url.clone(), commit: pin.commit.clone(), message };
    let git = |args: &[&str]| -> Result<std::process::Output> {
        Command::new("git")
            .args(args)
            .current_dir(work)
            // Never wait on a password prompt: a CI bot has no one to answer it.
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| fail(format!("could not run git ({e}); install git")))
    };
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).trim().to_owned();
    let init = git(&["init", "--quiet"])?;
    if !init.status.success() {
        return Err(fail(stderr(&init)));
    }
    // A shallow fetch of one commit works on servers that allow it; the full
    // fetch is the fallback for those that do not.
    let shallow = git(&["fetch", "--quiet", "--depth", "1", "--", &pin.url, &pin.commit])?;
    if !shallow.status.success() {
        let full = git(&["fetch", "--quiet", "--", &pin.url])?;
        if !full.status.success() {
            return Err(fail(stderr(&full)));
        }
    }
    let checkout = git(&["-c", "advice.detachedHead=false", "checkout", "--quiet", &pin.commit])?;
    if !checkout.status.success() {
        return Err(fail(format!("the repository has no commit {}: {}", pin.commit, stderr(&checkout))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn parses_urls_commits_and_folders() {
        let pin = PinnedRef::parse(&format!("git+https://example.com/team/recipes.git@{C}#neon/x")).unwrap();
        assert_eq!(
            pin,
            PinnedRef { url: "https://example.com/team/recipes.git".into(), commit: C.into(), subdir: "neon/x".into() }
        );
        let ssh = PinnedRef::parse(&format!("git@example.com:team/recipes.git@{}", C.to_uppercase())).unwrap();
        assert_eq!(ssh.url, "git@example.com:team/recipes.git");
        assert_eq!(ssh.commit, C);
    }

    #[test]
    fn refuses_what_is_not_a_pin() {
        for bad in [
            "git+https://example.com/r.git@main".to_owned(),
            "git+https://example.com/r.git".to_owned(),
            format!("git+@{C}"),
            format!("git+https://example.com/r.git@{C}#../up"),
            format!("git+--upload-pack=x@{C}"),
        ] {
            assert!(PinnedRef::parse(&bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn cache_names_are_safe_and_bounded() {
        let long = format!("https://example.com/{}/r.git@{C}", "a".repeat(200));
        let slug = PinnedRef::parse(&long).unwrap().slug();
        assert!(slug.len() <= 60 + 1 + 40, "{slug}");
        assert!(slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{slug}");
        assert!(slug.ends_with(C));
    }
}
