//! `molt init`: write a commented molt.toml.

use std::path::PathBuf;

use anyhow::Context;

use crate::exit::{Exit, UsageError};
use crate::output::Output;

/// Write a commented molt.toml to start a migration.
///
/// Every value in the file is a working default with a comment that says what
/// it does. Edit the goal and the checks, then run `molt plan` to see the work.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  molt init                         a generic spec with build and test checks
  molt init --recipe x86-to-neon    port x86 SIMD kernels to aarch64 NEON (Graviton)
  molt init --recipe ./my-recipe    a recipe folder or file of your own
  molt init --force                 overwrite an existing molt.toml")]
pub struct Args {
    /// A built-in recipe name or a path to a recipe file; picks sensible checks.
    #[arg(long, value_name = "NAME|PATH")]
    pub recipe: Option<String>,
    /// Overwrite an existing molt.toml.
    #[arg(long)]
    pub force: bool,
    /// The folder to write molt.toml into.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

pub fn run(args: Args, out: &Output) -> anyhow::Result<Exit> {
    if let Some(recipe) = &args.recipe {
        let known = molt_recipes::BUILTIN.iter().any(|(name, _)| name == recipe);
        let path_like = recipe.contains('/') || recipe.ends_with(".toml");
        if !known && !path_like {
            let names: Vec<&str> = molt_recipes::BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(UsageError(format!(
                "unknown recipe \"{recipe}\"; built-in recipes are {}, or give a path to a recipe file",
                names.join(", ")
            ))
            .into());
        }
    }
    if !args.dir.is_dir() {
        return Err(UsageError(format!("{} is not a folder", args.dir.display())).into());
    }
    let path = args.dir.join("molt.toml");
    if path.exists() && !args.force {
        return Err(UsageError(format!("{} already exists; pass --force to overwrite it", path.display())).into());
    }
    let text = molt_core::spec::template(args.recipe.as_deref());
    // The template must always load; a broken one would be our bug, not the user's.
    molt_core::Spec::parse("molt.toml", &text).context("the molt.toml template does not load")?;
    std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    out.result(
        &serde_json::json!({ "written": path.display().to_string(), "recipe": args.recipe }),
        &format!("wrote {}\nnext: edit its goal and checks, then run `molt plan` to see the work", path.display()),
    )?;
    Ok(Exit::Done)
}
