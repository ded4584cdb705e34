//! Temporary git repositories for tests, and a tiny C project to put in them:
//! a Makefile, a source file with functions to migrate, and a test program that
//! prints `N passed, M failed` (and `FAIL name` for each failure).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use git2::{IndexAddOption, Oid, Repository, RepositoryInitOptions, Signature};

/// The identity [`TempRepo`] configures in the repository.
pub const TEST_NAME: &str = "Test User";
pub const TEST_EMAIL: &str = "test@example.com";

/// How many cases the C project's test program runs.
pub const C_PROJECT_TESTS: u64 = 3;

/// A git repository in a temporary folder (removed on drop), with `main`
/// as its initial branch and a configured identity.
#[derive(Debug)]
pub struct TempRepo {
    dir: tempfile::TempDir,
}

impl TempRepo {
    /// An empty repository: no commits yet.
    pub fn new() -> anyhow::Result<TempRepo> {
        let dir = tempfile::Builder::new().prefix("molt-repo-").tempdir().context("creating a temp folder")?;
        let repo =
            Repository::init_opts(dir.path(), RepositoryInitOptions::new().initial_head("main")).context("git init")?;
        let mut config = repo.config().context("opening the repository config")?;
        config.set_str("user.name", TEST_NAME)?;
        config.set_str("user.email", TEST_EMAIL)?;
        Ok(TempRepo { dir })
    }

    /// A repository holding the C project (see [`write_c_project`]) in one
    /// commit on `main`.
    pub fn with_c_project() -> anyhow::Result<TempRepo> {
        let repo = TempRepo::new()?;
        write_c_project(repo.path())?;
        repo.commit_all("Add the mathx C project")?;
        Ok(repo)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn repo(&self) -> anyhow::Result<Repository> {
        Repository::open(self.path()).with_context(|| format!("opening {}", self.path().display()))
    }

    /// Writes `rel` (creating its folders) and returns its full path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> anyhow::Result<PathBuf> {
        write_file(self.path(), rel, contents.as_ref())
    }

    pub fn read(&self, rel: &str) -> anyhow::Result<String> {
        let path = self.path().join(rel);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    }

    pub fn remove(&self, rel: &str) -> anyhow::Result<()> {
        let path = self.path().join(rel);
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))
    }

    /// Stages every change (additions, edits, deletions) and commits it on the
    /// current branch with the configured identity.
    pub fn commit_all(&self, message: &str) -> anyhow::Result<Oid> {
        let repo = self.repo()?;
        let mut index = repo.index()?;
        index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
        index.update_all(["*"], None)?;
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let sig = Signature::now(TEST_NAME, TEST_EMAIL)?;
        let parent = match repo.head() {
            Ok(head) => Some(head.peel_to_commit()?),
            Err(_) => None,
        };
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        Ok(repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?)
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> anyhow::Result<Oid> {
        Ok(self.repo()?.head()?.peel_to_commit()?.id())
    }

    /// The full name of the ref HEAD points at (`refs/heads/main`).
    pub fn head_ref(&self) -> anyhow::Result<String> {
        let repo = self.repo()?;
        let head = repo.find_reference("HEAD")?;
        Ok(head.symbolic_target().unwrap_or("(detached)").to_owned())
    }

    /// Everything of the user's that molt must leave alone: where HEAD points,
    /// every local branch outside `molt/`, the index file's bytes, and every
    /// file of the working tree (outside `.git/` and `.molt/`) with its bytes.
    pub fn snapshot(&self) -> anyhow::Result<Snapshot> {
        let repo = self.repo()?;
        let mut branches = BTreeMap::new();
        for branch in repo.branches(Some(git2::BranchType::Local))? {
            let (branch, _) = branch?;
            let name = branch.name()?.unwrap_or_default().to_owned();
            if !name.starts_with("molt/") && !name.starts_with("molt-task/") {
                branches.insert(name, branch.get().target().map(|o| o.to_string()).unwrap_or_default());
            }
        }
        let index_path = repo.path().join("index");
        let index = std::fs::read(&index_path).unwrap_or_default();
        let mut files = BTreeMap::new();
        collect_files(self.path(), self.path(), &mut files)?;
        Ok(Snapshot { head: self.head_ref()?, branches, index, files })
    }
}

