use super::*;

fn spec() -> Spec {
    Spec::parse(
        "molt.toml",
        "[migration]\nname = \"p\"\ngoal = \"g\"\nrecipe = \"x86-to-neon\"\n\n[[check]]\nname = \"t\"\nrun = \"true\"\nkind = \"test\"\n",
    )
    .unwrap()
}

const KERNELS: &str = "#include <immintrin.h>\n\
static inline float hsum128(__m128 v) { return _mm_cvtss_f32(_mm_add_ps(v, _mm_movehl_ps(v, v))); }\n\
static inline float hsum256(__m256 v) { return hsum128(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }\n\
float dot(const float *a, const float *b) { return hsum256(_mm256_mul_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b))); }\n\
float sum(const float *a) { return hsum256(_mm256_loadu_ps(a)); }\n\
int scalar(int x) { return x; }\n";

fn files() -> Vec<SourceFile> {
    vec![
        SourceFile { path: "Makefile".into(), text: "CFLAGS = -O2 -mavx2 -mfma\n".into() },
        SourceFile { path: "src/kernels.c".into(), text: KERNELS.into() },
        SourceFile { path: "src/model.c".into(), text: "float f(void) { return 0; }\n".into() },
    ]
}

#[test]
fn plan_orders_headers_callees_and_build_files() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let plan = rules_plan(&spec(), recipe, &files());
    plan.validate().unwrap();
    let shown: Vec<String> = plan
        .tasks
        .iter()
        .map(|t| {
            let deps: Vec<&str> = t.depends_on.iter().map(|d| d.as_str()).collect();
            format!("{} <- [{}] ({} sites)", t.id, deps.join(", "), t.sites.len())
        })
        .collect();
    // hsum128 is a private helper of hsum256 only, so they share a task;
    // hsum256 is used by two kernels, so it is its own task and comes first.
    assert_eq!(
        shown,
        [
            "t01-kernels-x86-header <- [] (1 sites)",
            "t02-hsum256 <- [t01-kernels-x86-header] (8 sites)",
            "t03-dot <- [t01-kernels-x86-header, t02-hsum256] (3 sites)",
            "t04-sum <- [t01-kernels-x86-header, t02-hsum256] (1 sites)",
            "t05-makefile-x86-build-flag <- [t01-kernels-x86-header, t02-hsum256, t03-dot, t04-sum] (1 sites)",
        ]
    );
    assert_eq!(plan.tasks[0].files, ["src/kernels.c", "src/molt_simd_neon.h", "src/molt_simd_scalar.h"]);
    assert!(plan.tasks[2].instruction.starts_with("This item uses x86 intrinsics"), "{}", plan.tasks[2].instruction);
    // The sites are data beside the instruction, not a list inside it.
    assert!(!plan.tasks[2].instruction.contains("src/kernels.c:4"), "{}", plan.tasks[2].instruction);
    assert!(plan.tasks[2].sites.iter().any(|s| s.location() == "src/kernels.c:4" && s.kind == "x86-intrinsic"));
    assert!(plan.tasks.iter().all(|t| t.estimate_tokens > 0));
    assert_eq!(plan.tasks[1].title, "Port hsum256 with its helpers hsum128 in src/kernels.c (x86-to-neon)");
}

#[test]
fn nothing_to_migrate_is_an_empty_plan() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let plan = rules_plan(&spec(), recipe, &[SourceFile { path: "a.c".into(), text: "int x;\n".into() }]);
    assert!(plan.tasks.is_empty());
}

