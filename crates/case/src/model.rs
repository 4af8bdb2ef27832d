//! The case vocabulary: the validated, typed form of a case file.
//!
//! These types are what every engine reads. They serialize (serde) to the same shape the TOML
//! format uses, so `case import` and `case new` write cases with them and `case schema` derives the
//! JSON Schema from them. Byte spans into the source file are kept beside the values (and skipped
//! when serializing) so the validator can point at the exact text of a problem.

use std::ops::Range;

use schemars::JsonSchema;
use serde::{Serialize, Serializer};

/// A byte range in the case file (empty for values made in code).
pub type Span = Range<usize>;

/// Where a value comes from. With `require_sources = true`, every number needs a `source` or a
/// `judgement` (its own or its record's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Provenance {
    /// The id of a declared `[[source]]`, optionally followed by `#` and a locator
    /// (`"fn24"`, `"yearbook-2020#table 3"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// An expert judgement, with a one-line reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judgement: Option<String>,
    /// Marks a value dated after the case's `as_of` as an assumption, with a one-line reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// Where `source` was written (empty when inherited or made in code).
    #[serde(skip)]
    #[schemars(skip)]
    pub source_span: Span,
}

impl Provenance {
    /// Whether there is nothing.
    pub fn is_empty(&self) -> bool {
        self.source.is_none() && self.judgement.is_none() && self.assumption.is_none()
    }
    /// Whether it says where the number comes from (a source or a judgement).
    pub fn is_sourced(&self) -> bool {
        self.source.is_some() || self.judgement.is_some()
    }
    /// Fill what is missing here from `outer` (a record's provenance covers its bare numbers).
    pub fn inherit(&mut self, outer: &Provenance) {
        if !self.is_sourced() {
            if self.source.is_none() {
                self.source.clone_from(&outer.source);
                self.source_span = outer.source_span.clone();
            }
            if self.judgement.is_none() {
                self.judgement.clone_from(&outer.judgement);
            }
        }
        if self.assumption.is_none() {
            self.assumption.clone_from(&outer.assumption);
        }
    }
    /// The declared source id referenced by `source` (the part before `#`).
    pub fn source_id(&self) -> Option<&str> {
        self.source
            .as_deref()
            .map(|s| s.split('#').next().unwrap_or(s).trim())
    }
    /// A short human-readable origin: the source, or "judgement: …".
    pub fn describe(&self) -> String {
        match (&self.source, &self.judgement) {
            (Some(s), _) => s.clone(),
            (None, Some(j)) => format!("judgement: {j}"),
            (None, None) => String::from("unsourced"),
        }
    }
}

/// A number with its provenance. In TOML it is a bare number (covered by its record's
/// `source`/`judgement`) or an inline table `{ value = 1.5, source = "fn5" }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Num {
    /// The value.
    pub value: f64,
    /// Where it comes from (after inheriting from the enclosing record).
    pub prov: Provenance,
    /// Whether the number was written with its own provenance (an inline table).
    pub own_prov: bool,
    /// Where it is in the file.
    pub span: Span,
}

impl Num {
    /// A number made in code, with a provenance.
    pub fn new(value: f64, prov: Provenance) -> Self {
        Self {
            value,
            own_prov: !prov.is_empty(),
            prov,
            span: 0..0,
        }
    }
    /// A bare number (it inherits its record's provenance).
    pub fn bare(value: f64) -> Self {
        Self {
            value,
            ..Self::default()
        }
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !self.own_prov {
            return s.serialize_f64(self.value);
        }
        #[derive(Serialize)]
        struct Full<'a> {
            value: f64,
            #[serde(flatten)]
            prov: &'a Provenance,
        }
        Full {
            value: self.value,
            prov: &self.prov,
        }
        .serialize(s)
    }
}

/// Written as the case format reads it: `{ year = 2020, value = 1.0 }`, with the value's own
/// provenance (if any) beside `value` in the same record, not nested under it.
impl Serialize for YearValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'a> {
            year: i32,
            value: f64,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            prov: Option<&'a Provenance>,
        }
        Flat {
            year: self.year,
            value: self.value.value,
            prov: self.value.own_prov.then_some(&self.value.prov),
        }
        .serialize(s)
    }
}

impl JsonSchema for Num {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Num".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let prov = generator.subschema_for::<Provenance>();
        schemars::json_schema!({
            "description": "A number, bare or with its own provenance.",
            "anyOf": [
                { "type": "number" },
                { "allOf": [ prov, {
                    "type": "object",
                    "required": ["value"],
                    "properties": { "value": { "type": "number" } }
                } ] }
            ]
        })
    }
}

/// A date that may be known only to the year or the month (`1994`, `"2018-12"`, `2018-12-13`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// Year.
    pub year: i32,
    /// Month 1–12, if known.
    pub month: Option<u8>,
    /// Day 1–31, if known.
    pub day: Option<u8>,
}

