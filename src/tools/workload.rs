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

const OFFICES: [&str; 4] = [
    "president",
    "prime_minister",
    "foreign_minister",
    "defence_minister",
];
const CLASSES: [&str; 6] = ["ICBM", "IRBM", "SRBM", "cruise", "hypersonic", "SLBM"];
const ITEMS: [&str; 6] = [
    "artillery shells",
    "tanks",
    "drones",
    "rifles",
    "missiles",
    "aircraft",
];
const REGIONS: [&str; 5] = ["North", "South", "East", "West", "Central"];

/// An exact (day-precision) date.
fn exact(day: u32) -> Date {
    Date::parse(&Day(day).to_string()).unwrap_or_else(|_| unreachable!())
}

/// The event being drawn: its index, its two (distinct) actors and its date, which a
/// stateful kind may move later so that it follows earlier events of the same key.
struct Slot {
    i: usize,
    a: usize,
    b: usize,
    date: Date,
}

/// The generator's state. Every method draws from `rng` in a fixed order, so the same
/// seed always gives the same events.
struct Generator {
    rng: Rng,
    first: u32,
    last: u32,
    actors: Vec<Code>,
    alliances: Vec<AllianceState>,
    /// Active deployments (actor, host, region index).
    deployments: Vec<(usize, usize, u8)>,
    /// Office holders (actor, office index).
    holders: BTreeSet<(usize, usize)>,
    key_days: KeyDays,
    /// Events that a later correction or retraction may target.
    facts: Vec<(Uuid, Content)>,
    retracted: BTreeSet<Uuid>,
}

impl Generator {
    fn new(seed: u64) -> Generator {
        Generator {
            rng: Rng::new(seed),
            first: Day::parse_query(FIRST_DAY).map(|d| d.0).unwrap_or(1),
            last: Day::parse_query(LAST_DAY).map(|d| d.0).unwrap_or(2),
            actors: (0..ACTORS).map(|i| code("C", i)).collect(),
            alliances: (0..ALLIANCES)
                .map(|i| AllianceState {
                    code: code("AL", i),
                    formed: false,
                    members: BTreeSet::new(),
                })
                .collect(),
            deployments: Vec::new(),
            holders: BTreeSet::new(),
            key_days: KeyDays::default(),
            facts: Vec::new(),
            retracted: BTreeSet::new(),
        }
    }

    /// Event `i` of `n`.
    fn event(&mut self, i: usize, n: usize) -> NewEvent {
        let (date, backdated) = self.date(i, n);
        if let Some(amendment) = self.amendment(i, date) {
            return amendment;
        }
        let (a, b) = self.pair();
        let roll = self.rng.below(1000);
        let mut slot = Slot { i, a, b, date };
        let kind = self.fact(&mut slot, roll, backdated);
        self.record(i, slot.date, kind)
    }

    /// The date of event `i` of `n`, rising across the span, and whether it is backdated.
    fn date(&mut self, i: usize, n: usize) -> (Date, bool) {
        let (first, last) = (u64::from(self.first), u64::from(self.last));
        let base = first + (last - first) * i as u64 / n.max(1) as u64;
        let mut day = base + self.rng.below(3);
        let backdated = self.rng.chance(10);
        if backdated {
            day = day.saturating_sub(self.rng.below(30 * 365) + 1).max(first);
        }
        let date = date_text(Day(day.min(last) as u32), &mut self.rng);
        (date, backdated)
    }

    /// Sometimes, a retraction or correction of an earlier fact that is not retracted.
    fn amendment(&mut self, i: usize, date: Date) -> Option<NewEvent> {
        if self.facts.is_empty() || !self.rng.chance(7) {
            return None;
        }
        let pick = self.rng.below(self.facts.len() as u64) as usize;
        let (target, target_content) = self.facts[pick].clone();
        if self.retracted.contains(&target) {
            // Fall through to a fact instead.
            return None;
        }
        let content = if self.rng.chance(286) {
            self.retracted.insert(target);
            Content::new(
                date,
                Kind::Retraction {
                    target,
                    reason: "source withdrew the report".into(),
                },
            )
        } else {
            self.correction(i, target, target_content)
        };
        Some(NewEvent {
            id: Some(content_id(&content)),
            content,
        })
    }

    /// A correction of `target`, whose content was `original`.
    fn correction(&mut self, i: usize, target: Uuid, original: Content) -> Content {
        let mut replacement = original;
        replacement.summary = Some(format!("corrected report #{i}"));
        if let Kind::ArmsTransfer { quantity, .. } = &mut replacement.kind {
            *quantity = quantity.map(|q| q.saturating_add(self.rng.below(500)));
        }
        Content {
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
        }
    }

