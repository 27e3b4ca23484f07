//! The code crosswalk: one annals code per state, and how every published code system
//! (COW numbers and letters, Gleditsch–Ward numbers, ISO 3166-1 alpha-3, country names)
//! translates to it, with the years each code is valid.
//!
//! Owns: the built-in table (`table.rs`, the project's own, written from public facts; its
//! doc lists the codes invented for historical states), translation from a named code
//! system ([`translate`]), the rule for non-state parties ([`nonstate`]) and search by code
//! or name ([`search`], [`suggest`]). `text.rs` holds name normalisation and the hash.
//!
//! Invariants: a translation never goes by string equality across systems (COW `AUS` is
//! Austria, ISO `AUS` is Australia); every annals code in the table is a valid
//! [`Code`]; a non-state code never equals a state's code; rows of different codes that
//! share a number or name never overlap in years, so a year picks at most one.
//!
//! # Translation
//!
//! [`translate`] looks `value` up in one system only: COW and GW numbers as integers, COW
//! letters and ISO alpha-3 case-insensitively (ISO also accepts the renamed countries'
//! withdrawn codes: `ZAR`, `BUR`, `ROM`, `TMP`, ...), names and aliases after
//! normalisation (case, diacritics, punctuation and `&`/"and" ignored). When the rows found
//! all carry one code, that code is the answer whatever the year. When they carry several
//! (COW 365 is `RUS` to 1922, `SUN` 1923–1991, `RUS` again; "Yemen" is `XYN` before 1990),
//! `year` picks the row whose years cover it, else the nearest row in time; without a year,
//! or at an exact tie, the answer is [`CodeError::Ambiguous`], never a guess.
//! [`System::Annals`] accepts any valid [`Code`], not only the table's: alliances and
//! organisations (NATO) and non-state codes are annals codes too.
//!
//! # Non-state parties
//!
//! [`nonstate`] gives an armed group or organisation a code by this rule, stable across runs
//! and platforms: strip SIPRI's trailing `*`/`**` marks; remove diacritics; keep ASCII
//! letters and digits, uppercase, with every other run of characters as one `_`; prefix
//! `X_`. If that is longer than 16 characters, keep the first 9 characters of the body
//! (minus a trailing `_`) and append `_` and the first 4 hex digits (uppercase) of the
//! SHA-256 of the whole body. A name with no letters or digits gets `X_` and the hash of the
//! name. `UNITA (Angola)*` → `X_UNITA_ANGOLA`, `NATO**` → `X_NATO`, `IS` → `X_IS`,
//! `Syrian insurgents` → `X_SYRIAN_IN_` + hash. State codes never contain `_`, so the two
//! never meet.
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

    /// The system's mapping-file name.
    pub fn name(self) -> &'static str {
        System::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("annals", |(n, _)| *n)
    }

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
    #[error("ambiguous {system} code `{value}`: it means {candidates}; give a year")]
    Ambiguous {
        system: &'static str,
        value: String,
        /// "XYN (Yemen Arab Republic, 1926–1989) or YEM (Yemen, 1990–)".
        candidates: String,
    },
}

mod table;
mod text;

/// The whole built-in table.
pub fn entries() -> &'static [Entry] {
    table::ENTRIES
}

/// The rows of an annals code (several when other systems' codes change under it).
pub fn rows_of(code: &str) -> Vec<&'static Entry> {
    let code = code.trim().to_ascii_uppercase();
    entries().iter().filter(|e| e.code == code).collect()
}

/// Whether `code` is a state (or territory) code of the table.
pub fn is_state(code: &str) -> bool {
    !rows_of(code).is_empty()
}

impl Entry {
    /// Whether the row is valid in `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.from_year <= year && self.to_year.is_none_or(|to| year <= to)
    }

    /// Years apart from the row's span (0 inside it).
    fn distance(&self, year: i32) -> i32 {
        if year < self.from_year {
            self.from_year - year
        } else {
            self.to_year.map_or(0, |to| (year - to).max(0))
        }
    }

    /// "1990–" or "1926–1989".
    pub fn years(&self) -> String {
        match self.to_year {
            Some(to) => format!("{}–{to}", self.from_year),
            None => format!("{}–", self.from_year),
        }
    }

    /// The display name and every alias.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.aliases.iter().copied())
    }
}

/// Translate `value`, written in `system`, to an annals code. `year` picks among entries
/// when a code or name was used by different states over time (see the module doc).
pub fn translate(system: System, value: &str, year: Option<i32>) -> Result<Code, CodeError> {
    find(system, value, year)?.ok_or_else(|| CodeError::Unknown {
        system: system.name(),
        value: value.to_string(),
        hint: hint(value),
    })
}

