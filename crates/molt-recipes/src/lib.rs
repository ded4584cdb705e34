//! molt-recipes: the built-in recipes (x86-to-NEON for Graviton, CUDA-to-Neuron
//! for Trainium), site finders and deterministic rewrites.
//!
//! A recipe finds the sites a migration must touch and rewrites what its rules
//! can map; what they cannot map it returns as data, with the reason, for the
//! agent to hand to a model or report as unmapped. It must not call models,
//! run checks, touch git or write files: it takes text and returns text.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod avx512;
pub mod buildfile;
pub mod cond;
pub mod ctree;
pub mod cuda_to_neuron;
pub mod file;
mod recipe;
pub mod x86_to_neon;

pub use recipe::{Recipe, Rewrite};

/// The built-in recipes, by name, with a one-line description.
pub const BUILTIN: &[(&str, &str)] = &[
    (x86_to_neon::NAME, "port x86 SSE/AVX2/FMA intrinsics to aarch64 NEON (Graviton), keeping the x86 path"),
    (cuda_to_neuron::NAME, "port PyTorch CUDA code to AWS Neuron (Trainium/Inferentia) through PyTorch/XLA"),
];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown recipe \"{0}\"; built-in recipes: {1}")]
    Unknown(String, String),
    #[error("recipe mapping table: {0}")]
    Table(String),
    #[error("{0}: the file could not be parsed")]
    Parse(String),
    #[error("{0}: two rewrites overlap")]
    Overlap(String),
    #[error("{0}: the rewrite would break the file's syntax; nothing was changed")]
    Broken(String),
    /// A recipe file's mistake, or its rules failing on a file: names the
    /// recipe file, the line and the rule.
    #[error("{file}:{line}: {rule}: {message}")]
    RecipeFile { file: String, line: usize, rule: String, message: String },
    #[error("{0}: {1}")]
    Io(String, String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// The recipe a spec names.
pub fn load(name: &str) -> Result<&'static dyn Recipe> {
    match name {
        x86_to_neon::NAME => Ok(x86_to_neon::X86ToNeon::shared()?),
        cuda_to_neuron::NAME => Ok(cuda_to_neuron::CudaToNeuron::shared()),
        other => Err(Error::Unknown(other.to_owned(), BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))),
    }
}

/// Where a built-in recipe's `molt recipe test` cases are in molt's source
/// tree (`data/NAME/tests/NNN-name/{before,after}`).
pub fn builtin_cases_dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(name).join("tests")
}

/// A recipe read from a folder (holding `recipe.toml`) or a TOML file; see
/// [`file`] for the format.
pub fn load_path(path: &std::path::Path) -> Result<Box<dyn Recipe>> {
    Ok(Box::new(file::load_path(path)?))
}

/// The recipe `molt.toml` names: a built-in by name, or else a recipe folder
/// or TOML file by path, relative to `base` (the spec's folder). A file
/// recipe is loaded once per process and lives as long as it (it is small),
/// so callers get the same `&'static` reference as for a built-in.
pub fn resolve(name_or_path: &str, base: &std::path::Path) -> Result<&'static dyn Recipe> {
    if BUILTIN.iter().any(|(n, _)| *n == name_or_path) {
        return load(name_or_path);
    }
    let path = base.join(name_or_path);
    let looks_like_path = name_or_path.contains('/') || name_or_path.ends_with(".toml") || path.exists();
    if !looks_like_path {
        return load(name_or_path);
    }
    file::load_shared(&path)
}
