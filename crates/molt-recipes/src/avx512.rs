//! AVX-512 kernels stay x86's own.
//!
//! The `x86-to-neon` recipe ports SSE through AVX2 and FMA: NEON has no
//! 512-bit vectors or mask registers, and a project's AVX-512 kernels are
//! always one path among narrower ones (chosen by `__AVX512F__`, a build
//! flag or cpuid), so the narrower kernels are the aarch64 path. An item
//! whose only untranslatable names are AVX-512 ones is therefore kept, byte
//! for byte, under the x86 guard with no copy for other targets: on aarch64
//! it is not compiled, as it could not be before. An item that also uses
//! anything else the table lacks is left for the model as before.

use tree_sitter::Node;

use crate::ctree;
use crate::x86_to_neon::X86_GUARD;

/// The comment the kept item carries, for the reader of the port.
const NOTE: &str = "/* molt x86-to-neon: AVX-512 stays x86-only (NEON has no 512-bit vectors); \
                    the narrower kernels are the other targets' path */";

/// Operations that exist on 128- and 256-bit vectors only with AVX-512VL
/// (and its VNNI, BITALG, VPOPCNTDQ and CD siblings): `_mm256_ror_epi32`,
/// `_mm_cvtepi64_epi32` (VPMOVQD), `_mm256_ternarylogic_epi32`, ...; and
/// the VNNI dot products' AVX-VNNI forms (`_mm256_dpbusd_avx_epi32`).
const VL_OPS: &[&str] = &[
    "ror_epi32",
    "ror_epi64",
    "rol_epi32",
    "rol_epi64",
    "rorv_epi32",
    "rorv_epi64",
    "rolv_epi32",
    "rolv_epi64",
    "cvtepi64_epi32",
    "cvtepi64_epi16",
    "cvtepi64_epi8",
    "cvtepi32_epi16",
    "cvtepi32_epi8",
    "cvtepi16_epi8",
    "ternarylogic_epi32",
    "ternarylogic_epi64",
    "permutex2var_epi32",
    "permutex2var_epi64",
    "permutex2var_ps",
    "permutex2var_pd",
    "abs_epi64",
    "max_epi64",
    "min_epi64",
    "max_epu64",
    "min_epu64",
    "srai_epi64",
    "sra_epi64",
    "srav_epi64",
    "rcp14_ps",
    "rsqrt14_ps",
    "lzcnt_epi32",
    "lzcnt_epi64",
    "popcnt_epi32",
    "popcnt_epi64",
    "conflict_epi32",
    "conflict_epi64",
    "dpbusd_epi32",
    "dpwssd_epi32",
    "dpbusds_epi32",
    "dpwssds_epi32",
    // AVX-VNNI: the same dot products, VEX-encoded for CPUs without
    // AVX-512; kernels that use them are one more cpuid-chosen path.
    "dpbusd_avx_epi32",
    "dpwssd_avx_epi32",
    "dpbusds_avx_epi32",
    "dpwssds_avx_epi32",
];

