//! x86 compiler flags in build files (Makefiles and CMake): finding them, and
//! moving them under a condition on the compiler's target so an aarch64 build
//! never sees `-mavx2`.

use std::sync::OnceLock;

use molt_core::Site;
use regex::Regex;

use crate::recipe::Rewrite;
use crate::{Error, Result};
pub use scope::flag_sources;

mod cmake;
mod scope;

/// The comment that marks a block this recipe wrote; also how a second run
/// knows not to touch it again.
const MARK: &str = "x86 SIMD flags only where the compiler targets x86 (molt x86-to-neon)";

pub fn is_build_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "Makefile" | "makefile" | "GNUmakefile" | "CMakeLists.txt")
        || is_named_makefile(name)
        || name.ends_with(".mk")
        || name.ends_with(".cmake")
}

/// `Makefile.testing`, `makefile.unix`: a Makefile by name, run with
/// `make -f`. Automake's `Makefile.am` and configure's `Makefile.in` are
/// templates, not Makefiles.
fn is_named_makefile(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else { return false };
    matches!(stem, "Makefile" | "makefile" | "GNUmakefile") && !matches!(ext, "am" | "in")
}

pub(crate) fn is_cmake(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "CMakeLists.txt" || name.ends_with(".cmake")
}

const FLAG: &str = r"-m(?:avx\S*|fma|f16c|sse\S*|ssse3|popcnt|bmi2?|lzcnt|pclmul|aes)|-march=(?:native|x86-64\S*|haswell|broadwell|skylake\S*|icelake\S*|znver\d)|-mtune=\S+";

fn flag_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"(?:^|\s)({FLAG})")).unwrap_or_else(|_| unreachable!()))
}

fn is_flag_word(word: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!(r"^(?:{FLAG})$")).unwrap_or_else(|_| unreachable!())).is_match(word)
}

/// Lines that open and close make conditionals.
fn opens(line: &str) -> bool {
    let t = line.trim_start();
    ["ifeq", "ifneq", "ifdef", "ifndef"].iter().any(|k| t.starts_with(k))
}

fn closes(line: &str) -> bool {
    line.trim_start().starts_with("endif")
}

fn is_x86_condition(line: &str) -> bool {
    line.contains(MARK) || line.contains("x86_64") || line.contains("i686") || line.contains("AMD64")
}

/// Each line with x86 flags that is not already under an x86 condition (in
/// CMake, each command: see `cmake.rs`).
pub fn find_flag_sites(path: &str, text: &str) -> Vec<Site> {
    if is_cmake(path) {
        return cmake::find_flag_sites(path, text);
    }
    let mut sites = Vec::new();
    // A stack of "is this conditional about x86?"
    let mut stack: Vec<bool> = Vec::new();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        if opens(body) {
            stack.push(is_x86_condition(body));
        } else if closes(body) {
            stack.pop();
        } else if !stack.iter().any(|x| *x) && !body.trim_start().starts_with('#') {
            let flags: Vec<&str> = flag_re().captures_iter(body).filter_map(|c| c.get(1)).map(|m| m.as_str()).collect();
            if !flags.is_empty() {
                sites.push(Site {
                    kind: "x86-build-flag".to_owned(),
                    path: path.to_owned(),
                    symbol: None,
                    line: i + 1,
                    start: offset,
                    end: offset + body.len(),
                    text: body.trim().to_owned(),
                });
            }
        }
        offset += line.len();
    }
    sites
}

/// Moves the x86 flags of the flagged lines (in CMake, commands) that
/// `targets` name (by their text: a line's offset moves as other lines
/// change) under a target condition.
pub fn rewrite_flags(path: &str, text: &str, targets: &[Site]) -> Result<Rewrite> {
    let wanted: std::collections::BTreeSet<&str> = targets.iter().map(|s| s.text.as_str()).collect();
    if is_cmake(path) {
        return cmake::rewrite_flags(path, text, &wanted);
    }
    let sites: Vec<Site> =
        find_flag_sites(path, text).into_iter().filter(|s| wanted.contains(s.text.as_str())).collect();
    let mut out = Rewrite { text: text.to_owned(), ..Rewrite::default() };
    let mut new_text = String::with_capacity(text.len() + 256);
    let mut offset = 0;
    let mut site_iter = sites.iter().peekable();
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let here = site_iter.peek().is_some_and(|s| s.start == offset);
        offset += line.len();
        if !here {
            new_text.push_str(line);
            continue;
        }
        let Some(site) = site_iter.next() else { break };
        match rewrite_make_line(body).or_else(|| inline_make_flags(body)) {
            Some(block) => {
                new_text.push_str(&block);
                new_text.push('\n');
                out.mapped.push(site.clone());
            }
            None => {
                new_text.push_str(line);
                out.unmapped.push((
                    site.clone(),
                    "the flags are not in a plain variable assignment the rules can split".to_owned(),
                ));
            }
        }
    }
    if !text.ends_with('\n') && new_text.ends_with('\n') && !out.mapped.is_empty() {
        new_text.pop();
    }
    if out.mapped.is_empty() && !out.unmapped.is_empty() && new_text != text {
        return Err(Error::Broken(path.to_owned()));
    }
    out.text = new_text;
    Ok(out)
}

