//! Preprocessor conditions that no compiler takes.
//!
//! Real code keeps old or debug kernels under `#if 0`, and its `#else` under
//! `#if 1`; a site there is compiled by no target and is not ported. This
//! module evaluates an `#if` / `#elif` condition the way the C preprocessor
//! does (integers, `defined`, the unary, binary and ternary operators), with
//! every identifier unknown: a condition whose value does not depend on any
//! macro is decided, every other one is left undecided, and the code under it
//! is ported as before.
//!
//! [`value_in`] evaluates a condition for one target: a [`Target`] says, of
//! each macro, whether that target's compiler defines it and with which
//! value, or that it cannot be known (a project's own configuration macro).

/// What a target knows of one macro.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Macro {
    /// It may or may not be defined (a project's configuration).
    Unknown,
    /// Not defined for this target.
    Undefined,
    /// Defined, with this value (`1` for `-DNAME`).
    Value(i64),
}

/// A target: what each macro is there.
pub trait Target {
    fn lookup(&self, name: &str) -> Macro;
}

impl<F: Fn(&str) -> Macro> Target for F {
    fn lookup(&self, name: &str) -> Macro {
        self(name)
    }
}

/// The value of a preprocessor condition, when it does not depend on a
/// macro; `None` otherwise (or when it is not a well-formed expression).
pub fn constant_value(cond: &str) -> Option<i64> {
    value_in(cond, &|_: &str| Macro::Unknown)
}

/// The value of a preprocessor condition on `target`; `None` when it
/// depends on a macro the target leaves unknown (or is not well formed).
pub fn value_in(cond: &str, target: &dyn Target) -> Option<i64> {
    let tokens = tokenize(cond)?;
    let mut p = Parser { tokens, pos: 0, target };
    let value = p.ternary()?;
    (p.pos == p.tokens.len()).then_some(value)?
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(i64),
    /// An identifier: a macro, evaluated by the target.
    Ident(String),
    /// `defined NAME` or `defined(NAME)`.
    Defined(String),
    Op(&'static str),
}

fn tokenize(s: &str) -> Option<Vec<Token>> {
    const OPS: &[&str] = &[
        "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "!", "~", "*", "/", "%", "+", "-", "<", ">", "&",
        "^", "|", "?", ":",
    ];
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b'\\' {
            i += 1;
        } else if s[i..].starts_with("/*") {
            i += s[i + 2..].find("*/")? + 4;
        } else if s[i..].starts_with("//") {
            break;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let digits = s[start..i].trim_end_matches(['u', 'U', 'l', 'L']);
            let value = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).ok()?
            } else if digits.len() > 1 && digits.starts_with('0') {
                i64::from_str_radix(&digits[1..], 8).ok()?
            } else {
                digits.parse().ok()?
            };
            out.push(Token::Num(value));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if &s[start..i] == "defined" {
                // `defined X` or `defined(X)`, consumed whole.
                let rest = s[i..].trim_start();
                let skip = s.len() - i - rest.len();
                let (name, rest_len) = if let Some(inner) = rest.strip_prefix('(') {
                    let close = inner.find(')')?;
                    (inner[..close].trim(), 1 + close + 1)
                } else {
                    let end = rest.find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).unwrap_or(rest.len());
                    (&rest[..end], end)
                };
                i += skip + rest_len;
                out.push(Token::Defined(name.to_owned()));
            } else {
                out.push(Token::Ident(s[start..i].to_owned()));
            }
        } else {
            let op = OPS.iter().find(|op| s[i..].starts_with(**op))?;
            out.push(Token::Op(op));
            i += op.len();
        }
    }
    Some(out)
}

/// A recursive-descent evaluator over C's precedence levels. An identifier
/// makes a value unknown (`Err(Unknown)` inside, `None` outside), except
/// where `&&`, `||` or `?:` decide without it, as `0 && X` does.
struct Parser<'t> {
    tokens: Vec<Token>,
    pos: usize,
    target: &'t dyn Target,
}