    /// Two distinct actors, skewed towards low indexes: a few actors are involved in most
    /// events, as in real timelines (and as real arms flows concentrate on few pairs).
    fn pair(&mut self) -> (usize, usize) {
        let n = ACTORS as u64;
        let a = (self.rng.below(n) * self.rng.below(n) / n) as usize;
        let mut b = (self.rng.below(n - 1) * self.rng.below(n) / n) as usize;
        if b >= a {
            b += 1;
        }
        (a, b)
    }

    /// The kind of a (non-amendment) event, chosen by `roll` in `0..1000`.
    fn fact(&mut self, s: &mut Slot, roll: u64, backdated: bool) -> Kind {
        if backdated || roll < 340 {
            self.talks(s, roll, backdated)
        } else if roll < 500 {
            self.deployment(s)
        } else if roll < 530 && !self.deployments.is_empty() {
            self.withdrawal(s)
        } else if roll < 680 {
            self.arms(s)
        } else if roll < 765 {
            self.test(s, roll)
        } else if roll < 835 {
            self.leader(s)
        } else if roll < 890 {
            self.alliance(s)
        } else {
            self.exercise_or_sanctions(s, roll)
        }
    }

    /// Meetings, statements and agreements. Backdated reports are always meetings, a kind
    /// with no state to contradict.
    fn talks(&mut self, s: &Slot, roll: u64, backdated: bool) -> Kind {
        let (a, b) = (self.actors[s.a].clone(), self.actors[s.b].clone());
        if backdated {
            Kind::Meeting {
                actors: vec![a, b],
                place: None,
            }
        } else if roll < 220 {
            Kind::Meeting {
                actors: vec![a, b],
                place: Some(format!("City {}", self.rng.below(300))),
            }
        } else if roll < 300 {
            Kind::Statement { actors: vec![a] }
        } else {
            Kind::Agreement {
                actors: vec![a, b],
                name: format!("Accord {}", s.i),
            }
        }
    }

    /// Moves the slot's date to an exact day after every earlier event of `key`.
    fn follow(&mut self, key: String, s: &mut Slot) {
        let d = self.key_days.after(key, s.date.earliest().0);
        s.date = exact(d.min(self.last));
    }

    /// Deployments: revise an active one, or start a new one. Reports sort after earlier
    /// reports of the same deployment (so a withdrawal can follow them). About 300
    /// deployments are active at a time, as in the real world; most reports revise one.
    fn deployment(&mut self, s: &mut Slot) -> Kind {
        let revise =
            !self.deployments.is_empty() && (self.deployments.len() >= 300 || self.rng.chance(600));
        let (x, y, r) = if revise {
            *self.rng.pick(&self.deployments)
        } else {
            let r = self.rng.below(REGIONS.len() as u64) as u8;
            if !self.deployments.contains(&(s.a, s.b, r)) {
                self.deployments.push((s.a, s.b, r));
            }
            (s.a, s.b, r)
        };
        self.follow(format!("D{x}/{y}/{r}"), s);
        Kind::Deployment {
            actor: self.actors[x].clone(),
            host: self.actors[y].clone(),
            region: Some(REGIONS[r as usize].into()),
            strength: self.rng.below(50_000),
        }
    }

    /// The withdrawal of an active deployment (there must be one).
    fn withdrawal(&mut self, s: &mut Slot) -> Kind {
        let idx = self.rng.below(self.deployments.len() as u64) as usize;
        let (x, y, r) = self.deployments.swap_remove(idx);
        self.follow(format!("D{x}/{y}/{r}"), s);
        Kind::Withdrawal {
            actor: self.actors[x].clone(),
            host: self.actors[y].clone(),
            region: Some(REGIONS[r as usize].into()),
        }
    }

    /// Arms transfers: about 30 suppliers, each selling two kinds of item.
    fn arms(&mut self, s: &Slot) -> Kind {
        let supplier = s.a % 30;
        let recipient = if s.b == supplier {
            (s.b + 1) % ACTORS
        } else {
            s.b
        };
        Kind::ArmsTransfer {
            supplier: self.actors[supplier].clone(),
            recipient: self.actors[recipient].clone(),
            item: ITEMS[(supplier + self.rng.below(2) as usize) % ITEMS.len()].to_string(),
            quantity: Some(self.rng.below(10_000) + 1),
            unit: None,
            description: None,
            delivered: None,
            delivery_years: Vec::new(),
            status: None,
            tiv_unit: None,
            tiv_order: None,
            tiv_delivered: None,
        }
    }