/// Splits the x86 flags out of the line's words.
fn split_flags(value: &str) -> (Vec<&str>, Vec<&str>) {
    let mut keep = Vec::new();
    let mut x86 = Vec::new();
    for word in value.split_whitespace() {
        if is_flag_word(word) {
            x86.push(word);
        } else {
            keep.push(word);
        }
    }
    (keep, x86)
}

/// `CFLAGS ?= -O2 -mavx2 -mfma` becomes `CFLAGS ?= -O2` and a conditional
/// `CFLAGS += -mavx2 -mfma`.
fn rewrite_make_line(line: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|::=|\+=|=)\s*(.*)$").unwrap_or_else(|_| unreachable!())
    });
    let caps = re.captures(line)?;
    let (indent, var, op, value) = (&caps[1], &caps[2], &caps[3], &caps[4]);
    if value.trim_end().ends_with('\\') {
        return None;
    }
    let (keep, x86) = split_flags(value);
    if x86.is_empty() {
        return None;
    }
    let mut s = String::new();
    if !(keep.is_empty() && op == "+=") {
        s.push_str(&format!("{indent}{var} {op} {}\n", keep.join(" ")).replace(" \n", "\n"));
    }
    s.push_str(&format!(
        "# {MARK}.\n\
         ifneq ($(filter x86_64% i386% i486% i586% i686% amd64%,$(shell $(CC) -dumpmachine)),)\n\
         {var} += {}\n\
         endif",
        x86.join(" ")
    ));
    Some(s)
}

/// Flags on a line that is no plain assignment (a rule's command, a
/// continued value): each flag becomes `$(if <the compiler targets x86>,FLAG)`
/// in place, which make expands in commands and values alike. The flag then
/// follows a comma, so the line is not found again.
fn inline_make_flags(line: &str) -> Option<String> {
    let mut out = String::with_capacity(line.len() + 128);
    let mut last = 0;
    for m in flag_re().captures_iter(line).filter_map(|c| c.get(1)) {
        out.push_str(&line[last..m.start()]);
        out.push_str(&format!(
            "$(if $(filter x86_64% i386% i486% i586% i686% amd64%,$(shell $(CC) -dumpmachine)),{})",
            m.as_str()
        ));
        last = m.end();
    }
    (last > 0).then(|| {
        out.push_str(&line[last..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_makefiles_are_build_files_and_templates_are_not() {
        assert!(is_build_file("c/Makefile.testing"));
        assert!(is_build_file("makefile.unix"));
        assert!(!is_build_file("Makefile.am"));
        assert!(!is_build_file("Makefile.in"));
        assert!(!is_build_file("Makefile_helper.c"));
    }

    #[test]
    fn flags_in_a_rules_command_are_kept_for_x86_compilers_only() {
        let text = "all: a.o\n\ta.o: a.c\n\t$(CC) $(CFLAGS) -c $^ -o $@ -msse4.1 -mavx2\n";
        let out = rewrite_flags("Makefile.testing", text, &find_flag_sites("Makefile.testing", text)).unwrap();
        assert_eq!(out.mapped.len(), 1, "{:?}", out.unmapped);
        assert!(out.text.contains("-dumpmachine)),-msse4.1) $(if "), "{}", out.text);
        assert!(!out.text.contains(" -mavx2"), "{}", out.text);
        // A second run finds nothing left.
        assert!(find_flag_sites("Makefile.testing", &out.text).is_empty(), "{}", out.text);
    }

    /// Real make, both ways: the x86 compiler gets the flag, another gets none.
    #[test]
    fn make_expands_the_inline_condition_by_the_compilers_target() {
        let dir = tempfile::tempdir().unwrap();
        let text = "show:\n\t@echo flags: -O2 -msse2\n";
        let out = rewrite_flags("Makefile", text, &find_flag_sites("Makefile", text)).unwrap();
        std::fs::write(dir.path().join("Makefile"), &out.text).unwrap();
        let run = |cc: &str| {
            let o = std::process::Command::new("make")
                .args(["-s", &format!("CC={cc}")])
                .current_dir(dir.path())
                .output()
                .expect("running make");
            String::from_utf8_lossy(&o.stdout).trim().to_owned()
        };
        assert_eq!(run("gcc"), "flags: -O2 -msse2");
        assert_eq!(run("aarch64-linux-gnu-gcc"), "flags: -O2");
    }
}
