//! Whether a `.h` header is C++. C++ projects name their headers `.h` as
//! often as not (hnswlib, most of LLVM), and a C++ header read with the C
//! grammar is mostly errors, so every edit of it looks as if it broke the
//! file. The extension cannot tell; the text can: C has no namespaces,
//! templates, classes, `::` or `extern "..."` blocks, and includes no
//! standard header without a `.h`.
//!
//! The scan skips comments, string and character literals and the bodies of
//! `#define`s (a macro may expand to anything), and it skips whatever sits in
//! a conditional block whose condition names `__cplusplus`: a header that
//! asks whether it is compiled as C++ is written to be compiled as C too
//! (`#ifdef __cplusplus` / `extern "C" {` / `#endif`), so what it keeps for
//! C++ compilers does not make it a C++ header.

/// Whether `text`, a header's bytes, is C++ by the rules above.
pub(crate) fn is_cpp_header(text: &[u8]) -> bool {
    cpp_evidence(text).is_some()
}

/// Where `text` shows that it is C++ (the byte offset just past the
/// deciding token), or `None` for C. One sure sign decides: a namespace, a
/// template, a class with a body or a base, `extern "C++"`, a C++ include.
/// Lesser signs (`::`, a C++ cast, `decltype`, an unguarded `extern "C"`)
/// decide when there are two: a C header may use one C++ name in a block
/// whose condition comes from another header (ICU's `U_SHOW_CPLUSPLUS_API`).
fn cpp_evidence(text: &[u8]) -> Option<usize> {
    let mut scan = Scan { text, at: 0, line_start: true, conds: Vec::new(), cpp_macros: vec![b"__cplusplus"] };
    // The last two tokens outside preprocessor lines and guarded blocks.
    let mut prev: [Token<'_>; 2] = [Token::Other, Token::Other];
    let mut in_attribute = false;
    // Inside `asm(...)`: how many parentheses are open. GCC's extended
    // assembly writes `::` between empty operand lists.
    let mut in_asm: Option<usize> = None;
    let mut lesser = 0;
    while let Some(token) = scan.next() {
        if let Token::Include(name) = token {
            if cpp_include(name) {
                return Some(scan.at);
            }
            continue;
        }
        if scan.guarded() {
            prev = [Token::Other, Token::Other];
            continue;
        }
        if let Some(depth) = in_asm {
            in_asm = match token {
                Token::Punct(b'(') => Some(depth + 1),
                Token::Punct(b')') if depth <= 1 => None,
                Token::Punct(b')') => Some(depth - 1),
                // `asm volatile goto (`: qualifiers before the parenthesis.
                Token::Ident(_) if depth == 0 => Some(0),
                _ if depth == 0 => None,
                _ => Some(depth),
            };
            if in_asm.is_some() || token == Token::Punct(b')') {
                continue;
            }
        }
        if let Token::Ident(b"asm" | b"__asm__" | b"__asm") = token {
            in_asm = Some(0);
            continue;
        }
        match sign(prev, token, in_attribute) {
            Sign::Sure => return Some(scan.at),
            Sign::Lesser if lesser > 0 => return Some(scan.at),
            Sign::Lesser => lesser += 1,
            Sign::None => {}
        }
        match (prev[1], token) {
            (Token::Punct(b'['), Token::Punct(b'[')) => in_attribute = true,
            (Token::Punct(b']'), Token::Punct(b']')) => in_attribute = false,
            _ => {}
        }
        prev = [prev[1], token];
    }
    None
}

enum Sign {
    Sure,
    Lesser,
    None,
}

/// What `token`, after the tokens `prev`, says of the language.
fn sign(prev: [Token<'_>; 2], token: Token<'_>, in_attribute: bool) -> Sign {
    match (prev[0], prev[1], token) {
        // `namespace n {`, `namespace {`, `using namespace std;`, `namespace fs = ...`.
        (_, Token::Ident(b"namespace"), Token::Ident(_) | Token::Punct(b'{')) => Sign::Sure,
        (_, Token::Ident(b"template"), Token::Punct(b'<')) => Sign::Sure,
        // `class C {`, `class C : public B`, `class C final`; C has no
        // `class` keyword (a C variable may be called `class`, but a name
        // and then `{` or `:` after it is no C).
        (Token::Ident(b"class"), Token::Ident(_), Token::Punct(b'{' | b':') | Token::Ident(b"final")) => Sign::Sure,
        (_, Token::Ident(b"extern"), Token::Str(b"\"C++\"")) => Sign::Sure,
        // Only C++ compiles a bare `extern "C"`.
        (_, Token::Ident(b"extern"), Token::Str(_)) => Sign::Lesser,
        (
            _,
            Token::Ident(b"static_cast" | b"reinterpret_cast" | b"const_cast" | b"dynamic_cast"),
            Token::Punct(b'<'),
        ) => Sign::Lesser,
        (_, Token::Ident(b"decltype"), Token::Punct(b'(')) => Sign::Lesser,
        // C23's attributes (`[[gnu::always_inline]]`) are the one place C has `::`.
        (_, _, Token::Scope) if !in_attribute => Sign::Lesser,
        _ => Sign::None,
    }
}

/// Whether an `#include`d name is C++'s: a standard header with no
/// extension (`<vector>`, `<cstdint>`) or a C++ header (`"x.hpp"`).
fn cpp_include(name: &[u8]) -> bool {
    let Some((&open, rest)) = name.split_first() else { return false };
    let close = if open == b'<' { b'>' } else { b'"' };
    let Some(end) = rest.iter().position(|&b| b == close) else { return false };
    let name = &rest[..end];
    if name.is_empty() {
        return false;
    }
    match name.iter().rposition(|&b| b == b'.') {
        // A standard header: C's all end in `.h`.
        None => open == b'<',
        Some(dot) => matches!(&name[dot + 1..], b"hpp" | b"hh" | b"hxx" | b"h++" | b"ipp" | b"tpp"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'t> {
    Ident(&'t [u8]),
    /// `::`.
    Scope,
    Punct(u8),
    /// A string literal, quotes included.
    Str(&'t [u8]),
    /// What an `#include` names, from its `<` or `"` on.
    Include(&'t [u8]),
    /// A number, a character literal, or nothing (before the first token).
    Other,
}

struct Scan<'t> {
    text: &'t [u8],
    at: usize,
    /// Whether only whitespace stands between the line's start and `at`.
    line_start: bool,
    /// The open conditional blocks, innermost last: whether any condition
    /// of the block's chain so far (`#if`, each `#elif`) names one of
    /// `cpp_macros`.
    conds: Vec<bool>,
    /// `__cplusplus` and the macros defined only in blocks that ask for it
    /// (glibc's `__CORRECT_ISO_CPP_STRING_H_PROTO`): a condition naming one
    /// asks whether the compiler is C++, too.
    cpp_macros: Vec<&'t [u8]>,
}

impl<'t> Scan<'t> {
    fn guarded(&self) -> bool {
        self.conds.iter().any(|&c| c)
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.text.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn next(&mut self) -> Option<Token<'t>> {
        loop {
            let c = *self.text.get(self.at)?;
            match c {
                b'\n' => {
                    self.at += 1;
                    self.line_start = true;
                }
                b' ' | b'\t' | b'\r' | 0x0b | 0x0c => self.at += 1,
                b'\\' if matches!(self.peek(1), b'\n' | b'\r') => self.at += 2,
                b'/' if self.peek(1) == b'/' => self.skip_line_comment(),
                b'/' if self.peek(1) == b'*' => self.skip_block_comment(),
                b'#' if self.line_start => {
                    if let Some(token) = self.directive() {
                        return Some(token);
                    }
                }
                _ => {
                    self.line_start = false;
                    return Some(self.token(c));
                }
            }
        }
    }

    fn token(&mut self, c: u8) -> Token<'t> {
        let start = self.at;
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            self.at += self.text[start..].iter().take_while(|&&b| is_word(b)).count();
            return Token::Ident(&self.text[start..self.at]);
        }
        if c.is_ascii_digit() {
            // Digit separators (`1'000`) and exponents stay in the number.
            self.at += self.text[start..].iter().take_while(|&&b| is_word(b) || b == b'.' || b == b'\'').count();
            return Token::Other;
        }
        if c == b'"' || c == b'\'' {
            self.skip_literal(c);
            return if c == b'"' { Token::Str(&self.text[start..self.at]) } else { Token::Other };
        }
        self.at += 1;
        if c == b':' && self.peek(0) == b':' {
            self.at += 1;
            return Token::Scope;
        }
        Token::Punct(c)
    }

    /// Whether the line break at `newline` continues the line (a backslash
    /// before it, with or without a carriage return between).
    fn continued(&self, newline: usize) -> bool {
        let before = self.text[..newline].strip_suffix(b"\r").unwrap_or(&self.text[..newline]);
        before.last() == Some(&b'\\')
    }

    fn skip_literal(&mut self, quote: u8) {
        self.at += 1;
        while let Some(&b) = self.text.get(self.at) {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'\n' => return,
                _ if b == quote => return,
                _ => {}
            }
        }
    }

    fn skip_line_comment(&mut self) {
        // A backslash at the end of a `//` comment's line continues it.
        while let Some(&b) = self.text.get(self.at) {
            if b == b'\n' && !self.continued(self.at) {
                return;
            }
            self.at += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        let rest = &self.text[self.at + 2..];
        self.at = match rest.windows(2).position(|w| w == b"*/") {
            Some(end) => self.at + 2 + end + 2,
            None => self.text.len(),
        };
    }

    /// Reads a preprocessor line (with its continuations) from its `#`,
    /// keeps the conditional stack, and returns what an `#include` names.
    fn directive(&mut self) -> Option<Token<'t>> {
        let start = self.at + 1;
        let mut end = start;
        while end < self.text.len() && (self.text[end] != b'\n' || self.continued(end)) {
            // A block comment may go on past the line's end, and the line with it.
            if self.text[end..].starts_with(b"/*") {
                end = match self.text[end + 2..].windows(2).position(|w| w == b"*/") {
                    Some(close) => end + 2 + close + 2,
                    None => self.text.len(),
                };
                continue;
            }
            end += 1;
        }
        self.at = end;
        let line = &self.text[start..end];
        let line = &line[line.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let name_len = line.iter().take_while(|&&b| is_word(b)).count();
        let (name, rest) = line.split_at(name_len);
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let names_cpp = self.cpp_macros.iter().any(|m| has_word(rest, m));
        match name {
            b"if" | b"ifdef" | b"ifndef" => self.conds.push(names_cpp),
            b"elif" | b"elifdef" | b"elifndef" => {
                if let Some(top) = self.conds.last_mut() {
                    *top |= names_cpp;
                }
            }
            b"endif" => {
                self.conds.pop();
            }
            b"include" | b"include_next" if !self.guarded() => return Some(Token::Include(rest)),
            b"define" if self.guarded() => {
                let macro_name = &rest[..rest.iter().take_while(|&&b| is_word(b)).count()];
                if !macro_name.is_empty() && !self.cpp_macros.contains(&macro_name) {
                    self.cpp_macros.push(macro_name);
                }
            }
            _ => {}
        }
        None
    }
}

/// Whether `word` occurs in `hay` as a whole word.
fn has_word(hay: &[u8], word: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].windows(word.len()).position(|w| w == word) {
        let (start, end) = (from + i, from + i + word.len());
        let before = start == 0 || !is_word(hay[start - 1]);
        let after = end == hay.len() || !is_word(hay[end]);
        if before && after {
            return true;
        }
        from = start + 1;
    }
    false
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

#[cfg(test)]
mod tests;