impl PartialDate {
    /// The earliest calendar day this date can mean, as (year, month, day).
    pub fn earliest(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }
    /// The latest day this date may stand for: (year, month, day), a missing month or day at its
    /// end (day 31 stands for the end of any month).
    pub fn latest(&self) -> (i32, u8, u8) {
        (self.year, self.month.unwrap_or(12), self.day.unwrap_or(31))
    }
    /// Whether this date may lie after `other`'s latest day: an event dated only "2009" may fall
    /// after an as-of date of 15 January 2009.
    pub fn may_be_after(&self, other: &PartialDate) -> bool {
        self.latest() > other.latest()
    }
    /// Whether this date certainly lies after `other`'s latest day.
    pub fn is_after(&self, other: &PartialDate) -> bool {
        let latest = (
            other.year,
            other.month.unwrap_or(12),
            other.day.unwrap_or(31),
        );
        self.earliest() > latest
    }
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut it = s.trim().split('-');
        let y = it.next()?;
        if y.len() != 4 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month = match it.next() {
            Some(m) if m.len() == 2 => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
            Some(_) => return None,
            None => None,
        };
        let day = match it.next() {
            Some(d) if d.len() == 2 => Some(d.parse::<u8>().ok().filter(|d| (1..=31).contains(d))?),
            Some(_) => return None,
            None => None,
        };
        if it.next().is_some() {
            return None;
        }
        let d = Self { year, month, day };
        if let (Some(m), Some(day)) = (month, day) {
            if day > days_in_month(year, m) {
                return None;
            }
        }
        Some(d)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for PartialDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PartialDate".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A date known to the year, month or day: 1994, \"2018-12\", 2018-12-13 (a TOML date or a string).",
            "anyOf": [
                { "type": "integer" },
                { "type": "string", "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$" }
            ]
        })
    }
}

/// The `[case]` table.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CaseMeta {
    /// A short identifier, e.g. `belarus-russia-2019`.
    pub id: String,
    /// A title.
    pub title: String,
    /// What the case is about.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The date of knowledge: nothing dated later may enter as an input unless marked as an assumption.
    pub as_of: PartialDate,
    /// The last year a simulation runs to.
    pub horizon: i32,
    /// When true, every number needs a `source` or a `judgement`.
    #[serde(default)]
    pub require_sources: bool,
    /// The stronger party (an actor id), whose ties the flows describe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patron: Option<String>,
    /// The weaker party (an actor id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the `as_of` value.
    pub as_of_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the `horizon` value.
    pub horizon_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the `patron` value.
    pub patron_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the `client` value.
    pub client_span: Span,
}

/// A `[[source]]`: a publication, data set or statement that values cite by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Source {
    /// The id values cite, e.g. `fn24`.
    pub id: String,
    /// The full citation.
    pub citation: String,
    /// Where to find it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Anything a reader should know (what it covers, its reliability).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
}

/// What kind of player an actor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    /// A state as a unitary actor.
    State,
    /// A head of state or government acting personally.
    Leader,
    /// A government body (ministry, cabinet, agency).
    Government,
    /// Armed forces or a military command.
    Military,
    /// Intelligence and security services.
    Security,
    /// A company.
    Firm,
    /// A bloc or international organisation (EU, NATO, EAEU).
    Bloc,
    /// Society, public opinion, parties, civil society.
    Society,
    /// Anything else (think tanks, media, imported actors of unknown kind).
    Other,
}

impl ActorKind {
    /// All kinds, with their TOML spelling.
    pub const ALL: [(&'static str, ActorKind); 9] = [
        ("state", ActorKind::State),
        ("leader", ActorKind::Leader),
        ("government", ActorKind::Government),
        ("military", ActorKind::Military),
        ("security", ActorKind::Security),
        ("firm", ActorKind::Firm),
        ("bloc", ActorKind::Bloc),
        ("society", ActorKind::Society),
        ("other", ActorKind::Other),
    ];
    /// The TOML spelling.
    pub fn as_str(&self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| k == self)
            .map_or("other", |(s, _)| s)
    }
}

/// The largest capability a case or an imported table may give an actor. Capabilities are
/// relative; the models multiply them by saliences and sum them over actors, and larger values
/// would overflow to infinity (then NaN) in those sums.
pub const MAX_CAPABILITY: f64 = 1e12;

/// An `[[actor]]`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Actor {
    /// Identifier used by positions, flows and events.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What kind of player.
    pub kind: ActorKind,
    /// Side or affiliation (a free label such as `russia`, `belarus`, `west`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// Capability (power, influence, resources) on any positive scale.
    pub capability: Num,
    /// Who it is and what it wants.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
}

/// A linear mapping of an issue's 0–100 scale to a unit.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct UnitMap {
    /// The unit's name, e.g. `USD per 1000 m³`.
    pub name: String,
    /// The unit value at 0 on the scale.
    pub at_0: f64,
    /// The unit value at 100 on the scale.
    pub at_100: f64,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the table.
    pub span: Span,
}

impl UnitMap {
    /// Scale position (0–100) to unit value.
    pub fn to_unit(&self, x: f64) -> f64 {
        self.at_0 + (self.at_100 - self.at_0) * x / 100.0
    }
    /// Unit value to scale position (0–100).
    pub fn to_scale(&self, u: f64) -> f64 {
        (u - self.at_0) / (self.at_100 - self.at_0) * 100.0
    }
}

/// One actor's stance on an issue.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Position {
    /// The actor.
    pub actor: String,
    /// Where it stands on the 0–100 scale.
    pub position: Num,
    /// How much it cares, 0–100.
    pub salience: Num,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the actor reference.
    pub span: Span,
}

/// An `[[issue]]`: one question on a 0–100 scale with each actor's position and salience.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Issue {
    /// Identifier.
    pub id: String,
    /// The question, e.g. "What gas price will Belarus pay in 2020?".
    pub question: String,
    /// What 0 on the scale means.
    pub low: String,
    /// What 100 on the scale means.
    pub high: String,
    /// Where things stand now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_quo: Option<Num>,
    /// Optional mapping of the scale to a unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitMap>,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    /// Each actor's position and salience.
    #[serde(default, rename = "position")]
    pub positions: Vec<Position>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
}

