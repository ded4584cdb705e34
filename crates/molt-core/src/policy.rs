//! The one path policy: which repository-relative paths an agent may write.
//!
//! Every writer asks it: the coder's tools, the rules agent, edit sets, the
//! planner's validation and the commit step (which checks a task's whole
//! diff, whatever wrote it). A path is writable when
//!
//! - its name is plain: `/`-separated, relative, no `..`, no control
//!   characters (a newline, a NUL), no bidirectional overrides or zero-width
//!   characters, no look-alike dots or slashes (`．`, `／`, `∕`), no
//!   backslash, no component that starts with `~`, and only letters and
//!   digits outside ASCII;
//! - it is not git's or molt's own (`.git` in any case and at any depth,
//!   `.molt/`) and not the spec file;
//! - it matches an `include` glob and no `protected` glob;
//! - and, when it is a file that decides what a check runs (a Makefile, a
//!   CMake file, `build.rs`, `Cargo.toml`, `package.json`, `conftest.py`, a
//!   shell script, CI configuration: see [`is_build_file`]), the spec names it
//!   in `include` without a wildcard. Otherwise a model could write a
//!   `GNUmakefile` that `make test` picks up and run commands of its own.
//!
//! Globs have one meaning everywhere: `*` and `?` stop at `/`, `**` crosses
//! it. `include` matches case-sensitively, as git does; `protected` matches
//! case-insensitively, so `Tests/x.c` is as protected as `tests/x.c` on a
//! file system that does not tell them apart.
//!
//! This module is pure: whether a path passes through a symbolic link is a
//! question for the file system, asked by molt-syntax's `confine`, which
//! every writer calls after this policy.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
/// The longest component accepted, in bytes (most file systems' limit).
pub const MAX_COMPONENT_BYTES: usize = 255;

/// Why a path may not be written (or read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The path as given, cut and with its invisible characters escaped, so
    /// the message itself cannot fool a reader.
    pub shown: String,
    pub kind: RefusalKind,
    /// The sentence after the path.
    pub why: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.shown.is_empty() {
            f.write_str(&self.why)
        } else {
            write!(f, "`{}` {}", self.shown, self.why)
        }
    }
}

impl std::error::Error for Refusal {}

/// The rule a refused path broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Empty, absolute, `..`, a backslash, too long.
    NotRelative,
    /// Control, bidirectional, zero-width or look-alike characters, a `~`.
    NotPlain,
    /// `.git`, `.molt` or the spec file.
    Internal,
    /// Matches a protected glob.
    Protected,
    /// Matches no include glob.
    NotIncluded,
    /// A build or CI file the spec does not name.
    BuildFile,
}

/// A glob that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} glob \"{glob}\": {message}")]
pub struct GlobError {
    pub table: &'static str,
    pub glob: String,
    pub message: String,
}

/// Compiles globs with the policy's one meaning: `*` stops at `/`, `**`
/// crosses it.
pub fn glob_set(globs: &[String], case_insensitive: bool, table: &'static str) -> Result<GlobSet, GlobError> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(true)
            .case_insensitive(case_insensitive)
            .build()
            .map_err(|e| GlobError { table, glob: g.clone(), message: e.kind().to_string() })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| GlobError { table, glob: globs.join(", "), message: e.to_string() })
}

/// Where agents may write in one repository.
#[derive(Debug, Clone)]
pub struct PathPolicy {
    include: GlobSet,
    include_globs: Vec<String>,
    protected: GlobSet,
    protected_globs: Vec<String>,
    /// The `include` entries without a wildcard: files the spec names.
    named: Vec<String>,
    spec_file: String,
}

/// Two policies are the same when they were made from the same globs.
impl PartialEq for PathPolicy {
    fn eq(&self, other: &Self) -> bool {
        (&self.include_globs, &self.protected_globs, &self.spec_file)
            == (&other.include_globs, &other.protected_globs, &other.spec_file)
    }
}

impl Eq for PathPolicy {}