#[test]
fn feature_guards_wait_for_every_item_of_the_migration() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let files = vec![
        SourceFile {
            path: "src/k.c".into(),
            text: "#include \"k.h\"\n#ifdef __SSE2__\n#include <emmintrin.h>\n\
                   int k(const int *p) { return _mm_cvtsi128_si32(_mm_loadu_si128((const __m128i *)p)); }\n#endif\n"
                .into(),
        },
        SourceFile { path: "src/k.h".into(), text: "#ifdef __SSE2__\nint k(const int *p);\n#endif\n".into() },
    ];
    let plan = rules_plan(&spec(), recipe, &files);
    plan.validate().unwrap();
    let shown: Vec<String> = plan
        .tasks
        .iter()
        .map(|t| {
            let deps: Vec<&str> = t.depends_on.iter().map(|d| d.as_str()).collect();
            format!("{} <- [{}]", t.id, deps.join(", "))
        })
        .collect();
    assert_eq!(
        shown,
        [
            "t01-k-x86-header <- []",
            "t02-k <- [t01-k-x86-header]",
            "t03-k-x86-guard <- [t01-k-x86-header, t02-k]",
            "t04-k-x86-guard <- [t02-k]",
        ]
    );
    assert_eq!(plan.tasks[3].files, ["src/k.h"]);
}

#[test]
fn build_flags_wait_for_the_files_they_apply_to() {
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let kernel = |isa: &str, ty: &str, f: &str| {
        format!("#include <immintrin.h>\nvoid k_{isa}(int *p) {{ {ty} v = {f}((const {ty} *)p); (void)v; }}\n")
    };
    let files = vec![
        SourceFile {
            path: "c/Makefile.testing".into(),
            text: "CFLAGS = -O2 -mpopcnt\n\
                   all: main.c k_sse2.o k_avx512.o\n\t$(CC) $(CFLAGS) $^ -o x\n\
                   k_sse2.o: k_sse2.c\n\t$(CC) $(CFLAGS) -c $^ -o $@ -msse2\n\
                   k_avx512.o: k_avx512.c\n\t$(CC) $(CFLAGS) -c $^ -o $@ -mavx512f\n"
                .into(),
        },
        SourceFile { path: "c/k_sse2.c".into(), text: kernel("sse2", "__m128i", "_mm_loadu_si128") },
        SourceFile { path: "c/k_avx512.c".into(), text: kernel("avx512", "__m512i", "_mm512_loadu_si512") },
    ];
    let plan = rules_plan(&spec(), recipe, &files);
    plan.validate().unwrap();
    let shown: Vec<String> = plan
        .tasks
        .iter()
        .map(|t| {
            let deps: Vec<&str> = t.depends_on.iter().map(|d| d.as_str()).collect();
            format!("{} <- [{}] ({} sites)", t.id, deps.join(", "), t.sites.len())
        })
        .collect();
    assert_eq!(
        shown,
        [
            "t01-k-avx512-x86-header <- [] (1 sites)",
            "t02-k-sse2-x86-header <- [] (1 sites)",
            "t03-k-avx512 <- [t01-k-avx512-x86-header] (3 sites)",
            "t04-k-sse2 <- [t02-k-sse2-x86-header] (3 sites)",
            // The whole project's flags wait for every file; a rule's flags
            // only for its own source: the unported AVX-512 kernel does not
            // hold back the SSE2 kernel's `-msse2`.
            "t05-makefile-x86-build-flag <- [t02-k-sse2-x86-header, t04-k-sse2, t01-k-avx512-x86-header, t03-k-avx512] (1 sites)",
            "t06-makefile-x86-build-flag-k-sse2 <- [t02-k-sse2-x86-header, t04-k-sse2] (1 sites)",
            "t07-makefile-x86-build-flag-k-avx512 <- [t01-k-avx512-x86-header, t03-k-avx512] (1 sites)",
        ]
    );
    assert_eq!(
        plan.tasks[5].title,
        "Make the x86 compiler flags of c/Makefile.testing for c/k_sse2.c per-architecture"
    );
    // The rules rewrite only the lines of the task they are given.
    let make = &files[0].text;
    let out = recipe.rewrite("c/Makefile.testing", make, &plan.tasks[5].sites).unwrap();
    assert_eq!(out.mapped.len(), 1, "{:?}", out.unmapped);
    assert!(out.text.contains("-dumpmachine)),-msse2)"), "{}", out.text);
    assert!(out.text.contains("CFLAGS = -O2 -mpopcnt\n") && out.text.contains(" -mavx512f\n"), "{}", out.text);
}
