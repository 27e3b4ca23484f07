//! The event model: what one entry of the log says about the world.
//!
//! Owns: [`Event`], its [`Content`] and [`Kind`] with their fields, actor [`Code`]s, and
//! the rules every event obeys (non-empty lists, no duplicate codes, limits). These types
//! are also the *stored* form (bincode via serde), so they use no serde attributes and
//! field order is part of the storage format: change them only with a new format version.
//! The JSON interchange form lives in `interchange.rs`.
//!
//! Kinds are declared once, in the `declare_kinds!` invocation: each kind's stored
//! [`KindTag`], JSON name and fields ([`KINDS`]). The parser, the validator, the writer,
//! timeline posting codes and view masks read the declaration; the few exhaustive matches
//! that tie it to the [`KindOf`] variants ([`KindOf::tag`], [`Kind::fields`],
//! [`Kind::from_fields`], `KindV2::upcast` in `event_v2.rs`) fail to compile when a kind is
//! added, and the tests `every_kind_is_declared_once`, `the_schema_states_the_declared_kinds`
//! and `stored_variant_index_is_the_tag` catch the rest. See CONTRIBUTING.md.
//!
//! Invariants: a `Code` always matches `[A-Z][A-Z0-9_]{1,15}`; a `Content` built by the
//! parser has a `date` unless it is a retraction or correction; a correction's replacement
//! is never itself a retraction or correction.

use crate::model::date::Date;
use crate::model::limits::{MAX_DEATHS, MAX_QUANTITY, MAX_STRENGTH, MAX_TEST_COUNT};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// An actor code: a state (ISO 3166-1 alpha-3 recommended), a historical state (SUN, DDR),
/// an organisation or an alliance (NATO). Always uppercase `[A-Z][A-Z0-9_]{1,15}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Code(String);

impl Code {
    /// Validate and normalise (to uppercase) an actor code.
    pub fn parse(text: &str) -> Result<Code, String> {
        let upper = text.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let ok = (2..=16).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes[1..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        if ok {
            Ok(Code(upper))
        } else {
            Err(format!(
                "invalid actor code `{}`: codes are 2 to 16 characters, a letter then letters, digits or '_' (e.g. USA, PRK, NATO)",
                text.chars().take(40).collect::<String>()
            ))
        }
    }

    /// `text` as a code when it is one, else `fallback` (a code literal, checked by a test
    /// where it is used): for codes made by a rule that always yields a valid one.
    pub(crate) fn parse_or(text: &str, fallback: &'static str) -> Code {
        Code::parse(text).unwrap_or_else(|_| Code(fallback.to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a code decoded from storage still obeys the rules.
    pub fn is_valid(&self) -> bool {
        Code::parse(&self.0).is_ok_and(|c| c.0 == self.0)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Code {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::parse(s)
    }
}

/// Where a report came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
}

/// How sure the record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Confidence {
    Confirmed,
    Reported,
    Estimated,
    Claimed,
}

impl Confidence {
    pub const ALL: [(&'static str, Confidence); 4] = [
        ("confirmed", Confidence::Confirmed),
        ("reported", Confidence::Reported),
        ("estimated", Confidence::Estimated),
        ("claimed", Confidence::Claimed),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Reported => "reported",
            Confidence::Estimated => "estimated",
            Confidence::Claimed => "claimed",
        }
    }
}

/// What kind of alliance an `alliance_formed` creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AllianceType {
    DefensePact,
    NonAggression,
    Neutrality,
    Entente,
    Partnership,
}

impl AllianceType {
    pub const ALL: [(&'static str, AllianceType); 5] = [
        ("defense_pact", AllianceType::DefensePact),
        ("non_aggression", AllianceType::NonAggression),
        ("neutrality", AllianceType::Neutrality),
        ("entente", AllianceType::Entente),
        ("partnership", AllianceType::Partnership),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AllianceType::DefensePact => "defense_pact",
            AllianceType::NonAggression => "non_aggression",
            AllianceType::Neutrality => "neutrality",
            AllianceType::Entente => "entente",
            AllianceType::Partnership => "partnership",
        }
    }
}

/// How one kind field is written in the interchange and checked. The parser, the
/// validator, the writer and the JSON Schema test all read the field's rules from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// One actor code.
    Code,
    /// Distinct actor codes, at least `min` and at most `MAX_CODES`.
    Codes { min: usize },
    /// Text of 1..=`MAX_TEXT_CHARS` characters.
    Text,
    /// A snake_case word of at most `MAX_OFFICE_CHARS` characters (`president`).
    Office,
    /// An integer in `min..=max`; an optional one takes `default` when absent (an
    /// optional integer must have one: the stored field is a plain integer).
    Integer {
        min: u64,
        max: u64,
        default: Option<u64>,
    },
    /// One of [`AllianceType::ALL`]'s names.
    AllianceType,
    /// An event id.
    Uuid,
    /// 1..=`MAX_ASSETS` texts; absent means none.
    TextList,
    /// A whole replacement event (a correction's `event`).
    Replacement,
    /// An optional integer in `min..=max`, absent when not given.
    MaybeInteger { min: u64, max: u64 },
    /// An EDTF date, as an event's `date` is written.
    Date,
    /// One of the listed snake_case words.
    Choice(&'static [&'static str]),
    /// Distinct words of the list, in the list's order; absent means none.
    Choices(&'static [&'static str]),
    /// Years (1..=9999), ascending and distinct; absent means none.
    Years,
    /// A non-negative decimal with at most three decimals (stored in thousandths).
    Decimal,
}

