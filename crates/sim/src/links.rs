//! The keys of a case's `[sim]` and `[game]` tables, declared by the engine that reads them
//! (the other inputs of its mechanisms are in [`crate::inputs`]), and loading a case as every
//! front end does: the case format, every engine's link table, and the engines' own checks.

use leverage_case::{
    DataFiles, LinkKey, LinkKind, LinkTable, Loaded, Problems, Severity, SourceText,
};

/// The `[sim]` table: which records feed the scenario engine.
pub const SIM_LINKS: LinkTable = LinkTable {
    name: "sim",
    keys: SIM_KEYS,
};

/// The `[game]` table: which parameters feed the crisis game.
pub const GAME_LINKS: LinkTable = LinkTable {
    name: "game",
    keys: GAME_KEYS,
};

/// Every engine's link table: `[econ]` (the economics engine's), `[game]` and `[sim]`.
pub const LINK_TABLES: [LinkTable; 3] = [leverage_econ::links::LINKS, GAME_LINKS, SIM_LINKS];

/// Read and validate a case as every front end does: the case format, the engines' link
/// tables ([`LINK_TABLES`]) and the engines' own checks ([`crate::wiring::diagnostics`]).
pub fn load(name: &str, text: &str, data: &dyn DataFiles) -> Result<Loaded, Problems> {
    with_engine_checks(leverage_case::load_with(name, text, data, &LINK_TABLES))
}

/// [`load`] from bytes (a file that is not UTF-8 is a located error).
pub fn load_bytes(name: &str, bytes: &[u8], data: &dyn DataFiles) -> Result<Loaded, Problems> {
    with_engine_checks(leverage_case::load_bytes_with(
        name,
        bytes,
        data,
        &LINK_TABLES,
    ))
}

/// Serves the data files of a case archive (a stored run's copy of everything its case was read
/// from: `{"name", "text", "files": [{"request", "name", "text"}]}`) by the paths first requested.
struct ArchiveFiles(Vec<(String, String, String)>);

impl DataFiles for ArchiveFiles {
    fn read(&self, path: &str) -> std::result::Result<(String, String), String> {
        self.0
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, n, t)| (n.clone(), t.clone()))
            .ok_or_else(|| format!("the stored run keeps no file {path:?}"))
    }
}

/// The case of a case archive, read again exactly as it was, loaded as [`load`] does; `None`
/// when the archive is not one (a run saved by an older version keeps none).
pub fn load_archive(archive: &serde_json::Value) -> Option<Result<Loaded, Problems>> {
    let name = archive["name"].as_str()?;
    let text = archive["text"].as_str()?;
    let files = archive["files"]
        .as_array()?
        .iter()
        .filter_map(|f| {
            Some((
                f["request"].as_str()?.to_string(),
                f["name"].as_str()?.to_string(),
                f["text"].as_str()?.to_string(),
            ))
        })
        .collect();
    Some(load(name, text, &ArchiveFiles(files)))
}

/// The default case compiled into the binary, loaded as [`load`] does.
pub fn default_case() -> Result<Loaded, Problems> {
    with_engine_checks(leverage_case::default_case_with(&LINK_TABLES))
}

/// Adds the engines' checks of a loaded case: errors turn the load into problems, warnings join
/// the case's own.
fn with_engine_checks(r: Result<Loaded, Problems>) -> Result<Loaded, Problems> {
    let mut loaded = r?;
    let Some(source): Option<&SourceText> = loaded.sources.first() else {
        return Ok(loaded);
    };
    let extra = crate::wiring::diagnostics(&loaded.case, source);
    if extra.iter().any(|d| d.severity == Severity::Error) {
        let mut diagnostics = loaded.warnings;
        diagnostics.extend(extra);
        return Err(Problems {
            sources: loaded.sources,
            diagnostics,
        });
    }
    loaded.warnings.extend(extra);
    Ok(loaded)
}