/// Whether a name belongs to AVX-512: its 512-bit types and intrinsics, its
/// mask registers, the masked 128/256-bit forms and the other operations of
/// AVX-512VL (with AVX-VNNI's dot products), and `_MM_PERM_ENUM`.
pub fn is_avx512_name(name: &str) -> bool {
    let vl = name.strip_prefix("_mm256_").or_else(|| name.strip_prefix("_mm_")).is_some_and(|op| VL_OPS.contains(&op));
    vl || name.starts_with("__m512")
        || name.starts_with("_mm512_")
        || name.starts_with("__mmask")
        || name.starts_with("_MM512")
        || name == "_MM_PERM_ENUM"
        || ["_mm_mask_", "_mm_maskz_", "_mm256_mask_", "_mm256_maskz_", "_cvtmask", "_kand", "_kor", "_knot"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// Whether a translation's problems (the recipe's "`NAME` has no mapping",
/// joined by ", ") name AVX-512 names and nothing else.
pub fn only_avx512(problems: &str) -> bool {
    !problems.is_empty()
        && problems.split(", ").all(|p| {
            p.strip_prefix('`').and_then(|rest| rest.strip_suffix("` has no mapping")).is_some_and(is_avx512_name)
        })
}

/// The splice that keeps `item` (from `start`, its leading comments and
/// attributes) for x86 only: the start of its line, its end, the new text.
pub fn keep_x86_only(item: Node<'_>, start: usize, src: &str) -> (usize, usize, String) {
    let indent = ctree::indentation_at(src, start);
    let line_start = start - indent.len();
    let original = &src[start..item.end_byte()];
    (line_start, item.end_byte(), format!("{X86_GUARD} {NOTE}\n{indent}{original}\n#endif"))
}

/// What stands, in an item's portable copy, for a preprocessor branch of
/// the item that uses AVX-512: an instance of a template that takes that
/// branch (`#if VL == 64`) is x86's own, and cannot be built elsewhere.
pub const BRANCH_ERROR: &str = "#error \"molt x86-to-neon: AVX-512 stays x86-only (NEON has no 512-bit vectors)\"";

/// The body of the innermost preprocessor branch around `node` inside
/// `item` (`#if VL == 64` ... up to its `#elif`, `#else` or `#endif`), as a
/// byte range, when there is one: an item whose AVX-512 code all sits in
/// such branches (a template's widest instance, `#if USE_AVX512`) is ported
/// with those branches' bodies replaced by [`BRANCH_ERROR`], so that its
/// narrower instances keep their portable path.
pub fn branch_body(node: Node<'_>, item: Node<'_>) -> Option<(usize, usize)> {
    let mut cur = node.parent();
    while let Some(p) = cur {
        if p.id() == item.id() {
            return None;
        }
        if matches!(p.kind(), "preproc_if" | "preproc_ifdef" | "preproc_elif" | "preproc_else" | "preproc_elifdef") {
            let mut c = p.walk();
            let body: Vec<Node<'_>> = p
                .named_children(&mut c)
                .enumerate()
                .filter(|(i, n)| {
                    let field = p.field_name_for_named_child(*i as u32);
                    !matches!(field, Some("condition" | "name" | "alternative")) && !n.is_extra()
                })
                .map(|(_, n)| n)
                .collect();
            return Some((body.first()?.start_byte(), body.last()?.end_byte()));
        }
        cur = p.parent();
    }
    None
}

/// The splice that keeps a `#define` for x86 alone, with no copy for other
/// targets: the macro of an AVX-512 kernel, which is x86's own as the
/// kernel is. Code that uses it stays in x86-only instances of that kernel.
pub fn keep_define_x86_only(node: Node<'_>, src: &str) -> (usize, usize, String) {
    let original = ctree::text(node, src);
    let newline = if original.ends_with('\n') { "" } else { "\n" };
    let text = format!("{X86_GUARD} /* molt x86-to-neon: AVX-512 stays x86-only */\n{original}{newline}#endif\n");
    (node.start_byte(), node.end_byte(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_problems_that_name_avx512_alone_qualify() {
        assert!(only_avx512("`__m512` has no mapping, `_mm512_loadu_ps` has no mapping"));
        assert!(only_avx512("`__mmask16` has no mapping, `_mm256_mask_add_ps` has no mapping"));
        assert!(!only_avx512("`__m512` has no mapping, `__cpuid_count` has no mapping"));
        assert!(!only_avx512("`__m512` has no mapping, inline assembly"));
        assert!(!only_avx512(""));
        assert!(only_avx512(
            "`__m512i` has no mapping, `_mm256_ror_epi32` has no mapping, `_MM_PERM_ENUM` has no mapping"
        ));
        assert!(only_avx512("`_mm256_dpbusd_avx_epi32` has no mapping, `_mm_dpbusd_epi32` has no mapping"));
        assert!(!is_avx512_name("_mm256_add_ps"));
        assert!(!is_avx512_name("_mm256_cvtepi32_ps"), "AVX's own conversion");
    }
}