/// One field of a kind, as the interchange names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    /// Whether a line must give it (an optional field may be omitted or `null`).
    pub required: bool,
}

const fn req(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
    }
}

/// The declaration of one kind: its stored tag, JSON name and fields in interchange order
/// (the order a line is written in, so part of the canonical text and content ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSpec {
    pub tag: KindTag,
    pub name: &'static str,
    /// Retractions and corrections amend other events; every other kind is a fact.
    pub amendment: bool,
    pub fields: &'static [FieldSpec],
}

impl KindSpec {
    /// The names of the kind's fields, in interchange order.
    pub fn field_names(&self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().map(|f| f.name)
    }
}

/// Declares [`KindTag`] and [`KINDS`] from one list, so that a tag cannot exist without
/// its declaration (a hand-kept `const` table next to a hand-kept enum could drift; a
/// macro makes them one declaration). Each line: `Variant = tag, "json_name", role,
/// [fields]` where `role` is `fact` or `amendment`.
macro_rules! declare_kinds {
    ($($variant:ident = $tag:literal, $name:literal, $role:ident, [$($field:expr),* $(,)?];)*) => {
        /// The stored tag of a kind: its bincode enum index in [`KindOf`] (checked by a
        /// test) and its timeline posting code. Append-only: a new kind takes the next
        /// number; a number never changes, it is in stored log records and postings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum KindTag {
            $($variant = $tag,)*
        }

        /// Every kind's declaration, indexed by its tag (checked at compile time).
        pub const KINDS: &[KindSpec] = &[
            $(KindSpec {
                tag: KindTag::$variant,
                name: $name,
                amendment: declare_kinds!(@amendment $role),
                fields: &[$($field),*],
            },)*
        ];

        impl KindTag {
            /// Every tag, in tag order.
            pub const ALL: [KindTag; KIND_COUNT] = [$(KindTag::$variant),*];
        }

        /// Every kind's JSON name, in tag order.
        pub const KIND_NAMES: [&str; KIND_COUNT] = [$($name),*];
    };
    (@amendment fact) => { false };
    (@amendment amendment) => { true };
}

use FieldType::{Code as CODE, Office as OFFICE, Text as TEXT, Uuid as UUID};
const CODES_1: FieldType = FieldType::Codes { min: 1 };
const CODES_2: FieldType = FieldType::Codes { min: 2 };

declare_kinds! {
    Meeting = 0, "meeting", fact, [req("actors", CODES_2), opt("place", TEXT)];
    Agreement = 1, "agreement", fact, [req("actors", CODES_2), req("name", TEXT)];
    Statement = 2, "statement", fact, [req("actors", CODES_1)];
    AllianceFormed = 3, "alliance_formed", fact, [
        req("alliance", CODE),
        req("type", FieldType::AllianceType),
        req("members", CODES_1),
        opt("name", TEXT),
        opt("signed", FieldType::Date),
        opt("obligations", FieldType::Choices(OBLIGATIONS)),
    ];
    AllianceJoined = 4, "alliance_joined", fact, [
        req("alliance", CODE),
        req("members", CODES_1),
        opt("obligations", FieldType::Choices(OBLIGATIONS)),
    ];
    AllianceLeft = 5, "alliance_left", fact, [req("alliance", CODE), req("members", CODES_1)];
    AllianceDissolved = 6, "alliance_dissolved", fact, [req("alliance", CODE)];
    LeaderTookOffice = 7, "leader_took_office", fact,
        [req("actor", CODE), req("office", OFFICE), req("person", TEXT), opt("entry", TEXT)];
    LeaderLeftOffice = 8, "leader_left_office", fact,
        [req("actor", CODE), req("office", OFFICE), opt("person", TEXT), opt("exit", TEXT)];
    Deployment = 9, "deployment", fact, [
        req("actor", CODE),
        req("host", CODE),
        opt("region", TEXT),
        req("strength", FieldType::Integer { min: 0, max: MAX_STRENGTH, default: None }),
    ];
    Withdrawal = 10, "withdrawal", fact, [req("actor", CODE), req("host", CODE), opt("region", TEXT)];
    ArmsTransfer = 11, "arms_transfer", fact, [
        req("supplier", CODE),
        req("recipient", CODE),
        req("item", TEXT),
        opt("quantity", FieldType::MaybeInteger { min: 0, max: MAX_QUANTITY }),
        opt("unit", TEXT),
        opt("description", TEXT),
        opt("delivered", FieldType::MaybeInteger { min: 0, max: MAX_QUANTITY }),
        opt("delivery_years", FieldType::Years),
        opt("status", FieldType::Choice(ARMS_STATUS)),
        opt("tiv_unit", FieldType::Decimal),
        opt("tiv_order", FieldType::Decimal),
        opt("tiv_delivered", FieldType::Decimal),
    ];
    MissileTest = 12, "missile_test", fact, [
        req("actor", CODE),
        req("class", TEXT),
        opt("count", FieldType::Integer { min: 1, max: MAX_TEST_COUNT, default: Some(1) }),
    ];
    NuclearTest = 13, "nuclear_test", fact, [req("actor", CODE)];
    JointExercise = 14, "joint_exercise", fact, [req("actors", CODES_2), opt("assets", FieldType::TextList)];
    SanctionsImposed = 15, "sanctions_imposed", fact, [req("actor", CODE), req("against", CODE)];
    SanctionsLifted = 16, "sanctions_lifted", fact, [req("actor", CODE), req("against", CODE)];
    Retraction = 17, "retraction", amendment, [req("target", UUID), req("reason", TEXT)];
    Correction = 18, "correction", amendment, [req("target", UUID), req("event", FieldType::Replacement)];
    ArmedConflict = 19, "armed_conflict", fact, [
        req("conflict", TEXT),
        opt("conflict_name", TEXT),
        req("violence", FieldType::Choice(VIOLENCE)),
        req("side_a", CODE),
        opt("side_a_name", TEXT),
        req("side_b", CODE),
        opt("side_b_name", TEXT),
        req("country", CODE),
        req("deaths_best", FieldType::Integer { min: 0, max: MAX_DEATHS, default: None }),
        opt("deaths_low", DEATHS),
        opt("deaths_high", DEATHS),
        opt("deaths_a", DEATHS),
        opt("deaths_b", DEATHS),
        opt("deaths_civilians", DEATHS),
        opt("deaths_unknown", DEATHS),
    ];
    StateEntered = 20, "state_entered", fact, [req("actor", CODE), opt("name", TEXT)];
    StateExited = 21, "state_exited", fact, [req("actor", CODE), opt("name", TEXT)];
}

