//! Unit tests of the crosswalk: the table's invariants, translation, clashes, non-state
//! codes and suggestions.

use super::*;

fn t(system: System, value: &str, year: Option<i32>) -> String {
    match translate(system, value, year) {
        Ok(code) => code.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn every_table_code_is_a_valid_code_without_underscore() {
    for e in entries() {
        assert!(
            Code::parse(e.code).is_ok_and(|c| c.as_str() == e.code),
            "{}",
            e.code
        );
        assert!(!e.code.contains('_'), "{}", e.code);
        assert!(e.to_year.is_none_or(|to| to >= e.from_year), "{}", e.code);
    }
}

#[test]
fn invented_codes_are_in_the_user_assigned_range() {
    for e in entries().iter().filter(|e| e.iso3.is_none()) {
        assert!(e.code.len() == 3 && e.code.starts_with('X'), "{}", e.code);
    }
}

#[test]
fn rows_of_different_codes_under_one_key_never_overlap() {
    let rows = entries();
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            if a.code == b.code {
                continue;
            }
            let shared = (a.cow_num.is_some() && a.cow_num == b.cow_num)
                || (a.gw.is_some() && a.gw == b.gw)
                || a.names()
                    .any(|n| b.names().any(|m| text::normalise(n) == text::normalise(m)));
            let overlap = a.from_year <= b.to_year.unwrap_or(i32::MAX)
                && b.from_year <= a.to_year.unwrap_or(i32::MAX);
            assert!(!(shared && overlap), "{} and {} overlap", a.code, b.code);
        }
    }
}

#[test]
fn one_system_at_a_time_the_five_clashes() {
    assert_eq!(t(System::CowAbb, "AUS", None), "AUT");
    assert_eq!(t(System::Iso3, "AUS", None), "AUS");
    assert_eq!(t(System::CowAbb, "SLV", None), "SVN");
    assert_eq!(t(System::Iso3, "SLV", None), "SLV");
    assert_eq!(t(System::CowAbb, "MAC", None), "MKD");
    assert_eq!(t(System::Iso3, "MAC", None), "MAC");
    assert_eq!(t(System::CowAbb, "MNG", None), "MNE");
    assert_eq!(t(System::Iso3, "MNG", None), "MNG");
    assert_eq!(t(System::CowAbb, "SWZ", None), "CHE");
    assert_eq!(t(System::Iso3, "SWZ", None), "SWZ");
    assert_eq!(t(System::CowAbb, "CZE", None), "CSK");
    assert_eq!(t(System::Iso3, "CZE", None), "CZE");
}

#[test]
fn numbers_letters_and_names() {
    assert_eq!(t(System::CowNum, "2", None), "USA");
    assert_eq!(t(System::CowNum, " 200 ", None), "GBR");
    assert_eq!(t(System::CowNum, "255", Some(1914)), "DEU");
    assert_eq!(t(System::CowNum, "255", None), "DEU");
    assert_eq!(t(System::CowNum, "260", None), "DEU");
    assert_eq!(t(System::CowNum, "265", None), "DDR");
    assert_eq!(t(System::Gw, "260", Some(2000)), "DEU");
    assert_eq!(t(System::Gw, "265", None), "DDR");
    assert_eq!(t(System::CowAbb, "gfr", None), "DEU");
    assert_eq!(t(System::CowNum, "816", None), "VNM");
    assert_eq!(t(System::CowNum, "817", None), "XRV");
    assert_eq!(t(System::CowNum, "678", None), "XYN");
    assert_eq!(t(System::CowNum, "679", None), "YEM");
    assert_eq!(t(System::CowNum, "680", None), "YMD");
    assert_eq!(t(System::Iso3, "zar", None), "COD");
    for name in [
        "Soviet Union",
        "USSR",
        "Germany (FRG)",
        "West Germany",
        "East Germany (GDR)",
        "Korea, South",
        "South Korea",
        "Viet Nam",
        "Côte d'Ivoire",
        "Cote d’Ivoire",
        "Czechia",
        "Türkiye",
        "  turkey ",
    ] {
        assert!(
            !t(System::Name, name, Some(1980)).starts_with("error"),
            "{name}"
        );
    }
    assert_eq!(t(System::Name, "Soviet Union", None), "SUN");
    assert_eq!(t(System::Name, "Russia", None), "RUS");
    assert_eq!(t(System::Name, "East Germany (GDR)", None), "DDR");
    assert_eq!(t(System::Name, "Korea, South", None), "KOR");
    assert_eq!(t(System::Name, "COTE D IVOIRE", None), "CIV");
}

