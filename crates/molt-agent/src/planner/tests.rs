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