/// The obligations a member of an alliance can take on (COW's four), strongest first.
pub const OBLIGATIONS: &[&str] = &["defense", "neutrality", "non_aggression", "entente"];

/// The types of organised violence (UCDP's `type_of_violence` 1, 2, 3).
pub const VIOLENCE: &[&str] = &["state_based", "non_state", "one_sided"];

/// Whether a transferred weapon was new or second hand (SIPRI's `status`).
pub const ARMS_STATUS: &[&str] = &["new", "second_hand", "second_hand_modernized"];

const DEATHS: FieldType = FieldType::MaybeInteger {
    min: 0,
    max: MAX_DEATHS,
};

/// How many kinds there are.
pub const KIND_COUNT: usize = KINDS.len();

/// Marks a timeline posting of a correction; the low bits are its replacement's tag.
pub(crate) const CORRECTION_BIT: u8 = 0x40;

// Tags are dense and in order (so `KINDS[tag]` is the tag's declaration) and stay below
// the correction bit of timeline postings.
const _: () = {
    let mut i = 0;
    while i < KINDS.len() {
        assert!(
            KINDS[i].tag as usize == i,
            "kind tags must be 0, 1, 2, ... in order"
        );
        i += 1;
    }
    assert!(
        KINDS.len() <= CORRECTION_BIT as usize,
        "too many kinds for a posting code"
    );
};

impl KindTag {
    /// The kind's declaration.
    pub fn spec(self) -> &'static KindSpec {
        &KINDS[self as usize]
    }

    /// The kind's JSON name (`meeting`, `alliance_formed`, ...).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The kind with this JSON name (exact, lowercase).
    pub fn from_name(name: &str) -> Option<KindTag> {
        KINDS.iter().find(|k| k.name == name).map(|k| k.tag)
    }

    /// The kind with this stored tag.
    pub fn from_u8(tag: u8) -> Option<KindTag> {
        KINDS.get(usize::from(tag)).map(|k| k.tag)
    }
}

