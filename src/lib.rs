//! ssoenv: AWS IAM Identity Center credentials that follow the shell's directory.
//!
//! The binary is a thin shell around this library so that integration tests,
//! fuzz targets and benchmarks reach the same code.

pub mod agent;
pub mod ahead;
pub mod aws;
pub mod aws_ini;
pub mod browser;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod container;
pub mod credentials;
pub mod endpoint;
pub mod engine;
pub mod error;
pub mod exec_helper;
pub mod federation;
pub mod fsutil;
pub mod log;
pub mod partition;
pub mod paths;
pub mod platform;
pub mod portal_list;
pub mod profiles_sync;
pub mod scrubbed_env;
pub mod shell;
pub mod signin;
pub mod sso_token;
pub mod state;
pub mod switch;
pub mod timefmt;
pub mod trust;
pub mod ui;
