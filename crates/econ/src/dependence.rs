//! Dependence (leverage) indices: how much the patron's ties weigh on the client.
//!
//! After Hirschman (*National Power and the Structure of Foreign Trade*, 1945): a state gains
//! influence over a partner whose trade is concentrated on it, because the partner's cost of
//! losing that trade is high. After Keohane & Nye (*Power and Interdependence*, 1977):
//! *sensitivity* is how much and how fast changes in the patron's policy hit the client (shares of
//! energy, exports, imports and debt tied to the patron); *vulnerability* is what it costs the
//! client to adjust when it cannot keep the ties — here, the subsidy as a share of GDP, the
//! income it would lose by defying the patron ("cost of defiance").
//!
//! | index | definition | reading |
//! |---|---|---|
//! | energy import share | % of the client's energy imports from the patron | sensitivity |
//! | export share | the patron's % of the client's goods exports | sensitivity (Hirschman) |
//! | import share | the patron's % of the client's goods imports | sensitivity |
//! | debt share | the patron's % of the client's external public debt | vulnerability (refinancing) |
//! | cost of defiance | the subsidy ledger's total, % of GDP | vulnerability |
//!
//! Each index is reported only where its data exist; nothing is averaged into a composite.

use serde::{Deserialize, Serialize};

use crate::ledger::{Ledger, Yearly};

/// Yearly shares (in %) from the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependenceInputs {
    /// First year.
    pub start: i32,
    /// Share of energy imports from the patron, %.
    pub energy_import_share: Yearly,
    /// The patron's share of the client's exports, %.
    pub export_share: Yearly,
    /// The patron's share of the client's imports, %.
    pub import_share: Yearly,
    /// The patron's share of the client's external public debt, %.
    pub debt_share: Yearly,
}

/// The indices of one year (each `None` where its data are missing).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DependenceRow {
    /// The year.
    pub year: i32,
    /// Share of energy imports from the patron, %.
    pub energy_import_share: Option<f64>,
    /// The patron's share of the client's exports, %.
    pub export_share: Option<f64>,
    /// The patron's share of the client's imports, %.
    pub import_share: Option<f64>,
    /// The patron's share of the client's external public debt, %.
    pub debt_share: Option<f64>,
    /// The subsidy as % of GDP (the ledger's total).
    pub cost_of_defiance_pct_gdp: Option<f64>,
    /// Whether the ledger total behind the cost of defiance lacks components.
    pub cost_of_defiance_partial: bool,
}

/// The indices for every year of the ledger.
pub fn dependence(inp: &DependenceInputs, ledger: &Ledger) -> Vec<DependenceRow> {
    ledger
        .rows
        .iter()
        .map(|r| {
            let i = (r.year - inp.start) as usize;
            let g = |y: &Yearly| y.get(i).map(|x| x.0);
            DependenceRow {
                year: r.year,
                energy_import_share: g(&inp.energy_import_share),
                export_share: g(&inp.export_share),
                import_share: g(&inp.import_share),
                debt_share: g(&inp.debt_share),
                cost_of_defiance_pct_gdp: r.total_pct_gdp,
                cost_of_defiance_partial: !r.complete,
            }
        })
        .collect()
}
