//! One module per subcommand: its clap `Args` and a `run` that wires library
//! calls to output.

pub mod edit;
pub mod find;
pub mod fleet;
pub mod index;
pub mod init;
pub mod mcp;
pub mod plan;
pub mod pr;
pub mod recipe;
pub mod report;
pub mod run;
pub mod status;
pub mod verify;
