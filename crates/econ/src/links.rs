//! The keys of a case's `[econ]` table, declared by the engine that reads them: which record of
//! the case feeds which input of the economics engine, and what kind of record it must be. The
//! case format knows only their shape; front ends load a case with this table
//! ([`leverage_case::load_with`]) so that an unknown key or a link to the wrong kind of record is
//! a located error.

use leverage_case::{LinkKey, LinkKind, LinkTable};

/// The `[econ]` table.
pub const LINKS: LinkTable = LinkTable {
    name: "econ",
    keys: KEYS,
};

/// The keys of the `[econ]` table: which record of the case feeds which input of the economics
/// engine, and what kind of record it must be.
const KEYS: &[LinkKey] = &[
    LinkKey::one("gdp", LinkKind::Series, "the client's GDP, current USD"),
    LinkKey::one(
        "oil_price",
        LinkKind::Series,
        "the crude price the export duty is computed on, USD per barrel",
    ),
    LinkKey::one(
        "duty_coefficient",
        LinkKind::Schedule,
        "the export duty's marginal coefficient K by year",
    ),
    LinkKey::one(
        "duty_multiplier",
        LinkKind::Schedule,
        "the tax maneuver's phase-out multiplier by year",
    ),
    LinkKey::one(
        "duty_threshold",
        LinkKind::Param,
        "the export duty's threshold price above which K applies, USD per tonne",
    ),
    LinkKey::one(
        "duty_base",
        LinkKind::Param,
        "the export duty at that threshold price, USD per tonne",
    ),
    LinkKey::one(
        "barrels_per_tonne",
        LinkKind::Param,
        "barrels of crude per tonne, to convert the oil price to USD per tonne",
    ),
    LinkKey::one(
        "gas_price_paid",
        LinkKind::Flow,
        "the gas price the client pays, USD per 1000 m³",
    ),
    LinkKey::one(
        "gas_reference",
        LinkKind::FlowOrSeries,
        "the reference gas price (USD per 1000 m³, or per MMBtu with mmbtu_per_tcm)",
    ),
    LinkKey::one(
        "gas_volume",
        LinkKind::Flow,
        "gas imported from the patron, bcm",
    ),
    LinkKey::one(
        "crude_duty_free",
        LinkKind::Flow,
        "crude supplied free of export duty, Mt",
    ),
    LinkKey::one(
        "crude_duty",
        LinkKind::Flow,
        "published annual average export duty, USD per tonne",
    ),
    LinkKey::one(
        "reclearance_volume",
        LinkKind::Flow,
        "crude whose export duty goes to the client's budget, Mt",
    ),
    LinkKey::one(
        "product_duties_kept",
        LinkKind::Flow,
        "oil-product export duties kept by the client, USD bn",
    ),
    LinkKey::one(
        "product_duties_transferred",
        LinkKind::Flow,
        "oil-product export duties transferred to the patron, USD bn",
    ),
    LinkKey::one(
        "loan_disbursed",
        LinkKind::Flow,
        "concessional loans disbursed by the patron, USD bn",
    ),
    LinkKey::one(
        "loan_rate",
        LinkKind::FlowOrSeries,
        "interest rate of the concessional loans, %",
    ),
    LinkKey::one(
        "market_rate",
        LinkKind::FlowOrSeries,
        "market rate the client would pay, %",
    ),
    LinkKey::one(
        "loan_maturity",
        LinkKind::Param,
        "maturity of the concessional loans, years",
    ),
    LinkKey::one(
        "loan_grace",
        LinkKind::Param,
        "grace period of the concessional loans, years: interest only, then the annuity (none when not linked)",
    ),
    LinkKey::one(
        "mmbtu_per_tcm",
        LinkKind::Param,
        "MMBtu per 1000 m³ of gas, for references quoted per MMBtu",
    ),
    LinkKey::one(
        "crude_plan",
        LinkKind::Schedule,
        "crude supply agreed for future years, Mt",
    ),
    LinkKey::one(
        "reclearance_plan",
        LinkKind::Schedule,
        "re-clearance volume agreed for future years, Mt",
    ),
    LinkKey::one(
        "product_exports",
        LinkKind::Param,
        "oil products exported by the client, Mt per year",
    ),
    LinkKey::one(
        "product_duty_ratio",
        LinkKind::Param,
        "average product export duty as a share of the crude duty",
    ),
    LinkKey::one(
        "oil_price_path",
        LinkKind::Param,
        "oil price assumed for years without data, USD per barrel",
    ),
    LinkKey::one(
        "gdp_growth",
        LinkKind::Param,
        "growth of GDP in current USD after the last observed year, % per year",
    ),
    LinkKey::one(
        "energy_import_share",
        LinkKind::Series,
        "share of the client's energy imports that come from the patron, %",
    ),
    LinkKey::one(
        "export_share",
        LinkKind::Series,
        "the patron's share of the client's exports, %",
    ),
    LinkKey::one(
        "import_share",
        LinkKind::Series,
        "the patron's share of the client's imports, %",
    ),
    LinkKey::one(
        "debt_share",
        LinkKind::Series,
        "the patron's share of the client's external public debt, %",
    ),
];
