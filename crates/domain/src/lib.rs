//! motcua business rules that need no I/O: organisation units, people and roles, access
//! scope, the audit hash chain, text normalisation and the error vocabulary shared by every
//! layer. Nothing here touches a database, a clock or the network.

pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod dossier;
pub mod egov;
pub mod error;
pub mod import;
pub mod procedure;
pub mod quarterly;
pub mod report;
pub mod scope;
pub mod text;
pub mod unit;
pub mod user;

pub use error::{Error, ErrorKind, Result};
