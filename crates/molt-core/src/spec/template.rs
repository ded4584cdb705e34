//! The commented `molt.toml` that `molt init` writes.

/// The commented `molt.toml` that `molt init` writes. Every value in it is a
/// working default; `recipe` picks the checks a migration of that kind needs.
pub fn template(recipe: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(
        "# molt.toml: what to migrate, how, and which checks must pass before an edit is kept.\n\
         # Run `molt help run` for the whole workflow.\n\n\
         [migration]\n",
    );
    match recipe {
        Some("x86-to-neon") => out.push_str(
            "name = \"graviton-port\"\n\
             goal = \"Port the x86 SSE/AVX2/FMA kernels to aarch64 NEON for AWS Graviton; keep the x86 path working and fast.\"\n\
             recipe = \"x86-to-neon\"      # a built-in recipe, a path to a recipe file, or git+URL@COMMIT#DIR\n",
        ),
        Some(other) => out.push_str(&format!(
            "name = \"migration\"\n\
             goal = \"Describe in a sentence or two what this migration must achieve.\"\n\
             recipe = \"{other}\"\n"
        )),
        None => out.push_str(
            "name = \"migration\"\n\
             goal = \"Describe in a sentence or two what this migration must achieve.\"\n\
             # recipe = \"x86-to-neon\"    # optional; without one a model plans the work from the goal\n",
        ),
    }
    // A build file is the agents' to change only when the spec names it
    // exactly (see policy.rs): the x86-to-neon recipe rewrites the Makefile's
    // x86-only flags.
    out.push_str(if recipe == Some("x86-to-neon") {
        "include = [\"**\", \"Makefile\"]  # files agents may edit (globs: `*` stops at `/`, `**` crosses it;\n\
         #                             a build, test or CI file only when named exactly, like \"Makefile\")\n"
    } else {
        "include = [\"**\"]              # files agents may edit (globs: `*` stops at `/`, `**` crosses it;\n\
         #                             a build, test or CI file only when named exactly, like \"Makefile\")\n"
    });
    out.push_str(
        "\
         protected = [\"tests/**\", \"test/**\"]   # files no agent may edit\n\
         attempts = 3                  # tries per task, each from a clean worktree\n\n\
         # Without a [model] table only the deterministic rules agent runs.\n\
         # [model]\n\
         # provider = \"anthropic\"       # openai | anthropic | bedrock\n\
         # model = \"claude-sonnet-4-5\"\n\
         # max_usd = 20.0               # the run stops cleanly past this and can be resumed\n\n",
    );
    match recipe {
        Some("x86-to-neon") => out.push_str(
            "[[check]]\n\
             name = \"x86-test\"\n\
             run = \"make test\"\n\
             kind = \"test\"\n\n\
             [[check]]\n\
             name = \"arm64-test\"\n\
             run = \"make test CC=aarch64-linux-gnu-gcc RUN='qemu-aarch64 -L /usr/aarch64-linux-gnu'\"\n\
             kind = \"test\"\n\n\
             [[check]]\n\
             name = \"bench\"\n\
             run = \"make bench\"\n\
             kind = \"bench\"\n\
             runs = 5\n\
             max_regression = 0.05         # fail when the median is more than 5% slower\n",
        ),
        _ => out.push_str(
            "[[check]]\n\
             name = \"build\"\n\
             run = \"make\"\n\
             kind = \"build\"              # build | test | bench | diff\n\n\
             [[check]]\n\
             name = \"test\"\n\
             run = \"make test\"\n\
             kind = \"test\"\n\
             timeout_secs = 600\n",
        ),
    }
    out
}
