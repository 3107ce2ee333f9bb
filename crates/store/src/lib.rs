//! motcua store
