//! Figures and narrative of the quarterly reform report (domain brief "The quarterly CCHC report").
