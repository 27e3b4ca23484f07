//! A deterministic, seeded generator of realistic synthetic timelines, for benchmarks and
//! soak tests. The same (size, seed) always gives the same events.
//!
//! Shape: ~200 actors and ~50 alliances that form, gain and lose members and dissolve;
//! leaders changing office; deployments whose strength is revised and later withdrawn;
//! arms transfers and missile tests; meetings, statements, agreements and sanctions.
//! Dates mostly rise across 1950..2025; about 1% are backdated by up to 30 years and about
//! 10% have month or year precision; about 0.5% of events are corrections and 0.2%
//! retractions of earlier events.
//!
//! Invariant: every generated event is valid and consistent with what was generated before
//! it in append order (no join to an alliance that was never formed, no withdrawal of a
//! deployment that does not exist), so it imports into any store.

use crate::model::date::{Date, Day};
use crate::model::event::{AllianceType, Code, Content, Kind, NewEvent};
use crate::model::interchange::content_id;
use std::collections::BTreeSet;
use uuid::Uuid;

/// SplitMix64: tiny, fast, good enough for workloads.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const ACTORS: usize = 200;
const ALLIANCES: usize = 50;
const FIRST_DAY: &str = "1950-01-01";
const LAST_DAY: &str = "2025-12-31";

fn code(prefix: &str, i: usize) -> Code {
    // Codes are uppercase identifiers; these can never fail to parse.
    Code::parse(&format!("{prefix}{i:03}")).unwrap_or_else(|_| unreachable!())
}

fn date_text(day: Day, rng: &mut Rng) -> Date {
    let text = day.to_string();
    let r = rng.below(100);
    let text = if r < 7 {
        text[..7].to_string()
    } else if r < 10 {
        text[..4].to_string()
    } else {
        text
    };
    Date::parse(&text).unwrap_or_else(|_| unreachable!())
}

struct AllianceState {
    code: Code,
    formed: bool,
    members: BTreeSet<usize>,
}

/// Days of events that later events of the same key must follow in timeline order.
#[derive(Default)]
struct KeyDays(std::collections::HashMap<String, u32>);

impl KeyDays {
    /// A day for an event of `key` that sorts after every earlier event of that key:
    /// at least `day`, and strictly after the key's last earliest day.
    fn after(&mut self, key: String, day: u32) -> u32 {
        let last = self.0.get(&key).copied().unwrap_or(0);
        let d = day.max(last + 1);
        self.0.insert(key, d);
        d
    }
}

