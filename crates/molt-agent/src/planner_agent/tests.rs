use molt_test_support::model_server::{ModelServer, Turn, Wire};
use serde_json::json;

use super::*;
use crate::planner::{rules_plan, SourceFile};

const KERNELS: &str = "#include <immintrin.h>\n\
static inline float hsum128(__m128 v) { return _mm_cvtss_f32(_mm_add_ps(v, _mm_movehl_ps(v, v))); }\n\
static inline float hsum256(__m256 v) { return hsum128(_mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))); }\n\
float dot(const float *a, const float *b) { return hsum256(_mm256_mul_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b))); }\n\
float sum(const float *a) { return hsum256(_mm256_loadu_ps(a)); }\n";

fn spec() -> Spec {
    Spec::parse(
        "molt.toml",
        "[migration]\nname = \"p\"\ngoal = \"Port to NEON.\"\nrecipe = \"x86-to-neon\"\ninclude = [\"**\", \"Makefile\"]\n\n[[check]]\nname = \"t\"\nrun = \"true\"\nkind = \"test\"\n",
    )
    .unwrap()
}

fn files() -> Vec<SourceFile> {
    vec![
        SourceFile { path: "Makefile".into(), text: "CFLAGS = -O2 -mavx2 -mfma\n".into() },
        SourceFile { path: "src/kernels.c".into(), text: KERNELS.into() },
    ]
}

fn plan_json(cyclic: bool) -> serde_json::Value {
    json!({ "tasks": [
        { "id": "headers", "title": "Guard the headers", "sites": [0], "depends_on": if cyclic { json!(["build"]) } else { json!([]) },
          "checks": if cyclic { json!(["bench"]) } else { json!([]) } },
        { "id": "reductions", "title": "Port the reductions", "sites": [1, 2, 3, 4, 5, 6, 7, 8], "depends_on": ["headers"] },
        { "id": "kernels", "title": "Port dot and sum together", "sites": [9, 10, 11, 12], "depends_on": ["reductions"] },
        { "id": "build", "title": "Per-architecture flags", "files": ["Makefile"], "sites": [13], "depends_on": ["kernels"] }
    ]})
}

#[test]
fn a_rejected_plan_goes_back_with_its_errors_and_the_fixed_one_is_taken() {
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::tool_call("submit_plan", plan_json(true)).usage(3000, 400),
            Turn::tool_call("submit_plan", plan_json(false)).usage(3500, 400),
        ],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config = molt_core::ModelConfig::new(molt_core::ProviderKind::Openai, "gpt-4o");
    config.base_url = Some(server.base_url());
    let client =
        molt_llm::Client::from_config(&config, &molt_llm::Env::empty().with("OPENAI_API_KEY", "sk-test")).unwrap();
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let candidate = rules_plan(&spec(), recipe, &files());
    assert_eq!(candidate.tasks.iter().map(|t| t.sites.len()).sum::<usize>(), 14);

    let refined = refine(rt.handle(), &client, &spec(), &files(), &candidate);
    assert!(refined.accepted, "{:?}", refined.rejections);
    assert_eq!(refined.rejections.len(), 1);
    assert!(refined.rejections[0].contains("no check \"bench\""), "{}", refined.rejections[0]);
    assert!(
        refined.rejections[0].contains("dependency cycle: headers -> build -> kernels -> reductions -> headers"),
        "{}",
        refined.rejections[0]
    );
    let ids: Vec<&str> = refined.plan.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["headers", "reductions", "kernels", "build"]);
    assert_eq!(refined.plan.tasks[2].sites.len(), 4);
    assert_eq!(refined.plan.tasks[2].files, ["src/kernels.c"]);
    assert!(refined.tokens > 0);

    // The model got a map, not whole files, and the rejection as a tool result.
    let requests = server.requests();
    let first = requests[0].body["messages"].to_string();
    assert!(first.contains("dot: float dot(const float *a, const float *b) -> hsum256"), "{first}");
    assert!(first.contains("13: Makefile:1 [x86-build-flag]"), "{first}");
    let second = requests[1].body["messages"].to_string();
    assert!(second.contains("The plan was rejected") && second.contains("dependency cycle"), "{second}");
}

#[test]
fn without_a_valid_answer_the_candidate_stands() {
    let server = ModelServer::start_blocking(
        Wire::OpenAi,
        vec![
            Turn::text("Here is my plan: do everything at once."),
            Turn::tool_call("submit_plan", json!({ "tasks": [] })),
            Turn::tool_call("submit_plan", json!({ "tasks": [{ "id": "x", "title": "t", "sites": [99] }] })),
        ],
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config: molt_core::ModelConfig = toml::from_str("provider = \"openai\"\nmodel = \"gpt-4o\"").unwrap();
    config.base_url = Some(server.base_url());
    let client =
        molt_llm::Client::from_config(&config, &molt_llm::Env::empty().with("OPENAI_API_KEY", "sk-test")).unwrap();
    let recipe = molt_recipes::load("x86-to-neon").unwrap();
    let candidate = rules_plan(&spec(), recipe, &files());
    let refined = refine(rt.handle(), &client, &spec(), &files(), &candidate);
    assert!(!refined.accepted);
    assert_eq!(refined.plan, candidate);
    assert_eq!(refined.rejections.len(), 3, "{:?}", refined.rejections);
    assert!(refined.rejections[2].contains("no candidate site 99"), "{:?}", refined.rejections);
}
