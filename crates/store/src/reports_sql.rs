//! Biểu 06 queries, written once and compiled for each engine (see lib.rs).