/// Generate `n` events with `seed`.
pub fn generate(n: usize, seed: u64) -> Vec<NewEvent> {
    let mut rng = Rng::new(seed);
    let first = Day::parse_query(FIRST_DAY).map(|d| d.0).unwrap_or(1);
    let last = Day::parse_query(LAST_DAY).map(|d| d.0).unwrap_or(2);
    let span = u64::from(last - first);
    let actors: Vec<Code> = (0..ACTORS).map(|i| code("C", i)).collect();
    let mut alliances: Vec<AllianceState> = (0..ALLIANCES)
        .map(|i| AllianceState {
            code: code("AL", i),
            formed: false,
            members: BTreeSet::new(),
        })
        .collect();
    // Active deployments (actor, host, region index).
    let mut deployments: Vec<(usize, usize, u8)> = Vec::new();
    // Office holders (actor, office index).
    let mut holders: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut key_days = KeyDays::default();
    let exact = |d: u32| Date::parse(&Day(d).to_string()).unwrap_or_else(|_| unreachable!());
    let mut facts: Vec<(Uuid, Content)> = Vec::new();
    let mut retracted: BTreeSet<Uuid> = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    let offices = [
        "president",
        "prime_minister",
        "foreign_minister",
        "defence_minister",
    ];
    let classes = ["ICBM", "IRBM", "SRBM", "cruise", "hypersonic", "SLBM"];
    let items = [
        "artillery shells",
        "tanks",
        "drones",
        "rifles",
        "missiles",
        "aircraft",
    ];
    let regions = ["North", "South", "East", "West", "Central"];

    for i in 0..n {
        let base = u64::from(first) + span * i as u64 / n.max(1) as u64;
        let mut day = base + rng.below(3);
        let backdated = rng.chance(10);
        if backdated {
            day = day
                .saturating_sub(rng.below(30 * 365) + 1)
                .max(u64::from(first));
        }
        let mut date = date_text(Day(day.min(u64::from(last)) as u32), &mut rng);
        // Amendments of earlier events.
        if !facts.is_empty() && rng.chance(7) {
            let (target, target_content) = facts[rng.below(facts.len() as u64) as usize].clone();
            if retracted.contains(&target) {
                // Fall through to a fact instead.
            } else if rng.chance(286) {
                retracted.insert(target);
                let content = Content::new(
                    date,
                    Kind::Retraction {
                        target,
                        reason: "source withdrew the report".into(),
                    },
                );
                out.push(NewEvent {
                    id: Some(content_id(&content)),
                    content,
                });
                continue;
            } else {
                let mut replacement = target_content.clone();
                replacement.summary = Some(format!("corrected report #{i}"));
                if let Kind::ArmsTransfer { quantity, .. } = &mut replacement.kind {
                    *quantity = quantity.saturating_add(rng.below(500));
                }
                let content = Content {
                    date: None,
                    kind: Kind::Correction {
                        target,
                        replacement: Box::new(replacement),
                    },
                    summary: Some("corrected after review".into()),
                    sources: Vec::new(),
                    confidence: None,
                    location: None,
                    mode: None,
                    context: Vec::new(),
                };
                out.push(NewEvent {
                    id: Some(content_id(&content)),
                    content,
                });
                continue;
            }
        }
        // Skewed towards low indexes: a few actors are involved in most events, as in
        // real timelines (and as real arms flows concentrate on few pairs).
        let a = (rng.below(ACTORS as u64) * rng.below(ACTORS as u64) / ACTORS as u64) as usize;
        let mut b =
            (rng.below(ACTORS as u64 - 1) * rng.below(ACTORS as u64) / ACTORS as u64) as usize;
        if b >= a {
            b += 1;
        }
        let roll = rng.below(1000);
        let kind = if backdated {
            // Backdated reports are of kinds with no state to contradict.
            Kind::Meeting {
                actors: vec![actors[a].clone(), actors[b].clone()],
                place: None,
            }
        } else if roll < 220 {
            Kind::Meeting {
                actors: vec![actors[a].clone(), actors[b].clone()],
                place: Some(format!("City {}", rng.below(300))),
            }
        } else if roll < 300 {
            Kind::Statement {
                actors: vec![actors[a].clone()],
            }
        } else if roll < 340 {
            Kind::Agreement {
                actors: vec![actors[a].clone(), actors[b].clone()],
                name: format!("Accord {i}"),
            }
        } else if roll < 500 {
            // Deployments: revise an active one, or start a new one. Reports sort after
            // earlier reports of the same deployment (so a withdrawal can follow them).
            // About 300 deployments are active at a time, as in the real world; most
            // reports revise one of them.
            let (x, y, r) =
                if !deployments.is_empty() && (deployments.len() >= 300 || rng.chance(600)) {
                    *rng.pick(&deployments)
                } else {
                    let r = rng.below(regions.len() as u64) as u8;
                    if !deployments.contains(&(a, b, r)) {
                        deployments.push((a, b, r));
                    }
                    (a, b, r)
                };
            let d = key_days.after(format!("D{x}/{y}/{r}"), date.earliest().0);
            date = exact(d.min(last));
            Kind::Deployment {
                actor: actors[x].clone(),
                host: actors[y].clone(),
                region: Some(regions[r as usize].into()),
                strength: rng.below(50_000),
            }
        } else if roll < 530 && !deployments.is_empty() {
            let idx = rng.below(deployments.len() as u64) as usize;
            let (x, y, r) = deployments.swap_remove(idx);
            let d = key_days.after(format!("D{x}/{y}/{r}"), date.earliest().0);
            date = exact(d.min(last));
            Kind::Withdrawal {
                actor: actors[x].clone(),
                host: actors[y].clone(),
                region: Some(regions[r as usize].into()),
            }
        } else if roll < 680 {
            // About 30 suppliers, each selling two kinds of item.
            let supplier = a % 30;
            let recipient = if b == supplier { (b + 1) % ACTORS } else { b };
            Kind::ArmsTransfer {
                supplier: actors[supplier].clone(),
                recipient: actors[recipient].clone(),
                item: items[(supplier + rng.below(2) as usize) % items.len()].to_string(),
                quantity: rng.below(10_000) + 1,
                unit: None,
            }
        } else if roll < 760 {
            Kind::MissileTest {
                actor: actors[a].clone(),
                class: rng.pick(&classes).to_string(),
                count: rng.below(5) + 1,
            }
        } else if roll < 765 {
            Kind::NuclearTest {
                actor: actors[a].clone(),
            }
        } else if roll < 835 {
            let o = rng.below(offices.len() as u64) as usize;
            let d = key_days.after(format!("L{a}/{o}"), date.earliest().0);
            date = exact(d.min(last));
            if holders.contains(&(a, o)) && rng.chance(150) {
                holders.remove(&(a, o));
                Kind::LeaderLeftOffice {
                    actor: actors[a].clone(),
                    office: offices[o].to_string(),
                    person: None,
                }
            } else {
                holders.insert((a, o));
                Kind::LeaderTookOffice {
                    actor: actors[a].clone(),
                    office: offices[o].to_string(),
                    person: format!("Person {}", rng.below(100_000)),
                }
            }
        } else if roll < 890 {
            let al = rng.below(ALLIANCES as u64) as usize;
            let d = key_days.after(format!("A{al}"), date.earliest().0);
            date = exact(d.min(last));
            let state = &mut alliances[al];
            if !state.formed {
                state.formed = true;
                state.members = [a, b].into_iter().collect();
                Kind::AllianceFormed {
                    alliance: state.code.clone(),
                    alliance_type: *rng.pick(&AllianceType::ALL.map(|(_, t)| t)),
                    members: vec![actors[a].clone(), actors[b].clone()],
                }
            } else if rng.chance(20) {
                state.formed = false;
                state.members.clear();
                Kind::AllianceDissolved {
                    alliance: state.code.clone(),
                }
            } else if state.members.len() > 2 && rng.chance(300) {
                let m = *state
                    .members
                    .iter()
                    .nth(rng.below(state.members.len() as u64) as usize)
                    .unwrap_or(&a);
                state.members.remove(&m);
                Kind::AllianceLeft {
                    alliance: state.code.clone(),
                    members: vec![actors[m].clone()],
                }
            } else if !state.members.contains(&a) {
                state.members.insert(a);
                Kind::AllianceJoined {
                    alliance: state.code.clone(),
                    members: vec![actors[a].clone()],
                }
            } else {
                Kind::JointExercise {
                    actors: vec![actors[a].clone(), actors[b].clone()],
                    assets: vec!["ships".into()],
                }
            }
        } else if roll < 940 {
            Kind::JointExercise {
                actors: vec![actors[a].clone(), actors[b].clone()],
                assets: Vec::new(),
            }
        } else if roll < 970 {
            Kind::SanctionsImposed {
                actor: actors[a].clone(),
                against: actors[b].clone(),
            }
        } else {
            Kind::SanctionsLifted {
                actor: actors[a].clone(),
                against: actors[b].clone(),
            }
        };
        let content = Content::new(date, kind).with_summary(format!("synthetic event {i}"));
        let id = content_id(&content);
        if matches!(
            content.kind,
            Kind::Meeting { .. }
                | Kind::ArmsTransfer { .. }
                | Kind::MissileTest { .. }
                | Kind::Statement { .. }
        ) {
            facts.push((id, content.clone()));
        }
        out.push(NewEvent {
            id: Some(id),
            content,
        });
    }
    out
}