    /// Missile tests and (rarely) nuclear tests.
    fn test(&mut self, s: &Slot, roll: u64) -> Kind {
        let actor = self.actors[s.a].clone();
        if roll < 760 {
            Kind::MissileTest {
                actor,
                class: self.rng.pick(&CLASSES).to_string(),
                count: self.rng.below(5) + 1,
            }
        } else {
            Kind::NuclearTest { actor }
        }
    }

    /// A leader takes an office, or sometimes leaves one they hold.
    fn leader(&mut self, s: &mut Slot) -> Kind {
        let (a, o) = (s.a, self.rng.below(OFFICES.len() as u64) as usize);
        self.follow(format!("L{a}/{o}"), s);
        let actor = self.actors[a].clone();
        let office = OFFICES[o].to_string();
        if self.holders.contains(&(a, o)) && self.rng.chance(150) {
            self.holders.remove(&(a, o));
            Kind::LeaderLeftOffice {
                actor,
                office,
                person: None,
                exit: None,
            }
        } else {
            self.holders.insert((a, o));
            Kind::LeaderTookOffice {
                actor,
                office,
                person: format!("Person {}", self.rng.below(100_000)),
                entry: None,
            }
        }
    }

    /// An alliance forms, dissolves, loses or gains a member; or its members exercise.
    fn alliance(&mut self, s: &mut Slot) -> Kind {
        let al = self.rng.below(ALLIANCES as u64) as usize;
        self.follow(format!("A{al}"), s);
        let (a, b) = (s.a, s.b);
        let state = &mut self.alliances[al];
        let alliance = state.code.clone();
        if !state.formed {
            state.formed = true;
            state.members = [a, b].into_iter().collect();
            Kind::AllianceFormed {
                alliance,
                alliance_type: *self.rng.pick(&AllianceType::ALL.map(|(_, t)| t)),
                members: vec![self.actors[a].clone(), self.actors[b].clone()],
                name: None,
                signed: None,
                obligations: Vec::new(),
            }
        } else if self.rng.chance(20) {
            state.formed = false;
            state.members.clear();
            Kind::AllianceDissolved { alliance }
        } else if state.members.len() > 2 && self.rng.chance(300) {
            let nth = self.rng.below(state.members.len() as u64) as usize;
            let m = *state.members.iter().nth(nth).unwrap_or(&a);
            state.members.remove(&m);
            Kind::AllianceLeft {
                alliance,
                members: vec![self.actors[m].clone()],
            }
        } else if state.members.insert(a) {
            // `a` was not a member yet: it joins.
            Kind::AllianceJoined {
                alliance,
                members: vec![self.actors[a].clone()],
                obligations: Vec::new(),
            }
        } else {
            Kind::JointExercise {
                actors: vec![self.actors[a].clone(), self.actors[b].clone()],
                assets: vec!["ships".into()],
            }
        }
    }

    /// Joint exercises, and sanctions imposed or lifted.
    fn exercise_or_sanctions(&mut self, s: &Slot, roll: u64) -> Kind {
        let (a, b) = (self.actors[s.a].clone(), self.actors[s.b].clone());
        if roll < 940 {
            Kind::JointExercise {
                actors: vec![a, b],
                assets: Vec::new(),
            }
        } else if roll < 970 {
            Kind::SanctionsImposed {
                actor: a,
                against: b,
            }
        } else {
            Kind::SanctionsLifted {
                actor: a,
                against: b,
            }
        }
    }

    /// The event of fact `kind` at `date`, remembered as a possible amendment target if
    /// it is of a kind with no state to contradict.
    fn record(&mut self, i: usize, date: Date, kind: Kind) -> NewEvent {
        let content = Content::new(date, kind).with_summary(format!("synthetic event {i}"));
        let id = content_id(&content);
        if matches!(
            content.kind,
            Kind::Meeting { .. }
                | Kind::ArmsTransfer { .. }
                | Kind::MissileTest { .. }
                | Kind::Statement { .. }
        ) {
            self.facts.push((id, content.clone()));
        }
        NewEvent {
            id: Some(id),
            content,
        }
    }
}

/// Generate `n` events with `seed`.
pub fn generate(n: usize, seed: u64) -> Vec<NewEvent> {
    let mut generator = Generator::new(seed);
    (0..n).map(|i| generator.event(i, n)).collect()
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