impl fmt::Display for KindTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One field's value borrowed from a [`Kind`], in declaration order: what validation and
/// the interchange writer walk alongside the kind's [`FieldSpec`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldRef<'a> {
    Code(&'a Code),
    Codes(&'a [Code]),
    /// `Text` and `Office` fields; `None` when an optional one is absent.
    Text(Option<&'a str>),
    Integer(u64),
    AllianceType(AllianceType),
    Uuid(Uuid),
    TextList(&'a [String]),
    Replacement(&'a Content),
    MaybeInteger(Option<u64>),
    Date(Option<&'a Date>),
    /// `Choice` fields (`None` when an optional one is absent).
    Choice(Option<&'a str>),
    Choices(&'a [String]),
    Years(&'a [u16]),
    /// In thousandths.
    Decimal(Option<u64>),
}

/// One field's value as parsed, owned: what [`Kind::from_fields`] builds a kind from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    Code(Code),
    Codes(Vec<Code>),
    Text(Option<String>),
    Integer(u64),
    AllianceType(AllianceType),
    Uuid(Uuid),
    TextList(Vec<String>),
    Replacement(Box<Content>),
    MaybeInteger(Option<u64>),
    Date(Option<Date>),
    Choice(Option<String>),
    Choices(Vec<String>),
    Years(Vec<u16>),
    Decimal(Option<u64>),
}

/// Takes parsed values in declaration order, each as the type the variant needs.
struct Values(std::vec::IntoIter<FieldValue>);

impl Values {
    fn code(&mut self) -> Option<Code> {
        match self.0.next()? {
            FieldValue::Code(c) => Some(c),
            _ => None,
        }
    }
    fn codes(&mut self) -> Option<Vec<Code>> {
        match self.0.next()? {
            FieldValue::Codes(c) => Some(c),
            _ => None,
        }
    }
    fn opt_text(&mut self) -> Option<Option<String>> {
        match self.0.next()? {
            FieldValue::Text(t) => Some(t),
            _ => None,
        }
    }
    fn text(&mut self) -> Option<String> {
        self.opt_text()?
    }
    fn integer(&mut self) -> Option<u64> {
        match self.0.next()? {
            FieldValue::Integer(n) => Some(n),
            _ => None,
        }
    }
    fn alliance_type(&mut self) -> Option<AllianceType> {
        match self.0.next()? {
            FieldValue::AllianceType(t) => Some(t),
            _ => None,
        }
    }
    fn uuid(&mut self) -> Option<Uuid> {
        match self.0.next()? {
            FieldValue::Uuid(u) => Some(u),
            _ => None,
        }
    }
    fn text_list(&mut self) -> Option<Vec<String>> {
        match self.0.next()? {
            FieldValue::TextList(t) => Some(t),
            _ => None,
        }
    }
    fn replacement(&mut self) -> Option<Box<Content>> {
        match self.0.next()? {
            FieldValue::Replacement(c) => Some(c),
            _ => None,
        }
    }
    fn maybe_integer(&mut self) -> Option<Option<u64>> {
        match self.0.next()? {
            FieldValue::MaybeInteger(n) => Some(n),
            _ => None,
        }
    }
    fn date(&mut self) -> Option<Option<Date>> {
        match self.0.next()? {
            FieldValue::Date(d) => Some(d),
            _ => None,
        }
    }
    fn opt_choice(&mut self) -> Option<Option<String>> {
        match self.0.next()? {
            FieldValue::Choice(c) => Some(c),
            _ => None,
        }
    }
    fn choice(&mut self) -> Option<String> {
        self.opt_choice()?
    }
    fn choices(&mut self) -> Option<Vec<String>> {
        match self.0.next()? {
            FieldValue::Choices(c) => Some(c),
            _ => None,
        }
    }
    fn years(&mut self) -> Option<Vec<u16>> {
        match self.0.next()? {
            FieldValue::Years(y) => Some(y),
            _ => None,
        }
    }
    fn decimal(&mut self) -> Option<Option<u64>> {
        match self.0.next()? {
            FieldValue::Decimal(n) => Some(n),
            _ => None,
        }
    }
}

/// The kind of an event with the fields of that kind: [`KindOf`] with the current
/// [`Content`] as a correction's replacement.
pub type Kind = KindOf<Content>;

/// The kinds, generic over the type of a correction's replacement so that the frozen
/// version-1 stored form (`event_v1.rs`) shares this one definition.
///
/// Stored form: serde writes a variant's *position* as its bincode enum index, so the
/// variants are in [`KindTag`] order and a new one is appended last, with the next tag
/// (the test `stored_variant_index_is_the_tag` checks every variant). See CONTRIBUTING.md,
/// "Adding an event kind".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KindOf<C> {
    Meeting {
        actors: Vec<Code>,
        place: Option<String>,
    },
    Agreement {
        actors: Vec<Code>,
        name: String,
    },
    Statement {
        actors: Vec<Code>,
    },
    AllianceFormed {
        alliance: Code,
        alliance_type: AllianceType,
        members: Vec<Code>,
        /// The alliance's display name (v3).
        name: Option<String>,
        /// When the treaty was signed, where it precedes the formation date (v3).
        signed: Option<Date>,
        /// The obligations of the members this event adds (v3; [`OBLIGATIONS`] names,
        /// empty when not given: the alliance type's).
        obligations: Vec<String>,
    },
    AllianceJoined {
        alliance: Code,
        members: Vec<Code>,
        /// The obligations of the members this event adds (v3; empty: the alliance's).
        obligations: Vec<String>,
    },
    AllianceLeft {
        alliance: Code,
        members: Vec<Code>,
    },
    AllianceDissolved {
        alliance: Code,
    },
    LeaderTookOffice {
        actor: Code,
        office: String,
        person: String,
        /// How the leader came to office (v3), as the source says (Archigos: `Regular`).
        entry: Option<String>,
    },
    LeaderLeftOffice {
        actor: Code,
        office: String,
        person: Option<String>,
        /// How the leader left office (v3), as the source says (Archigos: `Natural Death`).
        exit: Option<String>,
    },
    Deployment {
        actor: Code,
        host: Code,
        region: Option<String>,
        strength: u64,
    },
    Withdrawal {
        actor: Code,
        host: Code,
        region: Option<String>,
    },
    ArmsTransfer {
        supplier: Code,
        recipient: Code,
        item: String,
        /// The number ordered; `None` when the source does not give it (v3; v2 required it).
        quantity: Option<u64>,
        unit: Option<String>,
        /// What kind of weapon (v3), e.g. SIPRI's `trainer/combat aircraft`.
        description: Option<String>,
        /// The number delivered (v3).
        delivered: Option<u64>,
        /// The years of delivery, ascending (v3; empty when none).
        delivery_years: Vec<u16>,
        /// `new`, `second_hand` or `second_hand_modernized` (v3).
        status: Option<String>,
        /// SIPRI trend-indicator values in thousandths of a million TIV (v3).
        tiv_unit: Option<u64>,
        tiv_order: Option<u64>,
        tiv_delivered: Option<u64>,
    },
    MissileTest {
        actor: Code,
        class: String,
        count: u64,
    },
    NuclearTest {
        actor: Code,
    },
    JointExercise {
        actors: Vec<Code>,
        /// Empty when none were given.
        assets: Vec<String>,
    },
    SanctionsImposed {
        actor: Code,
        against: Code,
    },
    SanctionsLifted {
        actor: Code,
        against: Code,
    },
    /// Withdraws an earlier event (or an earlier correction) from every answer known after it.
    Retraction {
        target: Uuid,
        reason: String,
    },
    /// Replaces an earlier event (or correction) with `replacement`.
    Correction {
        target: Uuid,
        replacement: Box<C>,
    },
    /// One event of organised violence (v3; UCDP GED's unit): two sides, a type of
    /// violence, deaths, where (the event's `location` and `country`).
    ArmedConflict {
        /// The conflict's identifier in its source (UCDP `conflict_new_id`).
        conflict: String,
        conflict_name: Option<String>,
        /// [`VIOLENCE`] name.
        violence: String,
        side_a: Code,
        side_a_name: Option<String>,
        side_b: Code,
        side_b_name: Option<String>,
        /// The state where it happened.
        country: Code,
        deaths_best: u64,
        deaths_low: Option<u64>,
        deaths_high: Option<u64>,
        deaths_a: Option<u64>,
        deaths_b: Option<u64>,
        deaths_civilians: Option<u64>,
        deaths_unknown: Option<u64>,
    },
    /// A state enters the state system (v3; COW state system membership).
    StateEntered {
        actor: Code,
        name: Option<String>,
    },
    /// A state leaves the state system (v3), dated its first day out, as every ending kind.
    StateExited {
        actor: Code,
        name: Option<String>,
    },
}

impl<C> KindOf<C> {
    /// The kind's stored tag. Exhaustive: a new variant does not compile without one.
    pub fn tag(&self) -> KindTag {
        use KindOf::*;
        match self {
            Meeting { .. } => KindTag::Meeting,
            Agreement { .. } => KindTag::Agreement,
            Statement { .. } => KindTag::Statement,
            AllianceFormed { .. } => KindTag::AllianceFormed,
            AllianceJoined { .. } => KindTag::AllianceJoined,
            AllianceLeft { .. } => KindTag::AllianceLeft,
            AllianceDissolved { .. } => KindTag::AllianceDissolved,
            LeaderTookOffice { .. } => KindTag::LeaderTookOffice,
            LeaderLeftOffice { .. } => KindTag::LeaderLeftOffice,
            Deployment { .. } => KindTag::Deployment,
            Withdrawal { .. } => KindTag::Withdrawal,
            ArmsTransfer { .. } => KindTag::ArmsTransfer,
            MissileTest { .. } => KindTag::MissileTest,
            NuclearTest { .. } => KindTag::NuclearTest,
            JointExercise { .. } => KindTag::JointExercise,
            SanctionsImposed { .. } => KindTag::SanctionsImposed,
            SanctionsLifted { .. } => KindTag::SanctionsLifted,
            Retraction { .. } => KindTag::Retraction,
            Correction { .. } => KindTag::Correction,
            ArmedConflict { .. } => KindTag::ArmedConflict,
            StateEntered { .. } => KindTag::StateEntered,
            StateExited { .. } => KindTag::StateExited,
        }
    }

    /// The JSON name of the kind (`meeting`, `alliance_formed`, ...).
    pub fn name(&self) -> &'static str {
        self.tag().name()
    }

    /// Retractions and corrections amend other events; every other kind is a fact.
    pub fn is_amendment(&self) -> bool {
        self.tag().spec().amendment
    }

    /// The id this event amends, for retractions and corrections.
    pub fn target(&self) -> Option<Uuid> {
        match self {
            KindOf::Retraction { target, .. } | KindOf::Correction { target, .. } => Some(*target),
            _ => None,
        }
    }
}

impl Kind {
    /// Every actor code the kind names, in field order, without duplicates. A
    /// correction names the codes of its replacement; a retraction names none.
    pub fn codes(&self) -> Vec<&Code> {
        fn push<'a>(c: &'a Code, out: &mut Vec<&'a Code>) {
            if !out.contains(&c) {
                out.push(c)
            }
        }
        let mut out: Vec<&Code> = Vec::new();
        for field in self.fields() {
            match field {
                FieldRef::Code(c) => push(c, &mut out),
                FieldRef::Codes(list) => list.iter().for_each(|c| push(c, &mut out)),
                FieldRef::Replacement(r) => {
                    r.kind.codes().into_iter().for_each(|c| push(c, &mut out))
                }
                _ => {}
            }
        }
        out
    }

    /// The kind's field values in declaration order (`self.tag().spec().fields`).
    /// Exhaustive: a new variant does not compile without its arm.
    pub fn fields(&self) -> Vec<FieldRef<'_>> {
        use FieldRef as F;
        fn text(s: &str) -> FieldRef<'_> {
            FieldRef::Text(Some(s))
        }
        fn opt(s: &Option<String>) -> FieldRef<'_> {
            FieldRef::Text(s.as_deref())
        }
        match self {
            Kind::Meeting { actors, place } => vec![F::Codes(actors), opt(place)],
            Kind::Agreement { actors, name } => vec![F::Codes(actors), text(name)],
            Kind::Statement { actors } => vec![F::Codes(actors)],
            Kind::AllianceFormed {
                alliance,
                alliance_type,
                members,
                name,
                signed,
                obligations,
            } => vec![
                F::Code(alliance),
                F::AllianceType(*alliance_type),
                F::Codes(members),
                opt(name),
                F::Date(signed.as_ref()),
                F::Choices(obligations),
            ],
            Kind::AllianceJoined {
                alliance,
                members,
                obligations,
            } => vec![
                F::Code(alliance),
                F::Codes(members),
                F::Choices(obligations),
            ],
            Kind::AllianceLeft { alliance, members } => vec![F::Code(alliance), F::Codes(members)],
            Kind::AllianceDissolved { alliance } => vec![F::Code(alliance)],
            Kind::LeaderTookOffice {
                actor,
                office,
                person,
                entry,
            } => vec![F::Code(actor), text(office), text(person), opt(entry)],
            Kind::LeaderLeftOffice {
                actor,
                office,
                person,
                exit,
            } => vec![F::Code(actor), text(office), opt(person), opt(exit)],
            Kind::Deployment {
                actor,
                host,
                region,
                strength,
            } => vec![
                F::Code(actor),
                F::Code(host),
                opt(region),
                F::Integer(*strength),
            ],
            Kind::Withdrawal {
                actor,
                host,
                region,
            } => vec![F::Code(actor), F::Code(host), opt(region)],
            Kind::ArmsTransfer {
                supplier,
                recipient,
                item,
                quantity,
                unit,
                description,
                delivered,
                delivery_years,
                status,
                tiv_unit,
                tiv_order,
                tiv_delivered,
            } => vec![
                F::Code(supplier),
                F::Code(recipient),
                text(item),
                F::MaybeInteger(*quantity),
                opt(unit),
                opt(description),
                F::MaybeInteger(*delivered),
                F::Years(delivery_years),
                F::Choice(status.as_deref()),
                F::Decimal(*tiv_unit),
                F::Decimal(*tiv_order),
                F::Decimal(*tiv_delivered),
            ],
            Kind::MissileTest {
                actor,
                class,
                count,
            } => vec![F::Code(actor), text(class), F::Integer(*count)],
            Kind::NuclearTest { actor } => vec![F::Code(actor)],
            Kind::JointExercise { actors, assets } => vec![F::Codes(actors), F::TextList(assets)],
            Kind::SanctionsImposed { actor, against }
            | Kind::SanctionsLifted { actor, against } => {
                vec![F::Code(actor), F::Code(against)]
            }
            Kind::Retraction { target, reason } => vec![F::Uuid(*target), text(reason)],
            Kind::Correction {
                target,
                replacement,
            } => vec![F::Uuid(*target), F::Replacement(replacement)],
            Kind::ArmedConflict {
                conflict,
                conflict_name,
                violence,
                side_a,
                side_a_name,
                side_b,
                side_b_name,
                country,
                deaths_best,
                deaths_low,
                deaths_high,
                deaths_a,
                deaths_b,
                deaths_civilians,
                deaths_unknown,
            } => vec![
                text(conflict),
                opt(conflict_name),
                F::Choice(Some(violence)),
                F::Code(side_a),
                opt(side_a_name),
                F::Code(side_b),
                opt(side_b_name),
                F::Code(country),
                F::Integer(*deaths_best),
                F::MaybeInteger(*deaths_low),
                F::MaybeInteger(*deaths_high),
                F::MaybeInteger(*deaths_a),
                F::MaybeInteger(*deaths_b),
                F::MaybeInteger(*deaths_civilians),
                F::MaybeInteger(*deaths_unknown),
            ],
            Kind::StateEntered { actor, name } | Kind::StateExited { actor, name } => {
                vec![F::Code(actor), opt(name)]
            }
        }
    }

    /// Build a kind from its field values in declaration order, as the parser produces
    /// them. `None` when the values do not fit the variant (a declaration that disagrees
    /// with its variant: a bug that the test `every_kind_is_declared_once` catches).
    /// Exhaustive over [`KindTag`]: a new tag does not compile without its arm.
    pub fn from_fields(tag: KindTag, values: Vec<FieldValue>) -> Option<Kind> {
        let mut v = Values(values.into_iter());
        let kind = match tag {
            KindTag::Meeting => Kind::Meeting {
                actors: v.codes()?,
                place: v.opt_text()?,
            },
            KindTag::Agreement => Kind::Agreement {
                actors: v.codes()?,
                name: v.text()?,
            },
            KindTag::Statement => Kind::Statement { actors: v.codes()? },
            KindTag::AllianceFormed => Kind::AllianceFormed {
                alliance: v.code()?,
                alliance_type: v.alliance_type()?,
                members: v.codes()?,
                name: v.opt_text()?,
                signed: v.date()?,
                obligations: v.choices()?,
            },
            KindTag::AllianceJoined => Kind::AllianceJoined {
                alliance: v.code()?,
                members: v.codes()?,
                obligations: v.choices()?,
            },
            KindTag::AllianceLeft => Kind::AllianceLeft {
                alliance: v.code()?,
                members: v.codes()?,
            },
            KindTag::AllianceDissolved => Kind::AllianceDissolved {
                alliance: v.code()?,
            },
            KindTag::LeaderTookOffice => Kind::LeaderTookOffice {
                actor: v.code()?,
                office: v.text()?,
                person: v.text()?,
                entry: v.opt_text()?,
            },
            KindTag::LeaderLeftOffice => Kind::LeaderLeftOffice {
                actor: v.code()?,
                office: v.text()?,
                person: v.opt_text()?,
                exit: v.opt_text()?,
            },
            KindTag::Deployment => Kind::Deployment {
                actor: v.code()?,
                host: v.code()?,
                region: v.opt_text()?,
                strength: v.integer()?,
            },
            KindTag::Withdrawal => Kind::Withdrawal {
                actor: v.code()?,
                host: v.code()?,
                region: v.opt_text()?,
            },
            KindTag::ArmsTransfer => Kind::ArmsTransfer {
                supplier: v.code()?,
                recipient: v.code()?,
                item: v.text()?,
                quantity: v.maybe_integer()?,
                unit: v.opt_text()?,
                description: v.opt_text()?,
                delivered: v.maybe_integer()?,
                delivery_years: v.years()?,
                status: v.opt_choice()?,
                tiv_unit: v.decimal()?,
                tiv_order: v.decimal()?,
                tiv_delivered: v.decimal()?,
            },
            KindTag::MissileTest => Kind::MissileTest {
                actor: v.code()?,
                class: v.text()?,
                count: v.integer()?,
            },
            KindTag::NuclearTest => Kind::NuclearTest { actor: v.code()? },
            KindTag::JointExercise => Kind::JointExercise {
                actors: v.codes()?,
                assets: v.text_list()?,
            },
            KindTag::SanctionsImposed => Kind::SanctionsImposed {
                actor: v.code()?,
                against: v.code()?,
            },
            KindTag::SanctionsLifted => Kind::SanctionsLifted {
                actor: v.code()?,
                against: v.code()?,
            },
            KindTag::Retraction => Kind::Retraction {
                target: v.uuid()?,
                reason: v.text()?,
            },
            KindTag::Correction => Kind::Correction {
                target: v.uuid()?,
                replacement: v.replacement()?,
            },
            KindTag::ArmedConflict => Kind::ArmedConflict {
                conflict: v.text()?,
                conflict_name: v.opt_text()?,
                violence: v.choice()?,
                side_a: v.code()?,
                side_a_name: v.opt_text()?,
                side_b: v.code()?,
                side_b_name: v.opt_text()?,
                country: v.code()?,
                deaths_best: v.integer()?,
                deaths_low: v.maybe_integer()?,
                deaths_high: v.maybe_integer()?,
                deaths_a: v.maybe_integer()?,
                deaths_b: v.maybe_integer()?,
                deaths_civilians: v.maybe_integer()?,
                deaths_unknown: v.maybe_integer()?,
            },
            KindTag::StateEntered => Kind::StateEntered {
                actor: v.code()?,
                name: v.opt_text()?,
            },
            KindTag::StateExited => Kind::StateExited {
                actor: v.code()?,
                name: v.opt_text()?,
            },
        };
        v.0.next().is_none().then_some(kind)
    }
}

/// Where an event happened (interchange v2): a place name, coordinates, or both.
/// Coordinates are integer microdegrees, so they compare and hash exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub name: Option<String>,
    /// Latitude in millionths of a degree, -90e6..=90e6.
    pub lat_micro: Option<i32>,
    /// Longitude in millionths of a degree, -180e6..=180e6.
    pub lon_micro: Option<i32>,
}