impl PathPolicy {
    /// The policy of a spec's `include` and `protected` globs; `spec_file` is
    /// the spec's repository-relative path.
    pub fn new(include: &[String], protected: &[String], spec_file: &str) -> Result<PathPolicy, GlobError> {
        let named = include.iter().filter(|g| !g.contains(['*', '?', '[', '{'])).map(|g| normalize(g)).collect();
        Ok(PathPolicy {
            include: glob_set(include, false, "include")?,
            include_globs: include.to_vec(),
            protected: glob_set(protected, true, "protected")?,
            protected_globs: protected.to_vec(),
            named,
            spec_file: normalize(spec_file),
        })
    }

    /// The normalized path when an agent may read `raw`: a plain relative
    /// name, not inside `.git` or `.molt`, not the spec.
    pub fn readable(&self, raw: &str) -> Result<String, Refusal> {
        let rel = plain_relative(raw)?;
        self.not_internal(raw, &rel)?;
        Ok(rel)
    }

    /// The normalized path when an agent may write `raw` (see the module
    /// docs for the rules, in the order they are checked).
    pub fn writable(&self, raw: &str) -> Result<String, Refusal> {
        let rel = self.readable(raw)?;
        let refuse = |kind, why: String| Err(Refusal { shown: shown(raw), kind, why });
        if let Some(i) = self.protected.matches(&rel).first() {
            return refuse(
                RefusalKind::Protected,
                format!(
                    "is protected (it matches `{}`) and cannot be edited: tests are the yardstick of the migration; change the code they test instead",
                    self.protected_globs[*i]
                ),
            );
        }
        if !self.include.is_match(&rel) {
            return refuse(
                RefusalKind::NotIncluded,
                "is outside the migration: the spec's `include` globs do not match it".to_owned(),
            );
        }
        if is_build_file(&rel) && !self.named.contains(&rel) {
            return refuse(
                RefusalKind::BuildFile,
                "decides what the checks run (a build, test or CI file); it is writable only when the spec's `include` names it exactly, without a wildcard".to_owned(),
            );
        }
        Ok(rel)
    }

    fn not_internal(&self, raw: &str, rel: &str) -> Result<(), Refusal> {
        let refuse = |why: &str| Err(Refusal { shown: shown(raw), kind: RefusalKind::Internal, why: why.to_owned() });
        let mut parts = rel.split('/');
        if rel.split('/').any(|p| p.eq_ignore_ascii_case(".git")) {
            return refuse("is inside `.git`, git's internal data; it is off limits");
        }
        if parts.next().is_some_and(|p| p.eq_ignore_ascii_case(".molt")) {
            return refuse("is inside `.molt`, molt's own state; it is off limits");
        }
        if rel.eq_ignore_ascii_case(&self.spec_file) {
            return refuse("is the migration spec; it is off limits");
        }
        Ok(())
    }
}

/// `raw` with `./` and empty components dropped, or why it is not a plain
/// relative path.
pub fn plain_relative(raw: &str) -> Result<String, Refusal> {
    let refuse = |kind, why: &str| Err(Refusal { shown: shown(raw), kind, why: why.to_owned() });
    if raw.is_empty() {
        return refuse(
            RefusalKind::NotRelative,
            "the path is empty; give a repository-relative path like `src/kernels.c`",
        );
    }
    if raw.len() > MAX_PATH_BYTES {
        return refuse(RefusalKind::NotRelative, "is too long for a path");
    }
    if let Some(c) = raw.chars().find(|c| !plain_char(*c)) {
        let why = format!(
            "contains {} (U+{:04X}), which can hide what a name really is; use plain names",
            char_name(c),
            c as u32
        );
        return Err(Refusal { shown: shown(raw), kind: RefusalKind::NotPlain, why });
    }
    if raw.contains('\\') {
        return refuse(RefusalKind::NotRelative, "uses `\\`; use `/` as the path separator");
    }
    if raw.starts_with('/') {
        return refuse(
            RefusalKind::NotRelative,
            "is an absolute path; give a path relative to the repository root, like `src/kernels.c`",
        );
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return refuse(RefusalKind::NotRelative, "climbs out of the repository: `..` is not allowed"),
            p if p.starts_with('~') => {
                return refuse(
                    RefusalKind::NotPlain,
                    "has a name that starts with `~`, which a shell reads as a home folder",
                )
            }
            p if p.trim() != p || p.ends_with('.') => {
                return refuse(RefusalKind::NotPlain, "has a name that starts or ends with a space or ends with a dot")
            }
            p if p.len() > MAX_COMPONENT_BYTES => {
                return refuse(RefusalKind::NotRelative, "has a name that is too long")
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return refuse(RefusalKind::NotRelative, "names the repository root, not a file");
    }
    Ok(parts.join("/"))
}

/// A character a plain name may hold: ASCII that prints (and the space),
/// or a letter or digit of another script. Everything else (controls,
/// bidirectional marks, zero-width characters, look-alike dots and slashes,
/// other symbols outside ASCII) is refused.
fn plain_char(c: char) -> bool {
    if c.is_ascii() {
        c == ' ' || c.is_ascii_graphic()
    } else {
        c.is_alphanumeric()
    }
}

fn char_name(c: char) -> &'static str {
    match c {
        '\n' | '\r' => "a line break",
        '\0' => "a NUL byte",
        c if c.is_control() => "a control character",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => {
            "a bidirectional control character"
        }
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => "a zero-width character",
        '\u{FF0E}' | '\u{2024}' | '\u{FE52}' | '\u{3002}' | '\u{FF61}' => "a look-alike dot",
        '\u{FF0F}' | '\u{2215}' | '\u{2044}' | '\u{29F8}' | '\u{FF3C}' | '\u{29F5}' => "a look-alike slash",
        _ => "a character that is neither a letter nor a digit",
    }
}

