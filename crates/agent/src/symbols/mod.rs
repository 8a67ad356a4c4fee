//! From captured addresses to profile locations: the process's mappings
//! (`maps`), symbolization with a per-profile cache (`resolve`), the
//! displayed and full names of functions (`names`), which frames profiles
//! leave out (`hygiene`), and the profile writer (`writer`).

pub(crate) mod hygiene;
mod maps;
pub(crate) mod names;
pub(crate) mod resolve;
mod writer;

pub(crate) use resolve::Symbolizer;
pub(crate) use writer::{location_addresses, Pcs, StackWriter};