/// A value for one year.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
pub struct YearValue {
    /// The year.
    pub year: i32,
    /// The value (with its provenance).
    pub value: Num,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the year.
    pub span: Span,
}

/// Which economic tie a flow belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// Natural gas supply.
    Gas,
    /// Crude oil supply.
    Crude,
    /// Oil-product export duties.
    Products,
    /// Export duty on re-cleared crude paid to the client's budget.
    Reclearance,
    /// Loans and credit.
    Loan,
    /// Access to the patron's market.
    MarketAccess,
    /// Electricity supply (a price discount against a reference).
    Electricity,
    /// Food or other farm goods (a price discount against a reference).
    Food,
    /// Any other commodity priced below a reference (price-paid, reference-price, volume).
    Commodity,
    /// Grants and budget support.
    Grant,
    /// Military aid (financing, arms given or sold below cost).
    MilitaryAid,
    /// Rent the patron pays for bases on the client's soil.
    BasingRent,
    /// Anything else.
    Other,
}

impl Component {
    /// All components with their TOML spelling.
    pub const ALL: [(&'static str, Component); 13] = [
        ("gas", Component::Gas),
        ("crude", Component::Crude),
        ("products", Component::Products),
        ("reclearance", Component::Reclearance),
        ("loan", Component::Loan),
        ("market-access", Component::MarketAccess),
        ("electricity", Component::Electricity),
        ("food", Component::Food),
        ("commodity", Component::Commodity),
        ("grant", Component::Grant),
        ("military-aid", Component::MilitaryAid),
        ("basing-rent", Component::BasingRent),
        ("other", Component::Other),
    ];
    /// Components whose subsidy is a price discount: (reference − paid) × volume.
    pub const DISCOUNTS: [Component; 3] = [
        Component::Electricity,
        Component::Food,
        Component::Commodity,
    ];
    /// Components whose subsidy is a money amount the patron pays (`measure = "amount"`).
    pub const TRANSFERS: [Component; 4] = [
        Component::Grant,
        Component::MilitaryAid,
        Component::BasingRent,
        Component::MarketAccess,
    ];
    /// The TOML spelling.
    pub fn as_str(&self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| k == self)
            .map_or("other", |(s, _)| s)
    }
}

/// Known measures of flows and series (what a series of numbers is).
pub const MEASURES: &[(&str, &str)] = &[
    ("price-paid", "price the client pays (e.g. USD per 1000 m³)"),
    (
        "reference-price",
        "market or reference price to compare with",
    ),
    ("volume", "physical volume supplied (bcm, Mt)"),
    (
        "duty-free-volume",
        "crude volume supplied free of export duty (Mt)",
    ),
    (
        "reclearance-volume",
        "crude volume whose duty goes to the client's budget (Mt)",
    ),
    ("duty", "export duty rate (USD per tonne)"),
    ("duties-kept", "export duties kept by the client (USD)"),
    (
        "duties-transferred",
        "export duties transferred to the patron (USD)",
    ),
    ("amount", "a money amount (USD)"),
    ("principal", "loan principal disbursed (USD)"),
    ("interest-rate", "interest rate of concessional credit (%)"),
    ("market-rate", "market interest rate to compare with (%)"),
    ("share", "a share (%), e.g. of exports or imports"),
    ("gdp", "gross domestic product, current USD"),
    ("oil-price", "crude oil price (USD per barrel)"),
    ("gas-price", "gas price (USD per 1000 m³ or per MMBtu)"),
    ("exchange-rate", "exchange rate"),
    ("other", "anything else"),
];

/// A `[[flow]]`: one yearly series of an economic tie the patron controls.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Flow {
    /// Identifier.
    pub id: String,
    /// Which tie.
    pub component: Component,
    /// What the numbers are (see [`MEASURES`]).
    pub measure: String,
    /// Unit of the values.
    pub unit: String,
    /// The giving actor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The receiving actor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// What it is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A CSV file (`year,value[,unit],source[,confidence]`) the values were read from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<String>,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    /// The yearly values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<YearValue>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `from`.
    pub from_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `to`.
    pub to_span: Span,
}

/// A `[[series]]`: a yearly context series not controlled by the patron (GDP, world prices).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Series {
    /// Identifier.
    pub id: String,
    /// What the numbers are (see [`MEASURES`]).
    pub measure: String,
    /// Unit of the values.
    pub unit: String,
    /// The actor it describes (e.g. the client for GDP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// What it is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A CSV file the values were read from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<String>,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    /// The yearly values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<YearValue>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `of`.
    pub of_span: Span,
}

/// A `[[schedule]]`: a dated policy change with values by year (decided on `enacted`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Schedule {
    /// Identifier.
    pub id: String,
    /// What it is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// When it was decided (must not be after `as_of` unless an assumption).
    pub enacted: PartialDate,
    /// Unit of the values.
    pub unit: String,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    /// Values by year (may lie in the future: they are what the decision says).
    pub values: Vec<YearValue>,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the enacted date.
    pub enacted_span: Span,
}

