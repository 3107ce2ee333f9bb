//! motcua server
