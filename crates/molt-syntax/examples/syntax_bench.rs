//! The engine behind `molt index` and `molt find`, without the rest of the
//! CLI, for `cargo xtask bench syntax`: it builds in release from this crate
//! alone, so the benchmark does not depend on every other crate compiling.
//!
//! `syntax_bench index DIR THREADS [--cache FILE]` prints files, lines and items;
//! `syntax_bench find DIR THREADS` prints the number of calls to `_mm*` functions;
//! `syntax_bench parse DIR THREADS` only parses every C file with tree-sitter-c
//! and prints how many: the floor under any index that parses every file.

use std::path::Path;

use molt_syntax::{index_repo, search_repo, IndexOptions, Lang, Pattern, SearchOptions, Searcher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, dir, threads, cache) = match args.as_slice() {
        [task, dir, threads] => (task, dir, threads, None),
        [task, dir, threads, flag, cache] if flag == "--cache" => (task, dir, threads, Some(cache.into())),
        _ => return Err("usage: syntax_bench index|find|parse DIR THREADS [--cache FILE]".into()),
    };
    let threads: usize = threads.parse()?;
    let root = Path::new(dir);
    let mut stdout = std::io::stdout().lock();
    use std::io::Write;
    match task.as_str() {
        "index" => {
            let index =
                index_repo(root, &IndexOptions { threads, langs: vec![Lang::C], cache, ..IndexOptions::default() })?;
            let lines: usize = index.files.iter().map(|f| f.lines).sum();
            let items: usize = index.files.iter().map(|f| f.items.len()).sum();
            let diagnostics = index.files.iter().filter(|f| !f.diagnostics.is_empty()).count();
            writeln!(
                stdout,
                "{} files ({} from the cache), {lines} lines, {items} items, {diagnostics} files with parse diagnostics, {} skipped",
                index.files.len(),
                index.cached,
                index.skipped.len()
            )?;
        }
        "find" => {
            let pattern = Pattern::new(Lang::C, "$F($$$)")?.constrain("F", "^_mm")?;
            let report =
                search_repo(root, &Searcher::Pattern(pattern), &SearchOptions { threads, ..SearchOptions::default() })?;
            writeln!(stdout, "{} {}", report.matches.len(), report.parsed)?;
        }
        "parse" => {
            let mut files = Vec::new();
            c_files(root, &mut files)?;
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
            let parsed: usize = pool.install(|| {
                use rayon::prelude::*;
                files
                    .par_iter()
                    .map(|path| {
                        let Ok(text) = std::fs::read(path) else { return 0 };
                        let mut parser = tree_sitter::Parser::new();
                        parser.set_language(&tree_sitter_c::LANGUAGE.into()).expect("tree-sitter-c loads");
                        usize::from(parser.parse(&text, None).is_some())
                    })
                    .sum()
            });
            writeln!(stdout, "{parsed} files parsed")?;
        }
        other => return Err(format!("unknown task {other}").into()),
    }
    Ok(())
}

/// Every `.c` and `.h` file under `dir`.
fn c_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            c_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "c" || e == "h") {
            out.push(path);
        }
    }
    Ok(())
}