/// What an event says, without its identity: the part that content-addressed ids and
/// idempotency compare. (Stored form version 2; version 1 lacked the last three fields.)
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Content {
    /// Valid time. Present for every fact; optional (informational) on amendments.
    pub date: Option<Date>,
    pub kind: Kind,
    pub summary: Option<String>,
    /// Empty when none were given.
    pub sources: Vec<Source>,
    pub confidence: Option<Confidence>,
    /// Where it happened (v2).
    pub location: Option<Location>,
    /// PLOVER-style mode tag (v2), e.g. `ground_forces`.
    pub mode: Option<String>,
    /// PLOVER-style context tags (v2), e.g. `military`, `nuclear`; empty when none.
    pub context: Vec<String>,
}

impl Content {
    /// A fact with only a date and a kind.
    pub fn new(date: Date, kind: Kind) -> Content {
        Content {
            date: Some(date),
            kind,
            summary: None,
            sources: Vec::new(),
            confidence: None,
            location: None,
            mode: None,
            context: Vec::new(),
        }
    }

    /// The kind code of the content's timeline posting: its kind's tag; for a correction,
    /// [`CORRECTION_BIT`] plus its replacement's tag, so that views can skip entries of
    /// kinds they do not fold without reading the log.
    pub(crate) fn posting_code(&self) -> u8 {
        match &self.kind {
            Kind::Correction { replacement, .. } => CORRECTION_BIT | replacement.kind.tag() as u8,
            kind => kind.tag() as u8,
        }
    }

