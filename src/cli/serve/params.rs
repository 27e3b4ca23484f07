//! Query parameters of the API: each endpoint names the parameters it takes, and anything
//! else (an unknown name, a name given twice where once is meant, a bad limit) is a usage
//! error, so that a typo never reads as "no filter". Values are checked by the CLI's own
//! parsers where they are used (`parse_day`, `parse_known_at`, `known_actor`).

use crate::cli::failure::usage;
use anyhow::Result;

/// The query parameters of one request, checked against what its endpoint takes.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// The parameters an endpoint takes; a name ending in `*` may be repeated.
pub type Allowed = &'static [&'static str];

impl Params {
    /// Check `pairs` against `allowed`: an unknown name, or a repeated one not marked `*`,
    /// is a usage error that lists what the endpoint takes.
    pub fn check(pairs: Vec<(String, String)>, allowed: Allowed) -> Result<Params> {
        for (i, (key, _)) in pairs.iter().enumerate() {
            let repeatable = allowed.iter().any(|a| a.strip_suffix('*') == Some(key));
            if !repeatable && !allowed.contains(&key.as_str()) {
                return Err(usage(format!(
                    "unknown parameter `{key}`; {}",
                    takes(allowed)
                )));
            }
            if !repeatable && pairs[..i].iter().any(|(k, _)| k == key) {
                return Err(usage(format!("parameter `{key}` is given more than once")));
            }
        }
        Ok(Params { pairs })
    }

    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key`, or `default`.
    pub fn or(&self, key: &str, default: &str) -> String {
        self.get(key).unwrap_or(default).to_string()
    }

    /// The value of `key` as an owned string, if given.
    pub fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// Every value of a repeatable `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `limit`: a whole number from 1 to `max`, `default` when absent.
    pub fn limit(&self, default: usize, max: usize) -> Result<usize> {
        let Some(text) = self.get("limit") else {
            return Ok(default);
        };
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(usage(format!(
                "limit: expected a whole number from 1 to {max}, got `{text}`"
            ))),
        }
    }
}

/// "this endpoint takes a, b" (or "takes no parameters").
fn takes(allowed: Allowed) -> String {
    if allowed.is_empty() {
        return "this endpoint takes no parameters".into();
    }
    let names: Vec<&str> = allowed.iter().map(|a| a.trim_end_matches('*')).collect();
    format!("this endpoint takes {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_and_repeated_names_are_usage_errors() {
        let e = Params::check(pairs(&[("asof", "2024")]), &["as_of"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown parameter `asof`; this endpoint takes as_of"
        );
        let e = Params::check(pairs(&[("as_of", "1"), ("as_of", "2")]), &["as_of"]);
        assert!(e.unwrap_err().to_string().contains("more than once"));
        let p = Params::check(pairs(&[("k", "1"), ("k", "2")]), &["k*"]).unwrap();
        assert_eq!(p.all("k"), ["1", "2"]);
    }

    #[test]
    fn limits_are_bounded() {
        let p = Params::check(pairs(&[("limit", "0")]), &["limit"]).unwrap();
        assert!(p.limit(10, 100).is_err());
        let p = Params::check(pairs(&[("limit", "100")]), &["limit"]).unwrap();
        assert_eq!(p.limit(10, 100).unwrap(), 100);
        assert_eq!(Params::default().limit(10, 100).unwrap(), 10);
    }
}
