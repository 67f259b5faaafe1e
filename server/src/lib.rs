//! The shop's server: configuration, storage adapters, seeding, HTTP routes and start-up.
pub mod bench;
pub mod bench_orders;
pub mod bench_recs_read;
pub mod config;
pub mod health;
pub mod notify;
pub mod recs_job;
pub mod security;
pub mod seed;
pub mod simulator;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod uploads;
pub mod view_buffer;
pub mod webhooks;