    /// Set the summary.
    pub fn with_summary(mut self, summary: impl Into<String>) -> Content {
        self.summary = Some(summary.into());
        self
    }
}

/// One event as given to the store: an optional id (the store derives a UUID v5 from the
/// content when it is `None`) and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub id: Option<Uuid>,
    pub content: Content,
}

impl From<Content> for NewEvent {
    fn from(content: Content) -> Self {
        NewEvent { id: None, content }
    }
}

/// An event as stored: identity, content, and what the store assigned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    /// Gap-free, strictly increasing append position, from 1.
    pub seq: u64,
    /// When the store recorded it: microseconds since the Unix epoch, UTC.
    pub recorded_micros: i64,
    pub content: Content,
}

impl Event {
    /// The recorded time as a chrono timestamp.
    pub fn recorded(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_micros(self.recorded_micros).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One parsed example of every kind, from `schema/examples/events.jsonl`.
    fn samples() -> Vec<Kind> {
        let text = include_str!("../../schema/examples/events.jsonl");
        let kinds: Vec<Kind> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                crate::model::interchange::parse_line(l)
                    .unwrap()
                    .event
                    .content
                    .kind
            })
            .collect();
        for tag in KindTag::ALL {
            assert!(
                kinds.iter().any(|k| k.tag() == tag),
                "schema/examples/events.jsonl has no `{tag}` line"
            );
        }
        kinds
    }

    /// The on-disk bincode enum index of `KindOf` is serde's variant *position*; it must
    /// equal the declared tag, or a variant inserted out of place would silently change
    /// what stored records mean.
    #[test]
    fn stored_variant_index_is_the_tag() {
        for kind in samples() {
            let bytes = crate::format::envelope::encode_payload(&kind);
            let (index, _): (u32, usize) =
                bincode::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
            assert_eq!(
                index,
                kind.tag() as u32,
                "`{}` is stored as variant {index}: KindOf's variants must be in tag order",
                kind.name()
            );
        }
    }

    /// An older annals cannot decode a record holding a tag it does not know, so a new kind
    /// needs a new log record version and storage format version (CONTRIBUTING.md,
    /// "Adding an event kind"). When this fails, bump them and append a row.
    #[test]
    fn a_new_kind_needs_new_format_versions() {
        // (storage format version, log record version, number of kinds), oldest first.
        const HISTORY: &[(u32, u8, usize)] = &[(1, 1, 19), (2, 2, 19), (3, 3, 22)];
        let now = (
            crate::store::STORAGE_FORMAT_VERSION,
            crate::log::LOG_RECORD_VERSION,
            KIND_COUNT,
        );
        assert_eq!(
            HISTORY.last(),
            Some(&now),
            "kinds changed without new versions"
        );
        for pair in HISTORY.windows(2) {
            let ((s0, l0, k0), (s1, l1, k1)) = (pair[0], pair[1]);
            assert!(s0 < s1 && l0 < l1 && k0 <= k1, "{pair:?}");
        }
    }

    #[test]
    fn tags_round_trip_and_posting_codes_mark_corrections() {
        for tag in KindTag::ALL {
            assert_eq!(KindTag::from_u8(tag as u8), Some(tag));
            assert_eq!(KindTag::from_name(tag.name()), Some(tag));
            assert_eq!(KIND_NAMES[tag as usize], tag.name());
        }
        assert_eq!(KindTag::from_u8(KIND_COUNT as u8), None);
        for kind in samples() {
            let code = Content::new(Date::parse("2024").unwrap(), kind.clone()).posting_code();
            match &kind {
                // The example corrects a meeting.
                Kind::Correction { .. } => assert_eq!(code, 0x40 | KindTag::Meeting as u8),
                k => assert_eq!((code, code & CORRECTION_BIT), (k.tag() as u8, 0)),
            }
        }
    }
}
