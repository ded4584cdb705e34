//! A header-only C++ library, the way such libraries are written: a `.h`
//! header with a namespace, a free kernel under `#if defined(__SSE__)`, a
//! class template whose methods hold intrinsics (one in a lambda, one under
//! `#ifdef __SSE__` in the method's body). After the recipe's rules (items
//! first, then the guards, as the plan orders them), the program builds with
//! aarch64-linux-gnu-g++ and, under qemu-aarch64, prints what the x86 build
//! prints, through NEON code.

mod common;

use std::process::Command;

use molt_core::Site;

const HEADER: &str = r#"#pragma once
#include <cstddef>
#include <vector>
#ifdef __SSE__
#include <xmmintrin.h>
#endif

namespace knn {

#if defined(__SSE__)
static float dot(const float *a, const float *b, size_t n) {
    __m128 acc = _mm_setzero_ps();
    for (size_t i = 0; i + 4 <= n; i += 4) {
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    }
    float out[4];
    _mm_storeu_ps(out, acc);
    return out[0] + out[1] + out[2] + out[3];
}
#else
static float dot(const float *a, const float *b, size_t n) {
    (void)a; (void)b; (void)n;
    return -1.0f; /* no portable path */
}
#endif

template <typename T>
class Index {
  public:
    explicit Index(std::vector<T> data, size_t dim) : data_(data), dim_(dim) {}

    T nearest_l2(const T *q) const {
        auto l2 = [this](const T *x, const T *y) {
            __m128 s = _mm_setzero_ps();
            for (size_t i = 0; i < dim_; i += 4) {
                __m128 d = _mm_sub_ps(_mm_loadu_ps(x + i), _mm_loadu_ps(y + i));
                s = _mm_add_ps(s, _mm_mul_ps(d, d));
            }
            return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehl_ps(s, s))) + _mm_cvtss_f32(_mm_shuffle_ps(s, s, 0x55))
                + _mm_cvtss_f32(_mm_shuffle_ps(s, s, 0xff));
        };
        T best = 1e30f;
        for (size_t r = 0; r * dim_ < data_.size(); r++) {
            T d = l2(&data_[r * dim_], q);
            if (d < best) best = d;
        }
        return best;
    }

    T score(const T *q) const {
#ifdef __SSE__
        _mm_prefetch(reinterpret_cast<const char *>(data_.data()), _MM_HINT_T0);
#endif
        return dot(data_.data(), q, dim_);
    }

  private:
    std::vector<T> data_;
    size_t dim_;
};

}  // namespace knn
"#;

