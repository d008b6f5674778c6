//! Staff authentication: passwords, tokens, and the extractor that turns a
//! bearer token into the caller, with the roles' permissions.

pub mod caller;
pub mod client;
pub mod keys;
pub mod password;
pub mod policy;
pub mod recent;
pub mod token;

pub use caller::Caller;
pub use policy::{Permission, Role};
