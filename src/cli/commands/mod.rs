//! One function per command, grouped by what the commands do. Each takes the global
//! [`Ctx`](super::common::Ctx) and its own arguments, calls the library, and prints.

pub mod admin;
pub mod codes;
pub mod datasets;
pub mod read;
pub mod views;
pub mod write;
