//! The plan behind the exact figures of the source report (Báo cáo CCHC Quý III/2022 of the
//! Ministry of National Defence): "Trong Quý đã tiếp nhận 56.906 hồ sơ, đã giải quyết 56.388
//! hồ sơ, 100% hồ sơ được giải quyết đúng hạn"; e-government coverage "100% … cấp bộ, 67,5% …
//! cấp II và 24,3% đơn vị cấp III"; "Thư điện tử quân sự với 33.900 tài khoản".
//!
//! Over the official period 2022-Q3 (15/6/2022 – 14/9/2022, Thông tư 01/2018 and the domain
//! brief's cut-offs) a dossier counts as resolved when its result was issued or it was refused
//! after appraisal inside the period; withdrawn and stopped dossiers leave without a result
//! and are not counted as resolved. So
//!
//! `resolved = carried_in + received − pending_out − left_without_result`
//!
//! where `carried_in` are dossiers received before 15/6 and still open then (all resolved on
//! time in Q3), `pending_out` are dossiers received in Q3 still open at the end of 14/9
//! (resolved in Q4) and `left_without_result` are Q3 receipts withdrawn or stopped in Q3.

/// Counts the generator realises exactly for the official period 2022-Q3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Dossiers received in Q3 (columns 4 + 5 of Biểu 06).
    pub received: u64,
    /// Received before 15/6 and still open at its start; all resolved on time in Q3.
    pub carried_in: u64,
    /// Received in Q3 and still open at its end; resolved in Q4.
    pub pending_out: u64,
    /// Received in Q3 and withdrawn by the applicant in Q3.
    pub withdrawn: u64,
    /// Received in Q3 and stopped in Q3.
    pub stopped: u64,
    /// Received in Q3 and refused after appraisal in Q3 (counted as resolved, on time).
    pub refused: u64,
}

/// The full-size plan: 56.906 received and 56.388 resolved, as in the source report.
pub const FULL: Plan = Plan {
    received: 56_906,
    carried_in: 5_874,
    pending_out: 6_020,
    withdrawn: 279,
    stopped: 93,
    refused: 412,
};

/// Units by level (the ministry root is level 0) and how many are connected to the military
/// data network at the end of Q3: 30/30 = 100%, 135/200 = 67,5%, 197/811 = 24,29…% → 24,3%.
pub const LEVEL_I: usize = 30;
pub const LEVEL_II: usize = 200;
pub const LEVEL_III: usize = 811;
pub const CONNECTED_I: usize = 30;
pub const CONNECTED_II: usize = 135;
pub const CONNECTED_III: usize = 197;
/// E-mail accounts of the military mail system, summed over the units.
pub const EMAIL_ACCOUNTS: i64 = 33_900;

impl Plan {
    /// Resolved in the period: carried in plus received, less what is still open at the end
    /// and what left without a result.
    pub fn resolved(&self) -> u64 {
        (self.carried_in + self.received)
            .saturating_sub(self.pending_out + self.withdrawn + self.stopped)
    }

    /// Received in Q3 and resolved in Q3 (issued or refused).
    pub fn resolved_from_received(&self) -> u64 {
        self.received
            .saturating_sub(self.pending_out + self.withdrawn + self.stopped)
    }

    /// The plan at a fraction of the full size (tests, quick tries): every count scaled and
    /// rounded, so the identity above still holds by construction.
    pub fn scaled(scale: f64) -> Plan {
        if (scale - 1.0).abs() < f64::EPSILON {
            return FULL;
        }
        let s = |n: u64| ((n as f64) * scale).round().max(1.0) as u64;
        Plan {
            received: s(FULL.received),
            carried_in: s(FULL.carried_in),
            pending_out: s(FULL.pending_out),
            withdrawn: s(FULL.withdrawn),
            stopped: s(FULL.stopped),
            refused: s(FULL.refused),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::text::{vn_number, vn_percent};

    #[test]
    fn full_plan_gives_the_reported_figures() {
        assert_eq!(vn_number(FULL.received as i64), "56.906");
        assert_eq!(vn_number(FULL.resolved() as i64), "56.388");
        // Everything resolved comes from carried-in and received dossiers, all on time.
        assert_eq!(
            FULL.carried_in + FULL.resolved_from_received(),
            FULL.resolved()
        );
        assert!(FULL.refused < FULL.resolved_from_received());
    }

    #[test]
    fn coverage_rounds_unambiguously() {
        assert_eq!(
            vn_percent(CONNECTED_I as u64, LEVEL_I as u64, 1).as_deref(),
            Some("100%")
        );
        assert_eq!(
            vn_percent(CONNECTED_II as u64, LEVEL_II as u64, 1).as_deref(),
            Some("67,5%")
        );
        assert_eq!(
            vn_percent(CONNECTED_III as u64, LEVEL_III as u64, 1).as_deref(),
            Some("24,3%")
        );
        // 197/811 = 24,291…%: far from a rounding edge.
        let exact = CONNECTED_III as f64 * 100.0 / LEVEL_III as f64;
        assert!((exact - 24.25).abs() > 0.02 && (exact - 24.35).abs() > 0.02);
    }

    #[test]
    fn scaled_plans_keep_the_identity() {
        for scale in [0.01, 0.02, 0.1, 0.5] {
            let p = Plan::scaled(scale);
            assert_eq!(
                p.resolved(),
                p.carried_in + p.received - p.pending_out - p.withdrawn - p.stopped
            );
            assert!(p.resolved() > 0);
        }
        assert_eq!(Plan::scaled(1.0), FULL);
    }
}
