//! Public statistics (issue 16; docs/statistics.md): the true counts of a release computed from
//! the events below a log checkpoint ([`tally`]), and the releases themselves ([`release`]):
//! published by the operator (`publish_statistics`), read by anyone (`read_statistics`). Only a
//! protected release is ever published; the true counts never leave the program.

mod counts;
pub mod refusal;
pub mod release;
pub mod tally;
