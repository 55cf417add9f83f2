//! Syntax: the tree ([`ast`]) and the parser ([`parser`]).

pub mod ast;
pub mod parser;

pub use parser::{KINDS, MAX_DEPTH, parse};
