//! Taking a project's own aarch64 paths out of its sources, as `unifdef
//! -U NAME` does: where upstream's NEON files are removed, the `#if`
//! branches that include or use them go too (`#if defined(ARCH_ARM64)
//! #include "arm/crc32_impl.h" #elif defined(ARCH_X86_64) ...` becomes
//! `#if defined(ARCH_X86_64) ...`), so the project starts as one that never
//! had them. Only conditions that the named macros decide are touched; the
//! others are kept as written.

use molt_recipes::cond::{self, Macro};

/// One open `#if` chain.
struct Frame {
    /// Whether the enclosing text is kept at all.
    outer_live: bool,
    /// A branch of this chain was decided true: the rest are dropped.
    taken: bool,
    /// A directive of this chain was written out (so `#elif`/`#else`/`#endif` are too).
    emitted: bool,
    /// Whether the current branch's lines are kept.
    live: bool,
}

/// `text` with every macro of `undefined` taken as not defined.
pub(crate) fn strip(text: &str, undefined: &[&str]) -> String {
    let target = |name: &str| if undefined.contains(&name) { Macro::Undefined } else { Macro::Unknown };
    // Only a condition that names one of them is decided (an `#if 0` stays).
    let decide = |c: &str| {
        let names = c.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'));
        names.into_iter().any(|w| undefined.contains(&w)).then(|| cond::value_in(c, &target)).flatten()
    };
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        // A directive with its continuation lines.
        let mut j = i + 1;
        while lines[j - 1].trim_end_matches(['\n', '\r']).ends_with('\\') && j < lines.len() {
            j += 1;
        }
        let raw: String = lines[i..j].concat();
        i = j;
        let live = stack.last().is_none_or(|f| f.live);
        let Some((word, rest)) = directive(&raw) else {
            if live {
                out.push_str(&raw);
            }
            continue;
        };
        let cond_of = |word: &str| match word {
            "ifdef" => format!("defined({})", rest.trim()),
            "ifndef" => format!("!defined({})", rest.trim()),
            _ => rest.to_owned(),
        };
        match word {
            "if" | "ifdef" | "ifndef" => {
                let value = if live { decide(&cond_of(word)) } else { Some(0) };
                let emitted = live && value.is_none();
                if emitted {
                    out.push_str(&raw);
                }
                stack.push(Frame {
                    outer_live: live,
                    taken: value.is_some_and(|v| v != 0),
                    emitted,
                    live: value != Some(0),
                });
            }
            "elif" => {
                let Some(f) = stack.last_mut() else { continue };
                if !f.outer_live || f.taken {
                    f.live = false;
                    continue;
                }
                let value = decide(rest);
                match value {
                    Some(0) => f.live = false,
                    Some(_) => {
                        f.taken = true;
                        f.live = true;
                        if f.emitted {
                            let indent = &raw[..raw.find('#').unwrap_or(0)];
                            out.push_str(&format!("{indent}#else\n"));
                        }
                    }
                    None => {
                        f.live = true;
                        if f.emitted {
                            out.push_str(&raw);
                        } else {
                            out.push_str(&raw.replacen("elif", "if", 1));
                            f.emitted = true;
                        }
                    }
                }
            }
            "else" => {
                let Some(f) = stack.last_mut() else { continue };
                f.live = f.outer_live && !f.taken;
                if f.live && f.emitted {
                    out.push_str(&raw);
                }
            }
            "endif" => {
                if let Some(f) = stack.pop() {
                    if f.emitted {
                        out.push_str(&raw);
                    }
                }
            }
            _ => {
                if live {
                    out.push_str(&raw);
                }
            }
        }
    }
    out
}

/// The directive word and the rest of a preprocessor line (continuations
/// joined, a trailing comment kept in the rest).
fn directive(line: &str) -> Option<(&'static str, &str)> {
    let body = line.trim_start().strip_prefix('#')?.trim_start();
    for word in ["ifdef", "ifndef", "if", "elif", "else", "endif"] {
        if let Some(rest) = body.strip_prefix(word) {
            if rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == '(' || c == '/') {
                return Some((word, rest.trim()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::strip;

    #[test]
    fn the_named_macros_branches_go_and_the_rest_stay() {
        let text = "a\n#if defined(ARCH_ARM32) || defined(ARCH_ARM64)\n#  include \"arm/impl.h\"\n\
                    #elif defined(ARCH_X86_32) || defined(ARCH_X86_64)\n#  include \"x86/impl.h\"\n#endif\nb\n\
                    #ifdef ARCH_ARM64\narm\n#else\nother\n#endif\n\
                    #if defined(FOO)\nfoo\n#elif defined(ARCH_ARM64)\narm\n#else\nrest\n#endif\n\
                    #ifndef ARCH_ARM64\nnot arm\n#endif\n#if 0\ndead\n#endif\n\
                    #if A\na\n#elif !defined(ARCH_ARM64)\nnot arm\n#else\narm\n#endif\n";
        let want = "a\n#if defined(ARCH_X86_32) || defined(ARCH_X86_64)\n#  include \"x86/impl.h\"\n#endif\nb\n\
                    other\n\
                    #if defined(FOO)\nfoo\n#else\nrest\n#endif\n\
                    not arm\n#if 0\ndead\n#endif\n\
                    #if A\na\n#else\nnot arm\n#endif\n";
        assert_eq!(strip(text, &["ARCH_ARM32", "ARCH_ARM64"]), want);
    }

    #[test]
    fn nested_branches_in_a_dropped_one_go_with_it() {
        let text = "#if defined(ARCH_ARM64)\n#if X\nx\n#else\ny\n#endif\n#elif Z\nz\n#endif\nend\n";
        assert_eq!(strip(text, &["ARCH_ARM64"]), "#if Z\nz\n#endif\nend\n");
        assert_eq!(
            strip("#if A\n#if B \\\n && C\nbc\n#endif\n#endif\n", &["D"]),
            "#if A\n#if B \\\n && C\nbc\n#endif\n#endif\n"
        );
    }
}
