//! The code crosswalk: one annals code per state, and how every published code system
//! (COW numbers and letters, Gleditsch–Ward numbers, ISO 3166-1 alpha-3, country names)
//! translates to it, with the years each code is valid.
//!
//! Owns: the built-in table (`table.rs`, the project's own, written from public facts),
//! translation from a named code system ([`translate`]), the rule for non-state parties
//! ([`nonstate`]) and search by code or name ([`search`], [`suggest`]).
//!
//! Invariants: a translation never goes by string equality across systems (COW `AUS` is
//! Austria, ISO `AUS` is Australia); every annals code in the table is a valid
//! [`Code`]; a non-state code never equals a state's code.
//!
//! May import: `crate::model` and external crates only.

use crate::model::event::Code;

/// A published code system a dataset writes its actors in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum System {
    /// annals' own codes (ISO alpha-3 where one exists).
    Annals,
    /// Correlates of War numeric state codes (`ccode`: 2, 200, 255, ...).
    CowNum,
    /// Correlates of War letter codes (`stateabb`: USA, UKG, GMY, ...).
    CowAbb,
    /// Gleditsch–Ward numeric codes (260 is Germany).
    Gw,
    /// ISO 3166-1 alpha-3.
    Iso3,
    /// Country names, with common variants ("Soviet Union", "Germany (FRG)").
    Name,
}

impl System {
    /// Every system with its name in mapping files.
    pub const ALL: [(&'static str, System); 6] = [
        ("annals", System::Annals),
        ("cow", System::CowNum),
        ("cow_abb", System::CowAbb),
        ("gw", System::Gw),
        ("iso3", System::Iso3),
        ("name", System::Name),
    ];

    /// The system with this mapping-file name.
    pub fn from_name(name: &str) -> Option<System> {
        System::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
    }
}

/// One state in the crosswalk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The annals code.
    pub code: &'static str,
    /// The display name.
    pub name: &'static str,
    pub cow_num: Option<u16>,
    pub cow_abb: Option<&'static str>,
    pub gw: Option<u16>,
    pub iso3: Option<&'static str>,
    /// First and last year the code is valid (`None`: still valid).
    pub from_year: i32,
    pub to_year: Option<i32>,
    /// Other names the state is written under.
    pub aliases: &'static [&'static str],
}

/// Why a code could not be translated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    #[error("unknown {system} code `{value}`{hint}")]
    Unknown {
        system: &'static str,
        value: String,
        /// " (did you mean SUN, Soviet Union?)" or empty.
        hint: String,
    },
}

mod table;

/// The whole built-in table.
pub fn entries() -> &'static [Entry] {
    table::ENTRIES
}

/// Translate `value`, written in `system`, to an annals code. `year` picks among entries
/// when a code or name was used by different states over time.
pub fn translate(system: System, value: &str, year: Option<i32>) -> Result<Code, CodeError> {
    let _ = (system, value, year);
    todo!("filled in by the crosswalk work")
}

/// The code of a non-state party (an armed group, an organisation) by the documented rule.
pub fn nonstate(name: &str) -> Code {
    let _ = name;
    todo!("filled in by the crosswalk work")
}

/// Entries whose code or name matches `query` (case-insensitive), for `annals codes`.
pub fn search(query: &str) -> Vec<&'static Entry> {
    let _ = query;
    todo!("filled in by the crosswalk work")
}

/// The nearest entries by name or code, for "unknown code" hints ("Soviet" → SUN).
pub fn suggest(query: &str) -> Vec<&'static Entry> {
    let _ = query;
    todo!("filled in by the crosswalk work")
}
