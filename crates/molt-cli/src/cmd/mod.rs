//! One module per subcommand: its clap `Args` and a `run` that wires library
//! calls to output.

pub mod init;