/// The keys of the `[sim]` table: which records feed the scenario engine. To add an input, add a
/// line here (key, kind of record, one id or a list, one-line meaning) and document it in
/// docs/case-format.md.
const SIM_KEYS: &[LinkKey] = &[
    LinkKey::list(
        "integration_issues",
        LinkKind::Issue,
        "issues whose bargaining moves political and economic integration",
    ),
    LinkKey::list(
        "energy_issues",
        LinkKind::Issue,
        "issues on energy prices and supply (gas, oil, loans) bargained each year",
    ),
    LinkKey::list(
        "military_issues",
        LinkKind::Issue,
        "issues whose bargaining moves military integration",
    ),
    LinkKey::one(
        "qre_lambda",
        LinkKind::Param,
        "rationality of the quantal-response players in the crisis game (0 random, large rational)",
    ),
    LinkKey::one(
        "position_noise",
        LinkKind::Param,
        "standard deviation of yearly noise on actors' positions, scale points",
    ),
    LinkKey::one(
        "tension_threshold",
        LinkKind::Param,
        "bilateral tension at which the patron's ultimatum game is played",
    ),
    LinkKey::one(
        "tension_decay",
        LinkKind::Param,
        "share of bilateral tension that persists through a calm year",
    ),
    LinkKey::one(
        "tension_stall",
        LinkKind::Param,
        "tension added by a year of stalled integration talks",
    ),
    LinkKey::one(
        "tension_refusal",
        LinkKind::Param,
        "tension added when the client refuses an ultimatum",
    ),
    LinkKey::one(
        "tension_resistance",
        LinkKind::Param,
        "tension added by a year the client resists under pressure",
    ),
    LinkKey::one(
        "subsidy_cut_share",
        LinkKind::Param,
        "share of the energy subsidy the patron withdraws when coercing",
    ),
    LinkKey::one(
        "subsidy_relief_share",
        LinkKind::Param,
        "share of a withdrawn subsidy the patron restores after the client concedes",
    ),
    LinkKey::one(
        "west_shift_support",
        LinkKind::Param,
        "Western support (scale points) needed before the client turns West",
    ),
    LinkKey::one(
        "west_drift",
        LinkKind::Param,
        "yearly drift of the client's Western alignment while subsidies shrink, scale points",
    ),
    LinkKey::one(
        "west_policy_shock_p",
        LinkKind::Param,
        "yearly probability of a change in Western policy towards the client",
    ),
    LinkKey::one(
        "west_policy_shock_size",
        LinkKind::Param,
        "size of a Western policy change, scale points of support",
    ),
    LinkKey::one(
        "military_share_capitulation",
        LinkKind::Param,
        "share of military integration the client concedes when it capitulates",
    ),
    LinkKey::one(
        "losing_threshold",
        LinkKind::Param,
        "Western alignment above which the patron counts the client as being lost",
    ),
    LinkKey::one(
        "intervention_from_year",
        LinkKind::Param,
        "first year the patron may intervene",
    ),
    LinkKey::one(
        "p_intervention_if_losing",
        LinkKind::Param,
        "yearly probability the patron intervenes while it is losing the client",
    ),
    LinkKey::one(
        "oil_volatility",
        LinkKind::Param,
        "yearly volatility of the oil price (sd of the log change)",
    ),
    LinkKey::one(
        "gas_reference_path",
        LinkKind::Param,
        "reference gas price for years without data, USD per 1000 m³",
    ),
    LinkKey::one(
        "gas_price_paid_path",
        LinkKind::Param,
        "gas price the client pays for years without data, USD per 1000 m³",
    ),
    LinkKey::one(
        "resolve_patron",
        LinkKind::Param,
        "multiplier on the patron's resolve in the timeline's games",
    ),
    LinkKey::one(
        "resolve_peak_year",
        LinkKind::Param,
        "the year in which the patron's resolve reaches `resolve_patron` (rising linearly from 1 at as_of)",
    ),
    LinkKey::one(
        "market_access_rent",
        LinkKind::Param,
        "what privileged access to the patron's market is worth to the client",
    ),
    LinkKey::one(
        "loan_need",
        LinkKind::Param,
        "refinancing the patron lends while a deal holds (blocked otherwise)",
    ),
    LinkKey::one(
        "loan_rate",
        LinkKind::Param,
        "interest rate of the patron's loans",
    ),
    LinkKey::one(
        "market_rate",
        LinkKind::Param,
        "the client's market borrowing rate (discounts the loans' payments)",
    ),
    LinkKey::one(
        "loan_maturity",
        LinkKind::Param,
        "maturity of the patron's loans",
    ),
    LinkKey::one(
        "loan_grace",
        LinkKind::Param,
        "grace period of the patron's loans, years (none when not linked)",
    ),
    LinkKey::one(
        "gas_netback_duty_rate",
        LinkKind::Param,
        "the patron's gas export duty (netback reference only)",
    ),
    LinkKey::one(
        "gas_netback_transport",
        LinkKind::Param,
        "transport from the client's border to the reference market (netback only)",
    ),
    LinkKey::one(
        "discount_rate_client",
        LinkKind::Param,
        "the client's discount rate on future subsidies",
    ),
    LinkKey::one(
        "discount_rate_patron",
        LinkKind::Param,
        "the patron's discount rate on the subsidy it recaptures",
    ),
    LinkKey::one(
        "market_restriction_share",
        LinkKind::Param,
        "share of the market-access rent withdrawn when the client resists",
    ),
    LinkKey::one(
        "demand_raise",
        LinkKind::Param,
        "share of the remaining way to full integration the patron adds after an acceptance",
    ),
    LinkKey::one(
        "implementation_rate",
        LinkKind::Param,
        "share of the gap between signed and in-force terms implemented in a year of implementing",
    ),
    LinkKey::one(
        "stall_withholding",
        LinkKind::Param,
        "share of the deal's benefits the patron withholds while the client stalls implementation",
    ),
    LinkKey::one(
        "withdrawal_cost",
        LinkKind::Param,
        "the client's cost of withdrawing from a signed deal (credibility, retaliation beyond the cut)",
    ),
    LinkKey::one(
        "value_military_patron",
        LinkKind::Param,
        "value to the patron of full military integration (bases, command)",
    ),
    LinkKey::one(
        "sovereignty_cost_military",
        LinkKind::Param,
        "the client's cost of full military integration",
    ),
    LinkKey::one(
        "arms_offer_value",
        LinkKind::Param,
        "arms on preferential terms offered for bases (the capability gap)",
    ),
    LinkKey::one(
        "real_growth",
        LinkKind::Param,
        "the client's real GDP growth",
    ),
    LinkKey::one(
        "stability_recovery",
        LinkKind::Param,
        "share of the gap to the initial stability recovered in a year",
    ),
    LinkKey::one(
        "stability_per_subsidy_pp",
        LinkKind::Param,
        "stability lost a year per percentage point of GDP of subsidy lost against the base year",
    ),
    LinkKey::one(
        "stability_per_growth_pp",
        LinkKind::Param,
        "stability gained a year per percentage point of real growth",
    ),
    LinkKey::one(
        "election_shock",
        LinkKind::Param,
        "stability lost in a year with the client's election",
    ),
    LinkKey::one(
        "pressure_stability_hit",
        LinkKind::Param,
        "stability lost when the client resists military-political pressure (blockade, active measures)",
    ),
    LinkKey::one(
        "crisis_threshold",
        LinkKind::Param,
        "stability below which a regime crisis can break out",
    ),
    LinkKey::one(
        "p_crisis",
        LinkKind::Param,
        "yearly probability of a regime crisis below the threshold",
    ),
    LinkKey::one(
        "p_succession",
        LinkKind::Param,
        "yearly probability of a transfer of power in the client",
    ),
    LinkKey::one(
        "p_regime_change_in_crisis",
        LinkKind::Param,
        "probability the patron installs a loyal regime when a crisis breaks out",
    ),
    LinkKey::one(
        "succession_west_shift",
        LinkKind::Param,
        "move of Western alignment after a stable transfer of power",
    ),
    LinkKey::one(
        "china_drift",
        LinkKind::Param,
        "Chinese alignment gained a year at maximal tension (lost at none)",
    ),
    LinkKey::one(
        "china_shift_support",
        LinkKind::Param,
        "Chinese alignment gained when Chinese support arrives after a refusal",
    ),
    LinkKey::one(
        "boundary_band",
        LinkKind::Param,
        "half-width of the band each scenario boundary is drawn from (coding conventions are uncertain)",
    ),
    LinkKey::one(
        "actor_weighting",
        LinkKind::Param,
        "who counts in the bargaining: every coded actor, the two sides only, or each state once",
    ),
    LinkKey::one(
        "terms_model",
        LinkKind::Param,
        "the bargaining model whose forecast is the patron's demand",
    ),
    LinkKey::one(
        "gas_reference_method",
        LinkKind::Param,
        "the gas reference: the gross border price, or its netback to the client's border",
    ),
    LinkKey::one(
        "client_gdp",
        LinkKind::Param,
        "the client's GDP, USD bn (a case without [econ] links)",
    ),
    LinkKey::one(
        "diversification_rate",
        LinkKind::Param,
        "alignment gained a year with a partner certain to help (scaled by its support probability)",
    ),
];

