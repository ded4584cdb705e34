//! A site: one place in the code that a migration must touch.

use serde::{Deserialize, Serialize};

/// One place a recipe's finder matched, e.g. a call to `_mm256_fmadd_ps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The finder's name for what it found (`x86-intrinsic`, `x86-header`, ...).
    pub kind: String,
    /// Repository-relative path, with `/` separators.
    pub path: String,
    /// The qualified path of the enclosing item (`src/kernels.c::matmul_avx2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// 1-based line of the match.
    pub line: usize,
    /// Byte range of the match in the file.
    pub start: usize,
    pub end: usize,
    /// The matched text, for people and prompts.
    pub text: String,
}

impl Site {
    /// `path:line`, the way compilers point at code.
    pub fn location(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}