/// An `[[event]]`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Event {
    /// Identifier.
    pub id: String,
    /// When.
    pub date: PartialDate,
    /// What happened, in a few words.
    pub title: String,
    /// More detail.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Actors involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// Free tags (e.g. `ultimatum`, `coercion`, `agreement`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Provenance (an event after `as_of` needs `assumption`).
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the date.
    pub date_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Spans of the actor references.
    pub actor_spans: Vec<Span>,
}

/// A probability distribution for an uncertain parameter.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Dist {
    /// A fixed value.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Beta-PERT on [min, max] with the given mode.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular on [min, max] with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Log-normal: the log is normal with `mu` and `sigma`.
    Lognormal {
        /// Mean of the log.
        mu: f64,
        /// Standard deviation of the log (> 0).
        sigma: f64,
    },
    /// Beta(alpha, beta) scaled to [min, max] (default [0, 1]).
    Beta {
        /// First shape (> 0).
        alpha: f64,
        /// Second shape (> 0).
        beta: f64,
        /// Lower bound of the scaled support.
        min: f64,
        /// Upper bound of the scaled support.
        max: f64,
    },
    /// A finite set of values with weights.
    Discrete {
        /// The values.
        values: Vec<f64>,
        /// Their weights (non-negative, normalised on use).
        weights: Vec<f64>,
    },
    /// A categorical choice among named options (a structural choice of the model, such as which
    /// bargaining model sets the terms). A sampled value is the chosen option's index as a number
    /// (0, 1, …); the engine maps the index back to the option's name.
    Choice {
        /// The option names, distinct and non-empty, in the order their indices count.
        options: Vec<String>,
        /// Their probabilities, one per option: non-negative, summing to 1 (the reader normalises
        /// the weights written in the file, or gives equal weights when there are none).
        #[serde(default)]
        weights: Vec<f64>,
    },
}

impl Dist {
    /// The TOML name of the distribution.
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Fixed { .. } => "fixed",
            Dist::Pert { .. } => "pert",
            Dist::Triangular { .. } => "triangular",
            Dist::Uniform { .. } => "uniform",
            Dist::Normal { .. } => "normal",
            Dist::Lognormal { .. } => "lognormal",
            Dist::Beta { .. } => "beta",
            Dist::Discrete { .. } => "discrete",
            Dist::Choice { .. } => "choice",
        }
    }
    /// The central value used by deterministic runs: the value, mode, mean or median; for a
    /// choice, the index of the most probable option (the first of equally probable ones).
    pub fn central(&self) -> f64 {
        match self {
            Dist::Fixed { value } => *value,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Normal { mean, .. } => *mean,
            Dist::Lognormal { mu, .. } => mu.exp(),
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * alpha / (alpha + beta),
            Dist::Discrete { values, weights } => {
                let w: f64 = weights.iter().sum();
                if w > 0.0 {
                    values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / w
                } else {
                    f64::NAN
                }
            }
            Dist::Choice { weights, .. } => match modal_index(weights) {
                Some(i) => i as f64,
                None => f64::NAN,
            },
        }
    }
    /// The smallest and largest values a draw can take (infinite for unbounded tails).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Fixed { value } => (*value, *value),
            Dist::Pert { min, max, .. }
            | Dist::Triangular { min, max, .. }
            | Dist::Uniform { min, max }
            | Dist::Beta { min, max, .. } => (*min, *max),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::Lognormal { .. } => (0.0, f64::INFINITY),
            Dist::Discrete { values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
            // A draw is an option index.
            Dist::Choice { options, .. } => (0.0, options.len().saturating_sub(1) as f64),
        }
    }
    /// A one-line description, e.g. `pert(0.1, 0.25, 0.5)`.
    pub fn describe(&self) -> String {
        match self {
            Dist::Fixed { value } => format!("{value}"),
            Dist::Pert { min, mode, max } => format!("pert({min}, {mode}, {max})"),
            Dist::Triangular { min, mode, max } => format!("triangular({min}, {mode}, {max})"),
            Dist::Uniform { min, max } => format!("uniform({min}, {max})"),
            Dist::Normal { mean, sd } => format!("normal(mean {mean}, sd {sd})"),
            Dist::Lognormal { mu, sigma } => format!("lognormal(mu {mu}, sigma {sigma})"),
            Dist::Beta {
                alpha,
                beta,
                min,
                max,
            } => format!("beta({alpha}, {beta}) on [{min}, {max}]"),
            Dist::Discrete { values, weights } => {
                format!("discrete({values:?}, weights {weights:?})")
            }
            Dist::Choice { options, weights } => {
                let parts: Vec<String> = options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| match weights.get(i) {
                        Some(w) => format!("{o} {}", short_weight(*w)),
                        None => o.clone(),
                    })
                    .collect();
                format!("choice({})", parts.join(", "))
            }
        }
    }
    /// A choice among `options` with the given relative `weights` (equal weights when `None`),
    /// normalised to sum to 1. Weights that already sum to 1 up to rounding are kept as they are,
    /// so that writing a case and reading it back gives the same bits. Weights that cannot be
    /// normalised (a wrong count, a negative or non-finite weight, a zero sum) are kept as given,
    /// for [`crate::dist_problem`] to report.
    pub fn choice(options: Vec<String>, weights: Option<Vec<f64>>) -> Dist {
        let n = options.len();
        let weights = match weights {
            None if n > 0 => vec![1.0 / n as f64; n],
            None => Vec::new(),
            Some(w) => {
                let total: f64 = w.iter().sum();
                let ok = w.len() == n && w.iter().all(|x| x.is_finite() && *x >= 0.0);
                let normalised = (total - 1.0).abs() <= 2.0 * n as f64 * f64::EPSILON;
                if ok && total > 0.0 && total.is_finite() && !normalised {
                    w.iter().map(|x| x / total).collect()
                } else {
                    w
                }
            }
        };
        Dist::Choice { options, weights }
    }
    /// The option names of a choice; `None` for a numeric distribution.
    pub fn options(&self) -> Option<&[String]> {
        match self {
            Dist::Choice { options, .. } => Some(options),
            _ => None,
        }
    }
    /// The index of the option called `name` in a choice (the value a draw takes when it picks
    /// that option); `None` for another name or a numeric distribution.
    pub fn option_index(&self, name: &str) -> Option<usize> {
        self.options()?.iter().position(|o| o == name)
    }
    /// The name of the option a sampled value (an index) stands for; `None` if the value is not
    /// an option's index or the distribution is numeric.
    pub fn option_name(&self, value: f64) -> Option<&str> {
        let options = self.options()?;
        if value >= 0.0 && value.fract() == 0.0 {
            options.get(value as usize).map(String::as_str)
        } else {
            None
        }
    }
    /// The most probable option of a choice (the one [`Dist::central`] indexes); `None` for a
    /// numeric distribution.
    pub fn central_option(&self) -> Option<&str> {
        match self {
            Dist::Choice { options, weights } => {
                modal_index(weights).and_then(|i| options.get(i).map(String::as_str))
            }
            _ => None,
        }
    }
}

