//! `molt index`: the symbol index of a repository, summarised.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::exit::Exit;
use crate::output::Output;

/// Index every source file: items per language, parse diagnostics, time taken.
///
/// Walks PATH honouring .gitignore, parses every file of a known language in
/// parallel, and lists what each defines. Binary and oversized files are
/// skipped and reported. With --json, one line for the summary, then one line
/// per file with its items (or per item with --items).
///
/// Each file's index is cached under ~/.cache/molt/index (or
/// $XDG_CACHE_HOME/molt/index): a second run parses only the files whose
/// size, times or inode changed, and of those only the ones whose content
/// hash changed. A different build of molt starts a new cache. --no-cache
/// parses everything and leaves the cache alone.
///
/// C and C++ are parsed without expanding macros, so declaration macros
/// (`MEM_STATIC int f(void)`, `void PRINTF_LIKE(1, 2) msg(...)`) are read
/// from the file's own #defines, well-known spellings and C's grammar. Where
/// the repository has a compile_commands.json (at its root or in build/; what
/// CMake writes with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, or Bear, or Meson),
/// each set of flags is preprocessed once with `-dM -E` and the compiler's
/// own definitions decide instead (cached under ~/.cache/molt/macros). Only a
/// usual compiler name found on PATH is run, with the preprocessor flags of
/// the database (-D, -U, -I, -include, -std, -m, -f); the same masks serve
/// `molt find` and `molt edit`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt index                       summary of the current repository
  molt index src --items           every item, with its qualified path and lines
  molt index --json > index.jsonl  the full index as JSON lines
  molt index --lang c --threads 2  only C files, on two threads
  molt index --no-cache            parse every file, as on a first run")]
pub struct Args {
    /// The repository (or folder) to index.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// List every item, not just the summary.
    #[arg(long)]
    pub items: bool,
    /// Only these languages (c, cpp, rust, python, go, java, javascript, typescript).
    #[arg(long, value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = 4 << 20)]
    pub max_file_bytes: u64,
    /// Parse every file; neither read nor update the index cache.
    #[arg(long)]
    pub no_cache: bool,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    let langs = super::find::parse_langs(&args.lang)?;
    let cache = if args.no_cache { None } else { molt_syntax::default_cache_path(&args.path, &langs) };
    let options = molt_syntax::IndexOptions {
        max_file_bytes: args.max_file_bytes,
        threads: args.threads,
        langs,
        cache,
        macros: molt_agent::macros::project_macros(&args.path),
    };
    let started = Instant::now();
    let index =
        molt_syntax::index_repo(&args.path, &options).with_context(|| format!("indexing {}", args.path.display()))?;
    let elapsed = started.elapsed();
    // The 64 most recently indexed folders keep their caches.
    if let Some(dir) = options.cache.as_deref().and_then(std::path::Path::parent) {
        molt_syntax::prune_caches(dir, 64);
    }

    let mut per_lang: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for f in &index.files {
        let e = per_lang.entry(f.lang.to_string()).or_default();
        e.0 += 1;
        e.1 += f.items.len();
        e.2 += f.lines;
    }
    let diagnostics: usize = index.files.iter().map(|f| f.diagnostics.len()).sum();
    let with_errors = index.files.iter().filter(|f| !f.diagnostics.is_empty()).count();
    let items: usize = index.files.iter().map(|f| f.items.len()).sum();
    let lines: usize = index.files.iter().map(|f| f.lines).sum();

    if out.json {
        let langs: BTreeMap<&String, serde_json::Value> = per_lang
            .iter()
            .map(|(l, (files, items, lines))| {
                (l, serde_json::json!({ "files": files, "items": items, "lines": lines }))
            })
            .collect();
        out.result(
            &serde_json::json!({
                "files": index.files.len(), "items": items, "lines": lines, "languages": langs,
                "diagnostics": diagnostics, "files_with_diagnostics": with_errors, "cached": index.cached, "cache_error": index.cache_error,
                "compiler_macros": index.macros.as_deref().map(|m| serde_json::json!({
                    "declaration": m.prefix.len(), "attribute_like": m.call_like.len(), "failures": m.failures,
                })),
                "skipped": index.skipped, "seconds": elapsed.as_secs_f64(),
            }),
            "",
        )?;
        for f in &index.files {
            if args.items {
                for item in &f.items {
                    out.result(item, "")?;
                }
            } else {
                out.result(f, "")?;
            }
        }
        return Ok(Exit::Done);
    }

    if args.items {
        for f in &index.files {
            for item in &f.items {
                let pre = item.preproc.as_deref().map(|p| format!("  [{p}]")).unwrap_or_default();
                out.line(&format!(
                    "{}:{}-{}  {:?}  {}{pre}",
                    f.path, item.span.start_line, item.span.end_line, item.kind, item.path
                ));
            }
        }
    }
    for (lang, (files, items, lines)) in &per_lang {
        out.line(&format!("{lang:>11}  {files:>6} files  {lines:>9} lines  {items:>7} items"));
    }
    for f in index.files.iter().filter(|f| !f.diagnostics.is_empty()).take(20) {
        let d = &f.diagnostics[0];
        let more =
            if f.diagnostics.len() > 1 { format!(" (+{} more)", f.diagnostics.len() - 1) } else { String::new() };
        out.line(&format!("{}:{}:{}: {}{more}", f.path, d.line, d.column, d.message));
    }
    for s in &index.skipped {
        out.line(&format!("skipped {}: {:?}", s.path, s.reason));
    }
    if let Some(m) = index.macros.as_deref() {
        out.line(&format!(
            "macros from compile_commands.json: {} expand to specifiers, attributes or nothing, {} are attribute-like calls",
            m.prefix.len(),
            m.call_like.len()
        ));
        for f in &m.failures {
            out.line(&format!("warning: the preprocessor could not read: {f}"));
        }
    }
    if let Some(e) = &index.cache_error {
        out.line(&format!("warning: the index cache could not be written ({e}); the next run parses every file again"));
    }
    let cached =
        if index.cached > 0 { format!(" ({} unchanged since the cached index)", index.cached) } else { String::new() };
    out.line(&format!(
        "indexed {} files{cached}, {lines} lines, {items} items in {:.2}s; {diagnostics} parse diagnostics in {with_errors} files; {} skipped",
        index.files.len(),
        elapsed.as_secs_f64(),
        index.skipped.len()
    ));
    Ok(Exit::Done)
}
