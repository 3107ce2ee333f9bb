//! motcua domain
