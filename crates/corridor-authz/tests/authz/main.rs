//! corridor-authz's one integration-test binary: the authorization matrix, the policies'
//! validation against the schema, and the mapping from domain commands to actions.

mod fixture;
mod matrix;
mod validation;