/// [`translate`] without the hint of a miss (the costly part): `Ok(None)` when `value` is
/// not a code of `system`. For callers with a fallback, such as [`nonstate`].
pub fn find(system: System, value: &str, year: Option<i32>) -> Result<Option<Code>, CodeError> {
    if system == System::Annals {
        return Ok(Code::parse(value.trim()).ok());
    }
    if system == System::Iso3 {
        if let Some(code) = former_iso3(value) {
            return Ok(Code::parse(code).ok());
        }
    }
    let rows = lookup(system, value);
    if rows.is_empty() {
        return Ok(None);
    }
    let row = pick(&rows, year).map_err(|candidates| CodeError::Ambiguous {
        system: system.name(),
        value: value.to_string(),
        candidates: describe(&candidates),
    })?;
    Ok(Code::parse(row.code).ok())
}

/// The annals code of a withdrawn ISO alpha-3 code of a renamed country.
fn former_iso3(value: &str) -> Option<&'static str> {
    let value = value.trim().to_ascii_uppercase();
    table::FORMER_ISO3
        .iter()
        .find(|(old, _)| *old == value)
        .map(|(_, code)| *code)
}

/// The rows `value` names in `system` (only that system's column is compared).
fn lookup(system: System, value: &str) -> Vec<&'static Entry> {
    let text = value.trim();
    let number = text.parse::<u16>().ok();
    let upper = text.to_ascii_uppercase();
    let keep = |e: &&Entry| match system {
        System::Annals => e.code == upper,
        System::CowNum => number.is_some() && e.cow_num == number,
        System::Gw => number.is_some() && e.gw == number,
        System::CowAbb => e.cow_abb == Some(upper.as_str()),
        System::Iso3 => e.iso3 == Some(upper.as_str()),
        System::Name => false,
    };
    if system == System::Name {
        return by_name(text);
    }
    entries().iter().filter(keep).collect()
}

/// The rows with this name or alias, after normalisation (an index built once).
fn by_name(name: &str) -> Vec<&'static Entry> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (i, e) in entries().iter().enumerate() {
            for n in e.names() {
                let slot = index.entry(text::normalise(n)).or_default();
                if !slot.contains(&i) {
                    slot.push(i);
                }
            }
        }
        index
    });
    index
        .get(&text::normalise(name))
        .map(|rows| rows.iter().filter_map(|i| entries().get(*i)).collect())
        .unwrap_or_default()
}