/// A probability for display: at most four decimals (0.3333), unless that would hide a small
/// positive weight.
fn short_weight(w: f64) -> String {
    let r = (w * 1e4).round() / 1e4;
    if r == 0.0 && w != 0.0 {
        format!("{w}")
    } else {
        format!("{r}")
    }
}

/// The index of the largest weight (the first of equal ones); `None` if there is none or a
/// weight is NaN.
fn modal_index(weights: &[f64]) -> Option<usize> {
    if weights.iter().any(|w| w.is_nan()) {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, &w) in weights.iter().enumerate() {
        if best.is_none_or(|(_, b)| w > b) {
            best = Some((i, w));
        }
    }
    best.map(|(i, _)| i)
}

/// A `[[param]]`: a named model parameter, fixed or uncertain.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Param {
    /// Identifier.
    pub id: String,
    /// What it means.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Unit (e.g. `probability`, `% of GDP`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Its value or distribution.
    #[serde(flatten)]
    pub dist: Dist,
    /// Provenance.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Spans of the distribution's keys (`min`, `mode`, …), for pointing at the one at fault.
    /// The arrays of a choice (`options`, `weights`) are followed by one entry per element under
    /// the same key, for pointing at the element at fault.
    pub dist_spans: Vec<(&'static str, Span)>,
}

/// A `[[figure]]`: a published figure (an estimate by someone else) that models are compared with.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Figure {
    /// Identifier.
    pub id: String,
    /// What the figure measures.
    pub what: String,
    /// The period it covers: `"2017"`, `"2005-2015"`, `"2019-2024"`.
    pub period: String,
    /// Unit.
    pub unit: String,
    /// The value, if a single one was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Num>,
    /// Lower end, if a range was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Num>,
    /// Upper end, if a range was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Num>,
    /// The model quantity to set beside it, e.g. `"subsidy.gas"` or
    /// `"maneuver.loss oil_price=70 volume=24"` (see [`MODEL_QUANTITIES`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Provenance.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `model`.
    pub model_span: Span,
}

/// Model quantities a `[[figure]]` may name in `model`, with their meaning. Money is summed over
/// a multi-year period (averaged when the figure's unit says "per year"); shares are averaged.
pub const MODEL_QUANTITIES: &[(&str, &str)] = &[
    ("subsidy.total", "the subsidy ledger's total, USD bn"),
    (
        "subsidy.energy",
        "gas + crude + products + re-clearance, USD bn",
    ),
    ("subsidy.gas", "the gas component, USD bn"),
    ("subsidy.crude", "the crude component, USD bn"),
    ("subsidy.products", "the oil-products component, USD bn"),
    ("subsidy.reclearance", "the re-clearance component, USD bn"),
    ("subsidy.loans", "the loans component, USD bn"),
    ("subsidy.total_pct_gdp", "the ledger's total, % of GDP"),
    ("subsidy.energy_pct_gdp", "the energy components, % of GDP"),
    (
        "maneuver.loss",
        "the tax maneuver's loss to the client, USD bn",
    ),
    ("maneuver.budget", "its budget part, USD bn"),
    ("maneuver.refineries", "its refineries' part, USD bn"),
    (
        "maneuver.dearer",
        "how much dearer crude is in the period's last year, USD per tonne",
    ),
];

/// Options a maneuver quantity takes (`key=number`).
pub const MODEL_OPTIONS: &[&str] = &["oil_price", "volume", "reclearance"];

/// A `[[scenario]]`: a named outcome a simulated path is classified into.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Scenario {
    /// Identifier.
    pub id: String,
    /// Title.
    pub title: String,
    /// What it means.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The type of outcome it is an instance of (optional; the crisis game and library scores
    /// read it).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<ScenarioType>,
    /// Classification rule over the state variables at the horizon, e.g.
    /// `"econ_integration >= 60 && military_integration < 40"` (see [`crate::rule`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Provenance.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the rule's string value (quotes included).
    pub rule_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Byte offset in the file of the rule's first character, when the string is written without
    /// escapes on one line (so offsets in the rule map to offsets in the file).
    pub rule_offset: Option<usize>,
}