#[test]
fn the_year_decides_where_a_key_changed_hands() {
    assert_eq!(t(System::CowNum, "365", Some(1900)), "RUS");
    assert_eq!(t(System::CowNum, "365", Some(1950)), "SUN");
    assert_eq!(t(System::CowNum, "365", Some(1991)), "SUN");
    assert_eq!(t(System::CowNum, "365", Some(1992)), "RUS");
    assert_eq!(t(System::Gw, "678", Some(1980)), "XYN");
    assert_eq!(t(System::Gw, "678", Some(1990)), "YEM");
    assert_eq!(t(System::Name, "Yemen", Some(1985)), "XYN");
    assert_eq!(t(System::Name, "Yemen", Some(2015)), "YEM");
    assert_eq!(t(System::CowNum, "345", Some(1900)), "SRB");
    assert_eq!(t(System::CowNum, "345", Some(1990)), "YUG");
    assert_eq!(t(System::CowNum, "345", Some(2010)), "SRB");
    assert_eq!(t(System::Gw, "345", Some(2010)), "SRB");
    assert_eq!(t(System::Name, "Russia (Soviet Union)", Some(1989)), "SUN");
    assert_eq!(t(System::Name, "Russia (Soviet Union)", Some(2014)), "RUS");
    assert_eq!(t(System::Name, "Korea", Some(1900)), "XKR");
    assert_eq!(t(System::Name, "Korea", Some(1990)), "KOR");
}

#[test]
fn without_a_year_a_changed_key_is_ambiguous() {
    let e = translate(System::Name, "Yemen", None);
    assert!(
        matches!(&e, Err(CodeError::Ambiguous { candidates, .. }) if candidates.contains("XYN") && candidates.contains("YEM")),
        "{e:?}"
    );
    assert!(matches!(
        translate(System::CowNum, "365", None),
        Err(CodeError::Ambiguous { .. })
    ));
}

#[test]
fn unknown_codes_hint_by_name() {
    let e = translate(System::Name, "Soviet", None);
    let Err(CodeError::Unknown { hint, .. }) = &e else {
        panic!("{e:?}")
    };
    assert!(hint.contains("SUN (Soviet Union)"), "{hint}");
    assert!(t(System::CowNum, "9999", None).starts_with("error: unknown cow code"));
    assert!(t(System::CowAbb, "XYZ", None).starts_with("error"));
    assert!(t(System::Annals, "not a code!", None).starts_with("error"));
}

#[test]
fn annals_accepts_any_valid_code() {
    assert_eq!(t(System::Annals, "nato", None), "NATO");
    assert_eq!(t(System::Annals, "SUN", None), "SUN");
}

#[test]
fn nonstate_codes_never_meet_state_codes() {
    for name in [
        "UNITA (Angola)*",
        "NATO**",
        "Syrian insurgents",
        "IS",
        "USA",
        "Germany",
    ] {
        let code = nonstate(name);
        assert!(code.as_str().starts_with("X_"), "{code}");
        assert!(!is_state(code.as_str()), "{code}");
    }
    assert_eq!(nonstate("UNITA (Angola)*").as_str(), "X_UNITA_ANGOLA");
    assert_eq!(nonstate("NATO**").as_str(), "X_NATO");
    assert!(is_marked_nonstate("NATO**"));
    assert!(!is_marked_nonstate("Angola"));
}

#[test]
fn search_and_suggest() {
    let codes = |v: Vec<&Entry>| v.iter().map(|e| e.code).collect::<Vec<_>>();
    assert!(codes(search("soviet")).contains(&"SUN"));
    assert!(codes(search("365")).contains(&"SUN"));
    assert!(codes(search("GMY")).contains(&"DEU"));
    assert_eq!(suggest("Soviet")[0].code, "SUN");
    assert_eq!(suggest("SOVIET")[0].code, "SUN");
    assert_eq!(suggest("Germny")[0].code, "DEU");
    assert_eq!(suggest("Sovjet")[0].code, "SUN");
    assert!(suggest("qqqqqqqqqqqq").is_empty());
    assert_eq!(search("").len(), entries().len());
}

#[test]
fn the_nonstate_fallback_is_a_valid_code() {
    let code = crate::model::event::Code::parse(super::NONSTATE_FALLBACK).unwrap();
    assert_eq!(code.as_str(), super::NONSTATE_FALLBACK);
}
