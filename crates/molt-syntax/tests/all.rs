//! molt-syntax's integration tests: indexes, round trips, edit diffs, bad
//! input and the undo property, over the fixtures in `tests/fixtures/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use molt_syntax::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture file, repository-relative path to text.
fn fixture_texts() -> BTreeMap<String, String> {
    let index = index_repo(&fixtures(), &IndexOptions::default()).unwrap();
    index
        .files
        .iter()
        .map(|f| (f.path.clone(), std::fs::read_to_string(fixtures().join(&f.path)).unwrap()))
        .collect()
}

/// One line per item, import and diagnostic: what a reviewer reads.
fn render(file: &FileIndex) -> String {
    let mut out = format!("{} ({}, {} lines)\n", file.path, file.lang, file.lines);
    for i in &file.imports {
        writeln!(out, "  import {} @{}", i.target, i.span.start_line).unwrap();
    }
    for item in &file.items {
        write!(out, "  {:?} {} [{}-{}] `{}`", item.kind, item.path, item.span.start_line, item.span.end_line, item.signature)
            .unwrap();
        if let Some(p) = &item.preproc {
            write!(out, " #({p})").unwrap();
        }
        if !item.calls.is_empty() {
            write!(out, " calls {}", item.calls.join(", ")).unwrap();
        }
        out.push('\n');
    }
    for d in &file.diagnostics {
        writeln!(out, "  diagnostic {}:{} {}", d.line, d.column, d.message).unwrap();
    }
    out
}

#[test]
fn index_snapshots() {
    let index = index_repo(&fixtures(), &IndexOptions::default()).unwrap();
    let langs: Vec<Lang> = index.files.iter().map(|f| f.lang).collect();
    for lang in [Lang::C, Lang::Cpp, Lang::Rust, Lang::Python] {
        assert!(langs.contains(&lang), "no {lang} fixture");
    }
    for file in &index.files {
        let name = file.path.replace(['/', '.'], "_");
        insta::assert_snapshot!(format!("index_{name}"), render(file));
    }
}
