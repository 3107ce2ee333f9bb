//! Unit e-government facts queries, written once and compiled for each engine (see lib.rs).