/// The type of outcome a scenario is an instance of: one vocabulary for every case, so the
/// crisis game's outcomes (its labels start with a type) can name a case's own scenarios and a
/// library of cases can be scored against base rates per type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioType {
    /// Nothing binding changes; the relationship goes on on the old terms.
    StatusQuo,
    /// The client accepts deeper integration on terms it negotiated.
    NegotiatedIntegration,
    /// The client gives in to coercion or pressure: integration on the patron's terms.
    CoercedIntegration,
    /// The client refuses and the patron escalates economic or political pressure.
    Confrontation,
    /// The client reduces its dependence with outside support, without a break.
    Rebalancing,
    /// The patron intervenes (a military operation or an installed regime).
    Intervention,
    /// The client's regime falls or is replaced from within.
    RegimeChange,
}

impl ScenarioType {
    /// All types with their TOML spelling.
    pub const ALL: [(&'static str, ScenarioType); 7] = [
        ("status_quo", ScenarioType::StatusQuo),
        (
            "negotiated_integration",
            ScenarioType::NegotiatedIntegration,
        ),
        ("coerced_integration", ScenarioType::CoercedIntegration),
        ("confrontation", ScenarioType::Confrontation),
        ("rebalancing", ScenarioType::Rebalancing),
        ("intervention", ScenarioType::Intervention),
        ("regime_change", ScenarioType::RegimeChange),
    ];

    /// The TOML spelling.
    pub fn as_str(self) -> &'static str {
        ScenarioType::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("", |(n, _)| n)
    }

    /// The type spelled `s`.
    pub fn parse(s: &str) -> Option<ScenarioType> {
        ScenarioType::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, t)| *t)
    }
}

/// What kind of value a state variable holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    /// A level anywhere in [min, max].
    #[default]
    Level,
    /// A 0/1 flag (min 0, max 1).
    Flag,
}

impl StateKind {
    /// All kinds with their TOML spelling.
    pub const ALL: [(&'static str, StateKind); 2] =
        [("level", StateKind::Level), ("flag", StateKind::Flag)];
    fn is_level(&self) -> bool {
        *self == StateKind::Level
    }
}

/// A `[[state]]`: a named variable of the simulated timeline, which scenario rules read.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StateVar {
    /// Identifier (letters, digits and `_`, starting with a letter or `_`, so rules can name it).
    pub id: String,
    /// What it measures.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Level or 0/1 flag.
    #[serde(default, skip_serializing_if = "StateKind::is_level")]
    pub kind: StateKind,
    /// Lower bound (0 for a flag).
    pub min: f64,
    /// Upper bound (1 for a flag).
    pub max: f64,
    /// The value at `as_of`, with its provenance.
    pub initial: Num,
    /// Provenance covering the record's bare numbers.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `min` (the id's when not written).
    pub min_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `max` (the id's when not written).
    pub max_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `kind` (the id's when not written).
    pub kind_span: Span,
}

/// A `[[correlation]]`: the rank correlation between two uncertain parameters.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Correlation {
    /// One parameter id.
    pub a: String,
    /// The other parameter id.
    pub b: String,
    /// Spearman rank correlation in (−1, 1), with its provenance.
    pub rho: Num,
    /// Provenance covering `rho` if bare.
    #[serde(flatten)]
    pub prov: Provenance,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `a`.
    pub a_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of `b`.
    pub b_span: Span,
}

/// The rank-correlation matrix of the parameters named in `[[correlation]]` records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CorrelationMatrix {
    /// The parameters involved, in `[[param]]` declaration order.
    pub params: Vec<String>,
    /// The matrix, row-major, `params.len()` squared entries, 1 on the diagonal.
    pub rho: Vec<f64>,
}

impl CorrelationMatrix {
    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }
    /// Whether no parameter is correlated.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
    /// Entry (i, j).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.rho[i * self.len() + j]
    }
    /// The index of a parameter.
    pub fn index(&self, id: &str) -> Option<usize> {
        self.params.iter().position(|p| p == id)
    }
    /// The lower-triangular Cholesky factor L (row-major, L·Lᵀ = matrix), or, if the matrix is
    /// not positive definite, the index of the first pivot that is not positive.
    pub fn cholesky(&self) -> Result<Vec<f64>, usize> {
        let n = self.len();
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            let mut d = self.get(j, j);
            for k in 0..j {
                d -= l[j * n + k] * l[j * n + k];
            }
            if d.is_nan() || d <= 1e-10 {
                return Err(j);
            }
            let djj = d.sqrt();
            l[j * n + j] = djj;
            for i in j + 1..n {
                let mut s = self.get(i, j);
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / djj;
            }
        }
        Ok(l)
    }
}

/// Whether `s` can name a state variable in a rule: ASCII letters, digits and `_`, not starting
/// with a digit, and not `true` or `false`.
pub fn is_rule_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        && s != "true"
        && s != "false"
}

/// What a link in the `[econ]` table points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A `[[flow]]`.
    Flow,
    /// A `[[series]]`.
    Series,
    /// A `[[flow]]` or a `[[series]]`.
    FlowOrSeries,
    /// A `[[schedule]]`.
    Schedule,
    /// A `[[param]]`.
    Param,
    /// An `[[issue]]`.
    Issue,
}

