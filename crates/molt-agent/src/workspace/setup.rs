//! What a run is set up with besides `.molt/`: the recipe the spec names and
//! the model its `[model]` table (with the command line's overrides) makes.
//! `molt run`, `molt resume`, `molt plan`, `molt mcp` and fleets all reach
//! them here, through [`Workspace::recipe`] and [`Workspace::model`].

use std::path::Path;

use molt_core::Spec;
use molt_recipes::Recipe;

use super::Workspace;
use crate::{Error, Result};

/// `--provider` and `--model`, and a fleet's budget for one repository.
#[derive(Debug, Clone, Default)]
pub struct ModelOverride {
    pub provider: Option<molt_core::ProviderKind>,
    pub model: Option<String>,
    /// A spending cap over the spec's `max_usd`: the lower of the two holds.
    pub max_usd: Option<f64>,
}

/// A run's model: its settings, its client, and the runtime its calls run on.
pub struct Model {
    pub config: molt_core::ModelConfig,
    pub client: molt_llm::Client,
    pub rt: tokio::runtime::Handle,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Workspace {
    /// The recipe `spec` names: a built-in by name, a recipe file or folder
    /// relative to `spec_dir` (the folder of molt.toml, which is not the
    /// repository for a fleet-wide spec), or `git+URL@COMMIT[#SUBDIR]`,
    /// fetched once into the recipe cache (`~/.cache/molt/recipes`). A spec
    /// that names none gets a recipe that finds nothing (the planner agent
    /// plans from the goal). The recipe is fitted to this repository
    /// ([`Recipe::fit`]: the x86 recipe learns the project's own x86 macros).
    pub fn recipe(&self, spec: &Spec, spec_dir: &Path) -> Result<&'static dyn Recipe> {
        let recipe = recipe_of(spec, spec_dir)?;
        Ok(recipe.fit(&self.root).unwrap_or(recipe))
    }

    /// The model of a run: the spec's `[model]` with `model_override` over
    /// it, its client (keys and base URLs from `env`, traffic recorded to or
    /// replayed from `cassette`) and `runtime`'s handle; `None` without a
    /// model.
    pub fn model(
        &self,
        spec: &Spec,
        model_override: &ModelOverride,
        cassette: &molt_llm::CassetteMode,
        env: &molt_llm::Env,
        runtime: &tokio::runtime::Runtime,
    ) -> Result<Option<Model>> {
        let Some(config) = model_config(spec, model_override)? else { return Ok(None) };
        let mut options = molt_llm::ClientOptions::from_config(&config);
        options.cassette = cassette.clone();
        let client = molt_llm::Client::from_config_with(&config, env, options).map_err(Error::Model)?;
        Ok(Some(Model { config, client, rt: runtime.handle().clone() }))
    }
}

/// The recipe a spec names ([`Workspace::recipe`]).
fn recipe_of(spec: &Spec, base: &Path) -> Result<&'static dyn Recipe> {
    match &spec.migration.recipe {
        Some(name) if name.starts_with(molt_git::PINNED_PREFIX) => {
            let pin = molt_git::PinnedRef::parse(name).map_err(Error::RecipePin)?;
            let cache = molt_git::recipe_cache_dir().ok_or(Error::NoRecipeCache)?;
            let folder = molt_git::fetch_pinned(&pin, &cache).map_err(Error::RecipeFetch)?;
            Ok(molt_recipes::resolve(&folder.to_string_lossy(), base)?)
        }
        Some(name) => Ok(molt_recipes::resolve(name, base)?),
        None => Ok(&GoalOnly),
    }
}

/// The spec's `[model]` with the command line's overrides; `None` without a model.
pub fn model_config(spec: &Spec, o: &ModelOverride) -> Result<Option<molt_core::ModelConfig>> {
    match (&spec.model, &o.provider, &o.model) {
        (None, None, None) => Ok(None),
        (None, Some(provider), Some(model)) => {
            let mut m = molt_core::ModelConfig::new(*provider, model.clone());
            m.max_usd = o.max_usd;
            Ok(Some(m))
        }
        (None, _, _) => {
            Err(Error::Plan("--provider and --model go together when molt.toml has no [model] table".to_owned()))
        }
        (Some(m), p, name) => {
            let mut m = m.clone();
            if let Some(p) = p {
                m.provider = *p;
            }
            if let Some(name) = name {
                m.model = name.clone();
            }
            if let Some(cap) = o.max_usd {
                m.max_usd = Some(m.max_usd.map_or(cap, |own| own.min(cap)));
            }
            Ok(Some(m))
        }
    }
}

/// A runtime for model calls: small, shared by every worker thread.
pub fn model_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(Error::Runtime)
}

/// The "recipe" of a spec that names none: it finds nothing and rewrites
/// nothing, so the planner agent plans from the goal and coder agents do the
/// work.
struct GoalOnly;

impl Recipe for GoalOnly {
    fn name(&self) -> &str {
        "none"
    }

    fn find_sites(&self, _path: &str, _text: &str) -> Vec<molt_core::Site> {
        Vec::new()
    }

    fn rewrite(
        &self,
        _path: &str,
        text: &str,
        _targets: &[molt_core::Site],
    ) -> molt_recipes::Result<molt_recipes::Rewrite> {
        Ok(molt_recipes::Rewrite { text: text.to_owned(), ..molt_recipes::Rewrite::default() })
    }

    fn instruction(&self, _kind: &str) -> String {
        String::new()
    }
}
