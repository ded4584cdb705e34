//! The engine behind `molt index` and `molt find`, without the rest of the
//! CLI, for `cargo xtask bench syntax`: it builds in release from this crate
//! alone, so the benchmark does not depend on every other crate compiling.
//!
//! `syntax_bench index DIR THREADS [--cache FILE]` prints files, lines and items;
//! `syntax_bench find DIR THREADS` prints the number of calls to `_mm*` functions.

use std::path::Path;

use molt_syntax::{index_repo, search_repo, IndexOptions, Lang, Pattern, SearchOptions, Searcher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, dir, threads, cache) = match args.as_slice() {
        [task, dir, threads] => (task, dir, threads, None),
        [task, dir, threads, flag, cache] if flag == "--cache" => (task, dir, threads, Some(cache.into())),
        _ => return Err("usage: syntax_bench index|find DIR THREADS [--cache FILE]".into()),
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
        other => return Err(format!("unknown task {other}").into()),
    }
    Ok(())
}
