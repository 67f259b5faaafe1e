//! Page data: the serde types server functions return and pages render, one module per subject.
//! Types only (built by the services, shown by the pages); compiled for the server and the browser.
pub mod orders;
pub mod shipments;