/// The generated events as interchange lines (with their ids; no `seq` or `recorded`, so
/// an import assigns them), exactly as `annals generate` prints them.
pub fn generate_lines(n: usize, seed: u64) -> impl Iterator<Item = String> {
    generate(n, seed).into_iter().map(|e| {
        let content = e.content;
        let id =
            e.id.unwrap_or_else(|| crate::model::interchange::content_id(&content));
        let event = crate::model::event::Event {
            id,
            seq: 0,
            recorded_micros: 0,
            content,
        };
        let mut v = crate::model::interchange::event_json(&event);
        if let Some(m) = v.as_object_mut() {
            m.shift_remove("seq");
            m.shift_remove("recorded");
        }
        v.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let a = generate(3000, 7);
        assert_eq!(a, generate(3000, 7));
        assert_ne!(a, generate(3000, 8));
        for e in &a {
            crate::model::validate::check_content(&e.content).unwrap();
        }
        let amendments = a.iter().filter(|e| e.content.kind.is_amendment()).count();
        assert!((5..60).contains(&amendments), "{amendments}");
    }

    #[test]
    fn imports_without_oddities() {
        let store = crate::Store::temporary().unwrap();
        let report = store.append_batch(generate(20_000, 3)).unwrap();
        assert_eq!(report.new_count(), 20_000);
        store.verify().unwrap();
    }
}