/// A value that may depend on a macro.
type V = Option<Option<i64>>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Token::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `None`: a syntax error; `Some(None)`: depends on a macro.
    fn ternary(&mut self) -> Option<Option<i64>> {
        let c = self.or()?;
        if self.eat("?") {
            let a = self.ternary()?;
            if !self.eat(":") {
                return None;
            }
            let b = self.ternary()?;
            return Some(match c {
                Some(c) => {
                    if c != 0 {
                        a
                    } else {
                        b
                    }
                }
                None => None,
            });
        }
        Some(c)
    }

    fn or(&mut self) -> V {
        let mut l = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            l = match (l, r) {
                (Some(a), _) if a != 0 => Some(1),
                (_, Some(b)) if b != 0 => Some(1),
                (Some(_), Some(_)) => Some(0),
                _ => None,
            };
        }
        Some(l)
    }

    fn and(&mut self) -> V {
        let mut l = self.binary(0)?;
        while self.eat("&&") {
            let r = self.binary(0)?;
            l = match (l, r) {
                (Some(0), _) | (_, Some(0)) => Some(0),
                (Some(_), Some(_)) => Some(1),
                _ => None,
            };
        }
        Some(l)
    }

    /// The binary operators from `|` down to `*`, by precedence level.
    fn binary(&mut self, level: usize) -> V {
        const LEVELS: &[&[&str]] = &[
            &["|"],
            &["^"],
            &["&"],
            &["==", "!="],
            &["<", ">", "<=", ">="],
            &["<<", ">>"],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut l = self.binary(level + 1)?;
        while let Some(op) = LEVELS[level].iter().find(|op| matches!(self.peek(), Some(Token::Op(o)) if o == *op)) {
            self.pos += 1;
            let r = self.binary(level + 1)?;
            l = match (l, r) {
                (Some(a), Some(b)) => Some(apply(op, a, b)?),
                _ => None,
            };
        }
        Some(l)
    }

    fn unary(&mut self) -> V {
        for op in ["!", "~", "-", "+"] {
            if self.eat(op) {
                let v = self.unary()?;
                return Some(v.map(|v| match op {
                    "!" => i64::from(v == 0),
                    "~" => !v,
                    "-" => v.wrapping_neg(),
                    _ => v,
                }));
            }
        }
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Num(n)) => {
                self.pos += 1;
                Some(Some(n))
            }
            Some(Token::Defined(name)) => {
                self.pos += 1;
                Some(match self.target.lookup(&name) {
                    Macro::Unknown => None,
                    Macro::Undefined => Some(0),
                    Macro::Value(_) => Some(1),
                })
            }
            Some(Token::Ident(name)) => {
                self.pos += 1;
                let known = self.target.lookup(&name);
                // A function-like macro's arguments go with it.
                if self.peek() == Some(&Token::Op("(")) {
                    let mut depth = 0;
                    while let Some(t) = self.tokens.get(self.pos) {
                        self.pos += 1;
                        match t {
                            Token::Op("(") => depth += 1,
                            Token::Op(")") => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    return Some(None);
                }
                Some(match known {
                    Macro::Unknown => None,
                    Macro::Undefined => Some(0),
                    Macro::Value(v) => Some(v),
                })
            }
            Some(Token::Op("(")) => {
                self.pos += 1;
                let v = self.ternary()?;
                self.eat(")").then_some(v)
            }
            _ => None,
        }
    }
}

fn apply(op: &str, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "<" => i64::from(a < b),
        ">" => i64::from(a > b),
        "<=" => i64::from(a <= b),
        ">=" => i64::from(a >= b),
        "<<" => a.checked_shl(u32::try_from(b).ok()?)?,
        ">>" => a.checked_shr(u32::try_from(b).ok()?)?,
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" => a.checked_div(b)?,
        "%" => a.checked_rem(b)?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
