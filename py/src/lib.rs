//! The Python module `zhiyuan._zhiyuan`. Bindings only convert, map errors
//! and release the interpreter; behaviour lives in the `zhiyuan` crate.
//!
//! One file per concept: [`errors`] (exception tree, `run`), [`convert`]
//! (datetimes, serde forms, frozen result classes), [`arrow`] (the Arrow
//! PyCapsule boundary), then one file per capability.

pub mod arrow;
pub mod boards;
pub mod convert;
pub mod county;
pub mod errors;
pub mod hours_table;
pub mod ledger;
pub mod orders;
pub mod policy;
pub mod rewards;
pub mod selection;
pub mod units;

/// The compiled module behind the `zhiyuan` package.
#[pyo3::pymodule(name = "_zhiyuan", gil_used = false)]
mod zhiyuan_module {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::arrow::{ArrowColumn, ArrowTable};
    #[pymodule_export]
    use crate::boards::{
        Comment, Exhibition, Feed, LikeBoard, LikeEvent, LikePartial, LikeVerdict, Post,
        WeeklyBoard, like_batch, merge_partials, partial_boards, partial_exhibition,
        weekly_leaderboard,
    };
    #[pymodule_export]
    use crate::county::{County, county};
    #[pymodule_export]
    use crate::hours_table::{
        find_overlaps, hours_by_period, merge_hours_by_period, merge_unit_minutes, unit_minutes,
    };
    #[pymodule_export]
    use crate::ledger::{
        GroupTotal, HoursLedger, PeriodTotal, Receipt, RecordState, Revocation, ServiceRecord,
    };
    #[pymodule_export]
    use crate::orders::{
        Breach, Order, OrderBook, OrderEvent, OrderMetrics, Ranking, ServiceList,
        dispatch_candidates, distance_m,
    };
    #[pymodule_export]
    use crate::policy::{Period, Policy, periods, star_levels, to_utc};
    #[pymodule_export]
    use crate::rewards::{
        Certificate, CertificateKey, CertificateRegistry, CertificateStatus, CreditDecision, Facts,
        Honour, HonoursRegistry, PerkClaimReceipt, PerkDesk, PerkEligibility, PointsAccount,
        PointsEntry, PointsLedger, RedemptionReceipt, VolunteerProfile, credit_decision,
        credit_decisions, derive_facts, verify_certificate, verify_certificate_json,
    };
    #[pymodule_export]
    use crate::selection::{
        AnnualResult, Apportionment, DistrictSeats, MonthlyResult, VoteTally, annual_selection,
        apportion, count_votes, monthly_stars,
    };
    #[pymodule_export]
    use crate::units::{Team, Unit, UnitTree};

    /// The version of the zhiyuan core this module was built from.
    #[pyfunction]
    fn core_version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        // setattr, not add: `add` would also list it in `__all__`.
        m.setattr("__version__", env!("CARGO_PKG_VERSION"))?;
        let c = crate::errors::classes(m.py())?;
        m.add("ZhiyuanError", c.root.bind(m.py()))?;
        for (class, (name, _, _)) in [
            &c.policy,
            &c.validation,
            &c.conflict,
            &c.state,
            &c.not_found,
        ]
        .into_iter()
        .zip(crate::errors::SUBCLASSES)
        {
            m.add(name, class.bind(m.py()))?;
        }
        Ok(())
    }
}
