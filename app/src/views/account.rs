//! The account page.
use crate::domain::account::Principal;
use crate::domain::address::Address;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub principal: Principal,
    pub addresses: Vec<Address>,
}
