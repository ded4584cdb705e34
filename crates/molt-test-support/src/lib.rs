//! molt-test-support: helpers for molt's tests only: scripted model servers
//! that speak each provider's wire format (wiremock on loopback), a scripted
//! GitHub REST API for pull requests, temporary git repositories, and fixture
//! loading.
//!
//! It is a dev-dependency everywhere and must never be a normal dependency.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod crash;
pub mod github_server;
pub mod model_server;
pub mod repo;
