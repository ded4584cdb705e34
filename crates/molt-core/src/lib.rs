//! molt-core: the plain data and pure logic every other molt crate shares.
//!
//! It holds the migration spec (`molt.toml`) and its validation, the site and
//! plan types with the task DAG logic (validation, topological order, ready
//! sets), the events a run appends to `.molt/events.jsonl`, and the usage and
//! budget arithmetic. It must not do I/O beyond parsing text it is handed, must
//! not be async, and must not depend on any other molt crate: everything else
//! depends on it, so keeping it small and pure keeps the whole build honest.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod budget;
pub mod event;
pub mod plan;
pub mod policy;
pub mod redact;
pub mod site;
pub mod spec;
mod text;
pub mod usage;

pub use event::{Event, EventKind};
pub use plan::{Plan, PlanError, Task, TaskId, TaskState};
pub use policy::{PathPolicy, Refusal, RefusalKind};
pub use site::Site;
pub use spec::{Check, CheckKind, CheckSandbox, Migration, ModelConfig, ProviderKind, Spec, SpecError};