/// See [`TempRepo::snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub head: String,
    pub branches: BTreeMap<String, String>,
    pub index: Vec<u8>,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let rel = path.strip_prefix(root)?.to_string_lossy().replace('\\', "/");
        if rel == ".git" || rel == ".molt" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            out.insert(rel, std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?);
        }
    }
    Ok(())
}

fn write_file(root: &Path, rel: &str, contents: &[u8]) -> anyhow::Result<PathBuf> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The C project's Makefile. `make` builds the library object, `make test`
/// builds and runs the test program (through `$(RUN)`, e.g. qemu), `make
/// clean` removes `build/`.
pub const C_MAKEFILE: &str = "\
CC ?= cc
CFLAGS ?= -O2 -Wall
RUN ?=

all: build/mathx.o

build/mathx.o: src/mathx.c src/mathx.h
\tmkdir -p build
\t$(CC) $(CFLAGS) -c src/mathx.c -o build/mathx.o

build/test_mathx: tests/test_mathx.c build/mathx.o
\t$(CC) $(CFLAGS) -Isrc tests/test_mathx.c build/mathx.o -o build/test_mathx

test: build/test_mathx
\t$(RUN) ./build/test_mathx

clean:
\trm -rf build

.PHONY: all test clean
";

pub const C_HEADER: &str = "\
#ifndef MATHX_H
#define MATHX_H
int add(int a, int b);
float dot(const float *a, const float *b, int n);
#endif
";

pub const C_SOURCE: &str = "\
#include \"mathx.h\"

int add(int a, int b) { return a + b; }

float dot(const float *a, const float *b, int n) {
    float s = 0.0f;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}
";

/// The test program: one `CHECK` per case, `FAIL name` for each failure, then
/// `N passed, M failed`; exits 1 when anything failed.
pub const C_TEST: &str = "\
#include <stdio.h>
#include \"mathx.h\"

static int passed, failed;
#define CHECK(name, cond) do { if (cond) passed++; else { failed++; printf(\"FAIL %s\\n\", name); } } while (0)

int main(void) {
    float a[] = {1, 2, 3}, b[] = {4, 5, 6};
    CHECK(\"add_small\", add(2, 3) == 5);
    CHECK(\"add_negative\", add(-1, 1) == 0);
    CHECK(\"dot3\", dot(a, b, 3) == 32.0f);
    printf(\"%d passed, %d failed\\n\", passed, failed);
    return failed ? 1 : 0;
}
";

/// Writes the C project into `root`: `Makefile`, `src/mathx.{c,h}`,
/// `tests/test_mathx.c` (with [`C_PROJECT_TESTS`] cases) and a `.gitignore`
/// for `build/`.
pub fn write_c_project(root: &Path) -> anyhow::Result<()> {
    write_file(root, "Makefile", C_MAKEFILE.as_bytes())?;
    write_file(root, "src/mathx.h", C_HEADER.as_bytes())?;
    write_file(root, "src/mathx.c", C_SOURCE.as_bytes())?;
    write_file(root, "tests/test_mathx.c", C_TEST.as_bytes())?;
    write_file(root, ".gitignore", b"build/\n")?;
    Ok(())
}

/// `git <args>` in `dir`; its stdout, as git wrote it. Panics (the test
/// fails) when git fails, with git's error.
pub fn git(dir: &Path, args: &[&str]) -> String {
    crate::crash::git(dir, args).unwrap_or_else(|e| panic!("{e:#}"))
}

/// Copies the folder `from` to `to` (made when missing), leaving out build
/// outputs: `build/` folders and `*.bin` files. Panics on an I/O error.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
        let name = entry.file_name();
        if name == "build" || name.to_string_lossy().ends_with(".bin") {
            continue;
        }
        let is_dir = entry.file_type().unwrap_or_else(|e| panic!("{}: {e}", entry.path().display())).is_dir();
        if is_dir {
            copy_tree(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name))
                .unwrap_or_else(|e| panic!("copying {}: {e}", entry.path().display()));
        }
    }
}