/// `raw` for a message: at most 120 characters, anything not plain escaped.
fn shown(raw: &str) -> String {
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i == 120 {
            out.push('…');
            break;
        }
        if plain_char(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        }
    }
    out
}

/// `rel` with `\` as `/` and leading `./` dropped, as globs and indexes
/// name files.
pub fn normalize(rel: &str) -> String {
    let mut s = rel.replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_owned();
    }
    s
}

/// Whether `rel` is a file that decides what a build, a test run or CI
/// executes: build files of the common build systems, test-runner
/// configuration that runs code (`conftest.py`, `*.pth`), shell scripts, and
/// CI definitions. Names are compared case-insensitively.
pub fn is_build_file(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    const NAMES: &[&str] = &[
        "makefile",
        "gnumakefile",
        "bsdmakefile",
        "cmakelists.txt",
        "build.rs",
        "cargo.toml",
        "cargo.lock",
        "rust-toolchain",
        "rust-toolchain.toml",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        ".npmrc",
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "tox.ini",
        "noxfile.py",
        "conftest.py",
        "pytest.ini",
        "sitecustomize.py",
        "usercustomize.py",
        "configure",
        "configure.ac",
        "configure.in",
        "meson.build",
        "meson_options.txt",
        "meson.options",
        "build.ninja",
        "sconstruct",
        "sconscript",
        "build",
        "build.bazel",
        "workspace",
        "workspace.bazel",
        "module.bazel",
        ".bazelrc",
        "justfile",
        "rakefile",
        "gemfile",
        "pom.xml",
        "build.xml",
        "go.mod",
        "dockerfile",
        "containerfile",
        "jenkinsfile",
        "vagrantfile",
        ".gitlab-ci.yml",
        ".travis.yml",
        "azure-pipelines.yml",
        "bitbucket-pipelines.yml",
        ".pre-commit-config.yaml",
        ".envrc",
        ".gitattributes",
        ".gitmodules",
        ".clang-tidy",
    ];
    const EXTENSIONS: &[&str] =
        &["mk", "mak", "cmake", "sh", "bash", "zsh", "ksh", "ps1", "bat", "cmd", "pth", "gradle", "bzl", "ninja", "am"];
    const FOLDERS: &[&str] = &[".github/", ".gitlab/", ".circleci/", ".cargo/", ".buildkite/", ".devcontainer/"];
    NAMES.contains(&name)
        || name.starts_with("makefile.")
        || name.starts_with("dockerfile.")
        || ext.is_some_and(|e| EXTENSIONS.contains(&e))
        || FOLDERS.iter().any(|f| lower.starts_with(f) || lower.contains(&format!("/{f}")))
}

#[cfg(test)]
mod tests;
