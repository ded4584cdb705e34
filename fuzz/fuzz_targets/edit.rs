//! Edit sets on syntax trees: fuzzed source files and fuzzed replacement
//! texts, addressed at the items the index finds. Applying is all or
//! nothing, never a panic, and an applied set's inverse restores a file that
//! parsed cleanly byte for byte.
//!
//! Input: byte 0 picks the language, byte 1 the operation, byte 2 the item;
//! the rest is the file, then (after the first NUL) the new text.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use molt_syntax::{apply_in_memory, index_file, Edit, EditSet};

const PATHS: &[&str] = &["src/k.c", "src/k.cpp", "src/k.rs", "src/k.py", "src/k.go", "src/k.java", "src/k.ts"];

fuzz_target!(|data: &[u8]| {
    let [lang, op, pick, rest @ ..] = data else { return };
    let path = PATHS[usize::from(*lang) % PATHS.len()];
    let (file, text) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b""[..]),
    };
    let (Ok(file), Ok(text)) = (std::str::from_utf8(file), std::str::from_utf8(text)) else { return };
    let Ok(index) = index_file(path, file.as_bytes()) else { return };
    let symbol = match index.items.get(usize::from(*pick) % index.items.len().max(1)) {
        Some(item) => item.path.clone(),
        None => format!("{path}::nothing"),
    };
    let text = text.to_owned();
    let edit = match op % 8 {
        0 => Edit::ReplaceItem { symbol, text, whole_conditional: false },
        1 => Edit::ReplaceItem { symbol, text, whole_conditional: true },
        2 => Edit::ReplaceBody { symbol, text },
        3 => Edit::InsertBefore { symbol, text },
        4 => Edit::InsertAfter { symbol, text },
        5 => Edit::DeleteItem { symbol, whole_conditional: op & 8 != 0 },
        6 => Edit::AddInclude { path: path.to_owned(), text },
        _ => {
            Edit::Splice { path: path.to_owned(), start: usize::from(*pick), old: file.chars().take(3).collect(), text }
        }
    };
    let mut files = BTreeMap::from([(path.to_owned(), file.to_owned())]);
    let before = files.clone();
    match apply_in_memory(&mut files, &EditSet::new(vec![edit])) {
        Err(_) => assert_eq!(files, before, "a refused edit set changed the files"),
        Ok(applied) => {
            // The inverse restores the file byte for byte, unless the original
            // did not parse: then bringing it back would add syntax errors, and
            // invariant 1 refuses that whole (see molt-syntax's edit tests).
            // "Parsed" as the library judges it (tree-sitter, and syn for Rust):
            // would the original be accepted as a new file?
            let create = EditSet::new(vec![Edit::CreateFile { path: path.to_owned(), text: file.to_owned() }]);
            let clean = apply_in_memory(&mut BTreeMap::new(), &create).is_ok();
            let mut undone = files.clone();
            match apply_in_memory(&mut undone, &applied.inverse()) {
                Ok(_) => assert_eq!(undone, before, "the inverse did not restore the file"),
                Err(e) => {
                    assert!(!clean, "the inverse of an edit to a clean file was refused: {e}");
                    assert_eq!(undone, files, "a refused inverse changed the files");
                }
            }
        }
    }
});
