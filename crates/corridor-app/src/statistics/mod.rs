//! Public statistics (issue 16; docs/statistics.md): the true counts of a release computed from
//! the events below a log checkpoint ([`tally`]). Only a protected release is ever published;
//! the true counts never leave the program.

pub mod tally;
