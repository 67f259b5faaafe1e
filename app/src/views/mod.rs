//! Page data: the serde types server functions return and pages render, one module per subject.
//! Types only (compiled for the server and the browser); the rules live in `domain`, the use
//! cases that fill them in `services`.
pub mod account;
pub mod admin;
pub mod cart;
pub mod checkout;
pub mod orders;
pub mod pricing;
pub mod recommendations;
pub mod shipments;