/// Whether a link key takes one record id or a list of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// `key = "id"`
    One,
    /// `key = ["id1", "id2"]`
    List,
}

/// One key of an engine's link table (`[econ]`, `[game]`, `[sim]`): the kind of record it names,
/// one id or a list, and a one-line meaning. The engines that read the keys declare them; the
/// case format only knows their shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkKey {
    /// The key a case writes.
    pub key: &'static str,
    /// The kind of record it names.
    pub kind: LinkKind,
    /// One id or a list.
    pub arity: Arity,
    /// What it feeds, in one line.
    pub meaning: &'static str,
}

impl LinkKey {
    /// A key taking one record id.
    pub const fn one(key: &'static str, kind: LinkKind, meaning: &'static str) -> Self {
        LinkKey {
            key,
            kind,
            arity: Arity::One,
            meaning,
        }
    }
    /// A key taking a list of record ids.
    pub const fn list(key: &'static str, kind: LinkKind, meaning: &'static str) -> Self {
        LinkKey {
            key,
            kind,
            arity: Arity::List,
            meaning,
        }
    }
}

/// The keys an engine reads from one link table of a case, declared by that engine (econ's
/// `[econ]`, the scenario engine's `[sim]` and `[game]`). Reading a case with a table's keys
/// checks each key, its shape and the kind of record it names; without them (plain
/// [`crate::load`]) a link table is read by shape alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkTable {
    /// The table's name: `econ`, `game` or `sim`.
    pub name: &'static str,
    /// Its keys. A key of one side ends in `_patron` or `_client`; an unknown key with the same
    /// stem and another ending (an earlier version's, or a case's own name for a side) gets
    /// the side's key as its hint.
    pub keys: &'static [LinkKey],
}

impl LinkTable {
    /// The key `key`, if the table has it.
    pub fn key(&self, key: &str) -> Option<&'static LinkKey> {
        self.keys.iter().find(|k| k.key == key)
    }
}

/// The tables that carry links to engine inputs.
pub const LINK_TABLE_NAMES: [&str; 3] = ["econ", "game", "sim"];

/// One entry of the `[econ]`, `[game]` or `[sim]` table. A list-valued key gives one `Link` per
/// listed id, in order, all with the same key.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Link {
    /// The engine input (a key of the table's [`LinkTable`]).
    pub key: String,
    /// The id of the record that feeds it.
    pub id: String,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the id.
    pub span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Span of the key.
    pub key_span: Span,
    #[serde(skip)]
    #[schemars(skip)]
    /// Whether the case wrote a list (`key = ["id", …]`) rather than one id.
    pub list: bool,
}

/// A whole case, as read from a file. [`crate::validate()`] checks it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Case {
    /// The `[case]` table.
    pub case: CaseMeta,
    /// Sources values cite.
    #[serde(default, rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The players.
    #[serde(default, rename = "actor")]
    pub actors: Vec<Actor>,
    /// The questions on the table.
    #[serde(default, rename = "issue", skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
    /// Economic ties the patron controls.
    #[serde(default, rename = "flow", skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// Context series (GDP, world prices).
    #[serde(default, rename = "series", skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<Series>,
    /// Dated policy changes.
    #[serde(default, rename = "schedule", skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<Schedule>,
    /// Dated events.
    #[serde(default, rename = "event", skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Named model parameters.
    #[serde(default, rename = "param", skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Param>,
    /// Published figures to compare with.
    #[serde(default, rename = "figure", skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<Figure>,
    /// Named outcomes.
    #[serde(default, rename = "scenario", skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    /// Which records feed the economics engine (`[econ]`: input name → record id).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "links_as_table"
    )]
    #[schemars(with = "std::collections::BTreeMap<String, LinkValue>")]
    pub econ: Vec<Link>,
    /// Which records feed the game templates (`[game]`: input name → record id).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "links_as_table"
    )]
    #[schemars(with = "std::collections::BTreeMap<String, LinkValue>")]
    pub game: Vec<Link>,
    /// The named state variables of the simulated timeline.
    #[serde(default, rename = "state", skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<StateVar>,
    /// Rank correlations between uncertain parameters.
    #[serde(default, rename = "correlation", skip_serializing_if = "Vec::is_empty")]
    pub correlations: Vec<Correlation>,
    /// What can be observed of a simulated path, and how (`crate::observable`).
    #[serde(default, rename = "observable", skip_serializing_if = "Vec::is_empty")]
    pub observables: Vec<crate::observable::Observable>,
    /// Which records feed the scenario engine (`[sim]`: input name → record id or list of ids).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "links_as_table"
    )]
    #[schemars(with = "std::collections::BTreeMap<String, LinkValue>")]
    pub sim: Vec<Link>,
}

/// The value of a link key in the schema: one id or a list of ids.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum LinkValue {
    /// One record id.
    One(String),
    /// Several record ids.
    List(Vec<String>),
}

fn links_as_table<S: Serializer>(links: &[Link], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut keys: Vec<&str> = Vec::new();
    for l in links {
        if !keys.contains(&l.key.as_str()) {
            keys.push(&l.key);
        }
    }
    let mut m = s.serialize_map(Some(keys.len()))?;
    for k in keys {
        let ids: Vec<&str> = links
            .iter()
            .filter(|l| l.key == k)
            .map(|l| l.id.as_str())
            .collect();
        let list = links.iter().any(|l| l.key == k && l.list);
        if list {
            m.serialize_entry(k, &ids)?;
        } else {
            m.serialize_entry(k, ids.first().copied().unwrap_or_default())?;
        }
    }
    m.end()
}

