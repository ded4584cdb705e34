//! The pinned corpus members: their archives, fetched once and checked
//! against their SHA-256, and their source files.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use molt_syntax::Lang;
use sha2::{Digest, Sha256};

/// One pinned archive of the corpus.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub name: &'static str,
    pub url: &'static str,
    pub sha256: &'static str,
    /// The folder the archive unpacks to.
    pub root: &'static str,
    /// The folders inside `root` whose sources are used.
    pub dirs: &'static [&'static str],
    /// `.h` files of this member are C++ (molt reads `.h` as C).
    pub cpp_headers: bool,
    pub compiler: Compiler,
}

#[derive(Debug, Clone, Copy)]
pub enum Compiler {
    /// gcc -aux-info on each `.c` file, with these include folders (relative to `root`).
    Gcc {
        includes: &'static [&'static str],
    },
    /// Python's own parser (`ast`) on each `.py` file.
    Python,
    None,
}

pub const MEMBERS: &[Member] = &[
    Member {
        name: "sqlite",
        url: "https://static.crates.io/crates/libsqlite3-sys/libsqlite3-sys-0.40.0.crate",
        sha256: "b06e69070b7e12262b0cd90832f0a7396f142a2b330181255562decf9f0c6215",
        root: "libsqlite3-sys-0.40.0",
        dirs: &["sqlite3"],
        cpp_headers: false,
        compiler: Compiler::Gcc { includes: &["sqlite3"] },
    },
    Member {
        name: "zstd",
        url: "https://static.crates.io/crates/zstd-sys/zstd-sys-2.1.3+zstd.1.5.7.crate",
        sha256: "f729a06d0257428fd9d997ac8db7e1407bd0262ab016b085b36bc52957c0052d",
        root: "zstd-sys-2.1.3+zstd.1.5.7",
        dirs: &["zstd/lib"],
        cpp_headers: false,
        compiler: Compiler::Gcc { includes: &["zstd/lib", "zstd/lib/common"] },
    },
    Member {
        name: "libfuzzer",
        url: "https://static.crates.io/crates/libfuzzer-sys/libfuzzer-sys-0.4.13.crate",
        sha256: "a9fd2f41a1cba099f79a0b6b6c35656cf7c03351a7bae8ff0f28f25270f929d2",
        root: "libfuzzer-sys-0.4.13",
        dirs: &["libfuzzer"],
        cpp_headers: true,
        compiler: Compiler::None,
    },
    Member {
        name: "regex-syntax",
        url: "https://static.crates.io/crates/regex-syntax/regex-syntax-0.8.12.crate",
        sha256: "d902046e6a28a1e4c3cab97258a0ce11e994903f01c2d97a9447a0b3df85f4f6",
        root: "regex-syntax-0.8.12",
        dirs: &["src"],
        cpp_headers: false,
        compiler: Compiler::None,
    },
    Member {
        name: "requests",
        url: "https://files.pythonhosted.org/packages/ac/c3/e2a2b89f2d3e2179abd6d00ebd70bff6273f37fb3e0cc209f48b39d00cbf/requests-2.34.2.tar.gz",
        sha256: "f288924cae4e29463698d6d60bc6a4da69c89185ad1e0bcc4104f584e960b9ed",
        root: "requests-2.34.2",
        dirs: &["src/requests", "tests"],
        cpp_headers: false,
        compiler: Compiler::Python,
    },
];
/// The cache folder: `$XDG_CACHE_HOME/molt/corpus` or `~/.cache/molt/corpus`.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("molt/corpus"));
    }
    let home = std::env::var_os("HOME").context("neither XDG_CACHE_HOME nor HOME is set")?;
    Ok(PathBuf::from(home).join(".cache/molt/corpus"))
}

/// Downloads (once) and unpacks (once) a member; fails when the download
/// fails or the bytes are not the pinned ones.
pub fn fetch(member: &Member) -> Result<PathBuf> {
    let cache = cache_dir()?;
    std::fs::create_dir_all(&cache).with_context(|| format!("creating {}", cache.display()))?;
    let file = member.url.rsplit('/').next().context("archive name")?;
    let archive = cache.join(file);
    let good = |path: &Path| std::fs::read(path).is_ok_and(|b| hex::encode(Sha256::digest(&b)) == member.sha256);
    if !good(&archive) {
        let part = cache.join(format!("{file}.part"));
        let status = Command::new("curl")
            .args(["--silent", "--show-error", "--fail", "--location", "--retry", "2", "--output"])
            .arg(&part)
            .arg(member.url)
            .status()
            .context("running curl (is it installed?)")?;
        if !status.success() {
            bail!("downloading {} failed ({status})", member.url);
        }
        let bytes = std::fs::read(&part).with_context(|| format!("reading {}", part.display()))?;
        let sum = hex::encode(Sha256::digest(&bytes));
        if sum != member.sha256 {
            let _ = std::fs::remove_file(&part);
            bail!("{}: sha256 {sum}, pinned {}", member.url, member.sha256);
        }
        std::fs::rename(&part, &archive).with_context(|| format!("moving {} into place", archive.display()))?;
    }
    let root = cache.join(member.root);
    let marker = root.join(".molt-unpacked");
    if !marker.exists() {
        if root.exists() {
            std::fs::remove_dir_all(&root).with_context(|| format!("removing {}", root.display()))?;
        }
        let status =
            Command::new("tar").arg("-xf").arg(&archive).arg("-C").arg(&cache).status().context("running tar")?;
        if !status.success() || !root.is_dir() {
            bail!("unpacking {} failed ({status})", archive.display());
        }
        std::fs::write(&marker, member.sha256).with_context(|| format!("writing {}", marker.display()))?;
    }
    Ok(root)
}

/// The member's source files, as (path relative to `root`, path molt edits
/// it under), sorted.
pub(super) fn sources(member: &Member, root: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for dir in member.dirs {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
                let key = if member.cpp_headers && rel.ends_with(".h") { format!("{rel}pp") } else { rel.clone() };
                if Lang::from_path(&key).is_some() {
                    out.push((rel, key));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}
