//! corridor-authz's one integration-test binary: the authorization matrix, the domain's role table
//! against the policies, the policies' validation against the schema, and the mapping from domain
//! commands to actions.

mod fixture;
mod matrix;
mod roles;
mod validation;