/// The row `year` picks, or every candidate when the answer would be a guess.
fn pick(rows: &[&'static Entry], year: Option<i32>) -> Result<&'static Entry, Vec<&'static Entry>> {
    let Some(first) = rows.first() else {
        return Err(Vec::new());
    };
    if rows.iter().all(|e| e.code == first.code) {
        return Ok(first);
    }
    let Some(year) = year else {
        return Err(rows.to_vec());
    };
    let best = rows.iter().map(|e| e.distance(year)).min().unwrap_or(0);
    let nearest: Vec<&'static Entry> = rows
        .iter()
        .filter(|e| e.distance(year) == best)
        .copied()
        .collect();
    match nearest.first() {
        Some(one) if nearest.iter().all(|e| e.code == one.code) => Ok(one),
        _ => Err(nearest),
    }
}

/// "XYN (Yemen Arab Republic, 1926–1989) or YEM (Yemen, 1990–)", one per code.
fn describe(rows: &[&'static Entry]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut parts = Vec::new();
    for e in rows {
        if !seen.contains(&e.code) {
            seen.push(e.code);
            parts.push(format!("{} ({}, {})", e.code, e.name, e.years()));
        }
    }
    parts.join(" or ")
}

/// The days one state's number passed to another (the crosswalk's rows are whole years;
/// these are the days inside the year of change): `(from, to, year, month, day)`, the
/// first day `to` holds the number.
const SUCCESSIONS: &[(&str, &str, i32, u32, u32)] = &[
    // The USSR was founded on 30 December 1922 and dissolved on 26 December 1991.
    ("RUS", "SUN", 1922, 12, 30),
    ("SUN", "RUS", 1991, 12, 26),
    // Yemen was unified on 22 May 1990 (GW 678 continues North Yemen's number).
    ("XYN", "YEM", 1990, 5, 22),
    // The Kingdom of Serbs, Croats and Slovenes from 1 December 1918; Serbia on its own
    // again from 5 June 2006.
    ("SRB", "YUG", 1918, 12, 1),
    ("YUG", "SRB", 2006, 6, 5),
];

/// The first day `to` holds a number that `from` held, for a change between the years
/// `after` and `by` (inclusive): the documented day of the change when the crosswalk knows
/// it, else the 1st of January of the first year of a row of `to` in that span (the
/// crosswalk's most-of-the-year rule). `None` when `to` has no row starting in the span.
pub fn succession_day(from: &str, to: &str, after: i32, by: i32) -> Option<chrono::NaiveDate> {
    let known = SUCCESSIONS
        .iter()
        .find(|(f, t, y, _, _)| *f == from && *t == to && (after..=by).contains(y))
        .and_then(|(_, _, y, m, d)| chrono::NaiveDate::from_ymd_opt(*y, *m, *d));
    known.or_else(|| {
        let year = rows_of(to)
            .iter()
            .map(|e| e.from_year)
            .filter(|y| *y > after && *y <= by)
            .min()?;
        chrono::NaiveDate::from_ymd_opt(year, 1, 1)
    })
}

/// The code `nonstate` gives should its rule ever make an invalid one (a property test
/// says it cannot).
const NONSTATE_FALLBACK: &str = "X_UNNAMED";

/// The code of a non-state party (an armed group, an organisation) by the documented rule
/// (see the module doc): `UNITA (Angola)*` → `X_UNITA_ANGOLA`.
pub fn nonstate(name: &str) -> Code {
    // `nonstate_text` only makes `X_` and uppercase letters, digits and `_`, at most 16
    // characters (a property test in `text.rs`, and every party of the real datasets), so
    // this cannot fail.
    Code::parse_or(&text::nonstate_text(name), NONSTATE_FALLBACK)
}

/// Whether a SIPRI party name is marked as a non-state actor (`*`) or a multinational
/// organisation (`**`).
pub fn is_marked_nonstate(name: &str) -> bool {
    name.trim_end().ends_with('*')
}

/// Entries whose code, any system's code or a name matches `query` (case-insensitive; a
/// name matches on a substring). An empty query lists every entry.
pub fn search(query: &str) -> Vec<&'static Entry> {
    let q = query.trim();
    if q.is_empty() {
        return entries().iter().collect();
    }
    let upper = q.to_ascii_uppercase();
    let number = q.parse::<u16>().ok();
    let name = text::normalise(q);
    entries()
        .iter()
        .filter(|e| {
            e.code == upper
                || e.cow_abb == Some(upper.as_str())
                || e.iso3 == Some(upper.as_str())
                || (number.is_some() && (e.cow_num == number || e.gw == number))
                || (!name.is_empty() && e.names().any(|n| text::normalise(n).contains(&name)))
        })
        .collect()
}

/// The nearest entries by name or code, one per code, for "unknown code" hints ("Soviet" →
/// SUN): names containing the query first, then the smallest edit distances.
pub fn suggest(query: &str) -> Vec<&'static Entry> {
    let q = text::normalise(query);
    if q.is_empty() {
        return Vec::new();
    }
    let mut containing: Vec<((usize, usize), usize)> = entries()
        .iter()
        .enumerate()
        .filter_map(|(i, e)| containment(e, &q).map(|rank| (rank, i)))
        .collect();
    if !containing.is_empty() {
        containing.sort();
        let rows = containing
            .iter()
            .filter_map(|(_, i)| entries().get(*i))
            .collect();
        return first_per_code(rows, 5);
    }
    let mut scored: Vec<(usize, usize)> = entries()
        .iter()
        .enumerate()
        .map(|(i, e)| (closeness(e, &q), i))
        .collect();
    scored.sort();
    let limit = (q.chars().count() / 3).max(2);
    let near = scored
        .iter()
        .filter(|(d, _)| *d <= limit)
        .filter_map(|(_, i)| entries().get(*i))
        .collect();
    first_per_code(near, 3)
}

/// How well the entry's code or a name contains `q`: the code itself first, then names
/// that start with it, shorter names first; `None` when none contains it.
fn containment(e: &Entry, q: &str) -> Option<(usize, usize)> {
    if e.code.eq_ignore_ascii_case(q) {
        return Some((0, 0));
    }
    e.names()
        .map(text::normalise)
        .filter(|n| n.contains(q))
        .map(|n| (if n.starts_with(q) { 1 } else { 2 }, n.len()))
        .min()
}

/// The smallest edit distance from `q` to the entry's code, any of its names, or the start
/// of a name as long as `q` ("sovjet" is 1 from "soviet union"'s start).
fn closeness(e: &Entry, q: &str) -> usize {
    let code = text::edit_distance(q, &e.code.to_ascii_lowercase());
    let len = q.chars().count();
    e.names()
        .map(text::normalise)
        .map(|n| {
            let start: String = n.chars().take(len).collect();
            text::edit_distance(q, &n).min(text::edit_distance(q, &start))
        })
        .fold(code, usize::min)
}

/// At most `max` rows, the first of each code.
fn first_per_code(rows: Vec<&'static Entry>, max: usize) -> Vec<&'static Entry> {
    let mut out: Vec<&'static Entry> = Vec::new();
    for e in rows {
        if out.len() < max && !out.iter().any(|o| o.code == e.code) {
            out.push(e);
        }
    }
    out
}

/// " (did you mean SUN (Soviet Union)?)", or empty when nothing is near.
pub fn hint(query: &str) -> String {
    let near = suggest(query);
    if near.is_empty() {
        return String::new();
    }
    let names: Vec<String> = near
        .iter()
        .map(|e| format!("{} ({})", e.code, e.name))
        .collect();
    format!(" (did you mean {}?)", names.join(", "))
}

#[cfg(test)]
mod tests;