const MAIN: &str = r#"#include <cstdio>
#include "index.h"
int main() {
    std::vector<float> data = {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 1, 0, 1, 0, 1};
    float q[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    knn::Index<float> index(data, 8);
    std::printf("%.1f %.1f\n", index.score(q), index.nearest_l2(q));
    return 0;
}
"#;

use common::run;

#[test]
fn a_cpp_header_with_a_class_template_and_a_lambda_is_ported_and_runs_on_aarch64() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let sites = recipe.find_sites("inc/index.h", HEADER);
    let named = |name: &str| sites.iter().any(|s| s.symbol.as_deref() == Some(&format!("inc/index.h::{name}")[..]));
    assert!(named("dot") && named("nearest_l2") && named("score"), "each method is its own item: {sites:#?}");
    let first: Vec<Site> = sites.iter().filter(|s| s.kind != "x86-guard" || s.symbol.is_some()).cloned().collect();
    let items = recipe.rewrite("inc/index.h", HEADER, &first).unwrap();
    assert!(items.unmapped.is_empty(), "{:?}", items.unmapped);
    let guards = recipe.find_sites("inc/index.h", &items.text);
    let done = recipe.rewrite("inc/index.h", &items.text, &guards).unwrap();
    assert!(done.unmapped.is_empty(), "{:?}", done.unmapped);
    assert!(recipe.find_sites("inc/index.h", &done.text).is_empty(), "settled:\n{}", done.text);
    // The class stays one class: each method is wrapped in it, not the class.
    assert_eq!(done.text.matches("class Index").count(), 1, "{}", done.text);

    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &items.new_files {
        let name = name.rsplit('/').next().unwrap();
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("index.h"), &done.text).unwrap();
    std::fs::write(dir.path().join("main.cpp"), MAIN).unwrap();
    run(Command::new("c++").args(["-O2", "-std=c++11", "-Wall", "-o", "x86", "main.cpp"]).current_dir(dir.path()));
    let x86 = run(Command::new("./x86").current_dir(dir.path()));
    assert_eq!(x86, "36.0 4.0\n");
    run(Command::new("aarch64-linux-gnu-g++")
        .args(["-O2", "-std=c++11", "-Wall", "-o", "arm", "main.cpp"])
        .current_dir(dir.path()));
    let arm = run(Command::new("qemu-aarch64").args(["-L", "/usr/aarch64-linux-gnu", "./arm"]).current_dir(dir.path()));
    assert_eq!(arm, x86);
    let asm = run(Command::new("aarch64-linux-gnu-objdump").args(["-d", "arm"]).current_dir(dir.path()));
    assert!(asm.contains("fmul\tv") || asm.contains("fmla\tv"), "NEON vector arithmetic in the aarch64 binary");
}

/// An AVX-512 kernel under a project's own macro (set by its build or another
/// header) stays x86-only, whole; its SSE sibling is ported; an item that
/// also uses what the table lacks (a GCC x86 builtin) is still left for the
/// model.
#[test]
fn avx512_kernels_stay_x86_only_and_the_others_are_ported() {
    let text = r#"#include <immintrin.h>
#if defined(USE_AVX512)
static float sum16(const float *p) {
    __m512 v = _mm512_loadu_ps(p);
    return _mm512_reduce_add_ps(v);
}
#endif
static float sum4(const float *p) {
    __m128 v = _mm_loadu_ps(p);
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    return _mm_cvtss_f32(_mm_add_ss(v, _mm_shuffle_ps(v, v, 1)));
}
static int has512(void) {
    __m512 z = _mm512_setzero_ps();
    return (int)__builtin_ia32_rdtsc() & 1 && _mm512_reduce_add_ps(z) == 0;
}
"#;
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let sites = recipe.find_sites("k.c", text);
    let out = recipe.rewrite("k.c", text, &sites).unwrap();
    let left: Vec<&str> = out.unmapped.iter().filter_map(|(s, _)| s.symbol.as_deref()).collect();
    assert!(!left.is_empty() && left.iter().all(|s| *s == "k.c::has512"), "{:?}", out.unmapped);
    assert!(out.mapped.iter().any(|s| s.symbol.as_deref() == Some("k.c::sum16")), "{:?}", out.mapped);
    assert!(out.mapped.iter().any(|s| s.symbol.as_deref() == Some("k.c::sum4")), "{:?}", out.mapped);
    assert_eq!(out.text.matches("_mm512_loadu_ps").count(), 1, "kept once, not copied:\n{}", out.text);
    assert!(!out.text.contains("molt_mm512"), "{}", out.text);
    // Without the model's part (has512), the kernels build on both targets.
    let ported: String = out.text.split("static int has512").next().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &out.new_files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(dir.path().join("k.c"), &ported).unwrap();
    run(Command::new("cc")
        .args(["-c", "-O2", "-mavx512f", "-DUSE_AVX512", "-Wall", "-Wno-unused-function", "-o", "x86.o", "k.c"])
        .current_dir(dir.path()));
    run(Command::new("aarch64-linux-gnu-gcc")
        .args(["-c", "-O2", "-Wall", "-Wno-unused-function", "-o", "arm.o", "k.c"])
        .current_dir(dir.path()));
}