/// The keys of the `[game]` table: which case parameter (central value) feeds which input of
/// the integration-ultimatum game, and which issue's forecast gives the terms on the table.
/// Every key is needed to solve the game (`resolve_patron` is 1 when not linked); a missing one
/// is an error naming it, never another case's number.
const GAME_KEYS: &[LinkKey] = &[
    LinkKey::one(
        "terms_issue",
        LinkKind::Issue,
        "the issue whose compromise forecast gives the integration terms demanded",
    ),
    LinkKey::one(
        "value_integration_patron",
        LinkKind::Param,
        "value to the patron of full integration, USD bn a year",
    ),
    LinkKey::one(
        "resolve_patron",
        LinkKind::Param,
        "multiplier on the patron's resolve (1 = its level at as_of, the value when not linked)",
    ),
    LinkKey::one(
        "sovereignty_cost_client",
        LinkKind::Param,
        "cost to the client of full political integration, USD bn a year",
    ),
    LinkKey::one(
        "subsidy_recapture",
        LinkKind::Param,
        "share of the subsidy the patron recovers by cutting it, 0-1",
    ),
    LinkKey::one(
        "coercion_cost_patron",
        LinkKind::Param,
        "cost to the patron of economic coercion, USD bn a year",
    ),
    LinkKey::one(
        "pressure_cost_patron",
        LinkKind::Param,
        "cost to the patron of military-political pressure, USD bn a year",
    ),
    LinkKey::one(
        "pressure_cost_client",
        LinkKind::Param,
        "harm to the client of resisting pressure, USD bn a year",
    ),
    LinkKey::one(
        "audience_cost_patron",
        LinkKind::Param,
        "the patron's audience cost of backing down, 0-1",
    ),
    LinkKey::one(
        "audience_cost_client",
        LinkKind::Param,
        "the client's audience cost of giving in, 0-1",
    ),
    LinkKey::one(
        "conflict_appetite_client",
        LinkKind::Param,
        "the client's appetite for open conflict, multiplier (> 0)",
    ),
    LinkKey::one(
        "open_conflict_cost_client",
        LinkKind::Param,
        "the client's domestic cost of open conflict, USD bn a year",
    ),
    LinkKey::one(
        "p_western_support",
        LinkKind::Param,
        "probability support from the patron's rival bloc (the West partner) arrives, 0-1",
    ),
    LinkKey::one(
        "p_china_support",
        LinkKind::Param,
        "probability support from the non-confrontational partner (the China partner) arrives, 0-1",
    ),
    LinkKey::one(
        "support_value_client",
        LinkKind::Param,
        "value to the client of outside support, USD bn a year",
    ),
    LinkKey::one(
        "drift_loss_patron",
        LinkKind::Param,
        "the patron's loss if the client drifts to its rivals, USD bn a year",
    ),
    LinkKey::one(
        "p_intervention_success",
        LinkKind::Param,
        "probability an intervention succeeds, 0-1",
    ),
    LinkKey::one(
        "intervention_cost_patron",
        LinkKind::Param,
        "cost to the patron of intervening, USD bn a year",
    ),
    LinkKey::one(
        "regime_loss_client",
        LinkKind::Param,
        "loss to the client's regime if an intervention succeeds, USD bn a year",
    ),
    LinkKey::one(
        "sovereignty_convexity",
        LinkKind::Param,
        "curvature of the client's sovereignty cost (1 linear, above 1 the last steps cost most)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A case archive reads back to the case it was made from; what is not an archive is None.
    #[test]
    fn an_archive_reads_back_to_its_case() {
        let text = leverage_case::default_case_text().expect("compiled in");
        let files: Vec<serde_json::Value> = leverage_case::embedded_files()
            .iter()
            // The case asks for its data files relative to `cases/`.
            .map(|(p, t)| serde_json::json!({"request": format!("../{p}"), "name": p, "text": t}))
            .collect();
        let archive = serde_json::json!({"name": "c.toml", "text": text, "files": files});
        let back = load_archive(&archive).expect("an archive");
        let direct = default_case().expect("loads");
        let case = back.unwrap_or_else(|p| panic!("{p}")).case;
        assert_eq!(case.case.id, direct.case.case.id);
        assert_eq!(case.params.len(), direct.case.params.len());
        assert!(load_archive(&serde_json::json!({"name": "c.toml"})).is_none());
        // A file the case asks for and the archive lacks is a located problem, not a panic.
        let bare = serde_json::json!({"name": "c.toml", "text": text, "files": []});
        assert!(load_archive(&bare).expect("an archive").is_err());
    }

    /// Every key of every engine's link table is documented in its section of
    /// docs/case-format.md, with a one-line meaning.
    #[test]
    fn link_keys_are_documented() {
        let doc = std::fs::read_to_string(format!(
            "{}/../../docs/case-format.md",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        for t in LINK_TABLES {
            let section = doc
                .split(&format!("## `[{}]`", t.name))
                .nth(1)
                .unwrap_or_else(|| panic!("no [{}] section", t.name));
            let section = section.split("\n## ").next().unwrap_or_default();
            for k in t.keys {
                assert!(
                    section.contains(&format!("`{}`", k.key)),
                    "[{}] {} undocumented",
                    t.name,
                    k.key
                );
                assert!(!k.meaning.contains('\n'));
            }
        }
    }

    /// No key is declared twice in a table.
    #[test]
    fn keys_are_unique() {
        for t in LINK_TABLES {
            for (i, a) in t.keys.iter().enumerate() {
                assert!(
                    t.keys[i + 1..].iter().all(|b| b.key != a.key),
                    "[{}] {} twice",
                    t.name,
                    a.key
                );
            }
        }
    }
}