impl Case {
    /// The patron's display name: the name of the `[case] patron` actor, else "the patron".
    /// Every title and label the engines' front ends print about the patron comes from here.
    pub fn patron_name(&self) -> &str {
        self.case
            .patron
            .as_deref()
            .and_then(|id| self.actor(id))
            .map_or("the patron", |a| a.name.as_str())
    }
    /// The client's display name: the name of the `[case] client` actor, else "the client".
    pub fn client_name(&self) -> &str {
        self.case
            .client
            .as_deref()
            .and_then(|id| self.actor(id))
            .map_or("the client", |a| a.name.as_str())
    }
    /// The case's scenarios of a type, in the case's order.
    pub fn scenarios_of_type(&self, t: ScenarioType) -> impl Iterator<Item = &Scenario> {
        self.scenarios.iter().filter(move |s| s.kind == Some(t))
    }
    /// The actor with this id.
    pub fn actor(&self, id: &str) -> Option<&Actor> {
        self.actors.iter().find(|a| a.id == id)
    }
    /// The issue with this id.
    pub fn issue(&self, id: &str) -> Option<&Issue> {
        self.issues.iter().find(|i| i.id == id)
    }
    /// The parameter with this id.
    pub fn param(&self, id: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.id == id)
    }
    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
    /// The record id linked to a `[game]` input, if any.
    pub fn game_link(&self, key: &str) -> Option<&str> {
        self.game
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.id.as_str())
    }
    /// The record id linked to an `[econ]` input, if any.
    pub fn econ_link(&self, key: &str) -> Option<&str> {
        self.econ
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.id.as_str())
    }
    /// The record id linked to a single-valued `[sim]` input, if any.
    pub fn sim_link(&self, key: &str) -> Option<&str> {
        self.sim
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.id.as_str())
    }
    /// The record ids linked to a list-valued `[sim]` input, in order (empty if none).
    pub fn sim_links(&self, key: &str) -> Vec<&str> {
        self.sim
            .iter()
            .filter(|l| l.key == key)
            .map(|l| l.id.as_str())
            .collect()
    }
    /// The state variable with this id.
    pub fn state(&self, id: &str) -> Option<&StateVar> {
        self.states.iter().find(|s| s.id == id)
    }
    /// The index of a state variable in declaration order (the index rules evaluate with).
    pub fn state_index(&self, id: &str) -> Option<usize> {
        self.states.iter().position(|s| s.id == id)
    }
    /// The state box the scenario rules partition: each variable's [min, max], flags 0 or 1.
    pub fn state_box(&self) -> Vec<crate::rule::Dim> {
        self.states
            .iter()
            .map(|s| crate::rule::Dim {
                id: s.id.clone(),
                min: s.min,
                max: s.max,
                flag: s.kind == StateKind::Flag,
            })
            .collect()
    }
    /// The initial state vector, in declaration order.
    pub fn initial_state(&self) -> Vec<f64> {
        self.states.iter().map(|s| s.initial.value).collect()
    }
    /// The rules of the scenarios that have one, compiled against the declared state variables:
    /// `(scenario id, rule)` in declaration order. A validated case never fails here.
    pub fn compiled_rules(
        &self,
    ) -> Result<Vec<(String, crate::rule::CompiledRule)>, Box<crate::rule::ScenarioRuleError>> {
        let ids: Vec<&str> = self.states.iter().map(|s| s.id.as_str()).collect();
        let mut out = Vec::new();
        for s in &self.scenarios {
            if let Some(text) = &s.rule {
                let r = crate::rule::compile_str(text, &ids).map_err(|error| {
                    Box::new(crate::rule::ScenarioRuleError {
                        scenario: s.id.clone(),
                        rule: text.clone(),
                        error,
                    })
                })?;
                out.push((s.id.clone(), r));
            }
        }
        Ok(out)
    }
    /// The rank-correlation matrix of the parameters named in `[[correlation]]` records (in
    /// `[[param]]` order; pairs not given are 0). Empty when there are none.
    pub fn correlation_matrix(&self) -> CorrelationMatrix {
        let params: Vec<String> = self
            .params
            .iter()
            .filter(|p| self.correlations.iter().any(|c| c.a == p.id || c.b == p.id))
            .map(|p| p.id.clone())
            .collect();
        let n = params.len();
        let mut rho = vec![0.0; n * n];
        for i in 0..n {
            rho[i * n + i] = 1.0;
        }
        let mut m = CorrelationMatrix { params, rho };
        for c in &self.correlations {
            if let (Some(i), Some(j)) = (m.index(&c.a), m.index(&c.b)) {
                if i != j {
                    m.rho[i * n + j] = c.rho.value;
                    m.rho[j * n + i] = c.rho.value;
                }
            }
        }
        m
    }
    /// The flow with this id.
    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }
    /// The series with this id.
    pub fn series(&self, id: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.id == id)
    }
    /// The schedule with this id.
    pub fn schedule(&self, id: &str) -> Option<&Schedule> {
        self.schedules.iter().find(|s| s.id == id)
    }
    /// The first series with this measure (and, if given, describing this actor).
    pub fn series_by_measure(&self, measure: &str, of: Option<&str>) -> Option<&Series> {
        self.series
            .iter()
            .find(|s| s.measure == measure && (of.is_none() || s.of.as_deref() == of))
    }
}
