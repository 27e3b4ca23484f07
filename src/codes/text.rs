//! Text helpers for the crosswalk: name normalisation, edit distance and the non-state code
//! rule (see `mod.rs`).

use sha2::{Digest, Sha256};

/// A Latin letter with its diacritic removed (`é` → `e`), or the letter itself.
fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' => "I",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'š' | 'ś' | 'ş' => "s",
        'Š' | 'Ś' | 'Ş' => "S",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        'ł' => "l",
        'Ł' => "L",
        'ř' => "r",
        'Ř' => "R",
        'ğ' => "g",
        'Ğ' => "G",
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        _ => "",
    }
}

/// Letters and digits only, diacritics removed, `&` read as "and"; every other run of
/// characters becomes `sep`, with none at either end.
fn words(text: &str, sep: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        let mut buf = [0; 4];
        let piece = match c {
            c if c.is_ascii_alphanumeric() => &*c.encode_utf8(&mut buf),
            '&' => "and",
            c => fold(c),
        };
        if piece.is_empty() {
            gap = true;
            continue;
        }
        let alone = c == '&';
        if (gap || alone) && !out.is_empty() {
            out.push(sep);
        }
        out.push_str(piece);
        gap = alone;
    }
    out
}

/// A name as compared: lowercase, diacritics removed, `&` as "and", punctuation and runs
/// of spaces as one space ("Côte d’Ivoire" and "cote d'ivoire" compare equal).
pub(super) fn normalise(name: &str) -> String {
    words(name, ' ').to_ascii_lowercase()
}

/// Levenshtein distance over characters.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let best = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            cur.push(best);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The longest code a non-state party gets (the limit of a `Code`).
const MAX_LEN: usize = 16;
/// How much of the name a shortened code keeps before its hash.
const KEPT: usize = 9;

/// A name with SIPRI's marks (`*` non-state actor, `**` organisation) removed.
pub(super) fn strip_marks(name: &str) -> &str {
    name.trim().trim_end_matches('*').trim_end()
}

/// The text of a non-state code (see `nonstate` in `mod.rs` for the rule).
pub(super) fn nonstate_text(name: &str) -> String {
    let body = words(strip_marks(name), '_').to_ascii_uppercase();
    let hash = hex4(&Sha256::digest(body.as_bytes()));
    if body.is_empty() {
        let full = hex4(&Sha256::digest(strip_marks(name).as_bytes()));
        return format!("X_{full}");
    }
    if body.len() + 2 <= MAX_LEN {
        return format!("X_{body}");
    }
    let kept = body[..KEPT].trim_end_matches('_');
    format!("X_{kept}_{hash}")
}

/// The first two bytes of a digest as four uppercase hex digits.
fn hex4(digest: &[u8]) -> String {
    digest.iter().take(2).map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_folds_case_diacritics_and_punctuation() {
        assert_eq!(normalise("Côte d’Ivoire"), "cote d ivoire");
        assert_eq!(normalise("  COTE D'IVOIRE "), "cote d ivoire");
        assert_eq!(normalise("Antigua & Barbuda"), "antigua and barbuda");
        assert_eq!(normalise("Türkiye"), "turkiye");
        assert_eq!(normalise("Bosnia-Herzegovina"), "bosnia herzegovina");
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn nonstate_text_follows_the_rule() {
        assert_eq!(nonstate_text("UNITA (Angola)*"), "X_UNITA_ANGOLA");
        assert_eq!(nonstate_text("NATO**"), "X_NATO");
        assert_eq!(nonstate_text("IS"), "X_IS");
        let long = nonstate_text("Syrian insurgents");
        assert!(long.starts_with("X_SYRIAN_IN_"), "{long}");
        assert_eq!(long.len(), 16);
        assert_eq!(
            nonstate_text("Syrian insurgents"),
            nonstate_text("syrian  insurgents")
        );
        assert_ne!(
            nonstate_text("Syrian insurgents"),
            nonstate_text("Syrian insurgency")
        );
        assert!(nonstate_text("***").starts_with("X_"));
    }
}
