//! Views: folds of the effective timeline into state, as of a day.
//!
//! Owns: the one [`View`] trait that every view implements (the built-ins and any an
//! embedder registers), its interval form [`KeyedView`] (a map of row keys to entries, one
//! key per fact), the [`Fact`] a fold sees, and the type-erased forms the materializer
//! uses to fold, index, checkpoint, rebuild and verify every view the same way.
//!
//! Which views use which store: a view registered with [`ViewRegistration::keyed`] (the
//! built-ins) is kept in the bitemporal row-version index; one registered with
//! [`ViewRegistration::of`] is kept as checkpoints of its whole state.
//!
//! Invariants: `apply` is total — it never panics and always leaves a valid state; an
//! event that makes no sense at its position (an oddity, e.g. joining an alliance that does
//! not exist yet) is ignored by the fold and reported as `Err(reason)`, which the store
//! turns into a rejection when the event is being appended. A state's encoding is
//! deterministic (ordered maps only), so equal states encode to equal bytes. Rows are
//! typed (`View::Row`); `diff` compares them typed ([`diff_rows`], [`View::same_row`]).
//!
//! May import: `crate::model` (the facts folded) and `crate::format` (the state's
//! encoding). Views know nothing of the log, the engines or checkpoints.

mod alliances;
pub mod arms;
pub mod conflicts;
mod deployments;
mod leaders;
mod states;
mod tests_view;

pub use alliances::{default_obligations, AllianceRow, Alliances};
pub use arms::{Arms, ArmsRow, Thousandths};
pub use conflicts::{ConflictRow, Conflicts};
pub use deployments::{DeploymentRow, Deployments};
pub use leaders::{LeaderRow, Leaders};
pub use states::{StateRow, States};
pub use tests_view::{TestRow, Tests};

use crate::format::envelope::{decode_payload, encode_payload};
use crate::model::date::{Date, Day};
use crate::model::event::{Code, Content, KindTag, KIND_COUNT};
use serde::{de::DeserializeOwned, Serialize};
use std::any::Any;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Write;
use std::marker::PhantomData;
use std::sync::Arc;

/// One fact as a view folds it: the version in effect of an event.
#[derive(Clone, Copy, Debug)]
pub struct Fact<'a> {
    /// The seq of the version in effect (the event's, or its correction's).
    pub seq: u64,
    /// Its valid-time date.
    pub date: &'a Date,
    /// Its content (never a retraction or correction).
    pub content: &'a Content,
}

/// A materialized view. Implement it for your own type and register it with
/// [`crate::StoreOptions::with_view`]; it is then folded, checkpointed, rebuilt and
/// verified exactly like the built-in views.
pub trait View: Send + Sync + 'static {
    /// Unique name, 1–16 characters of `[a-z0-9_]`; the CLI and the storage keys use it.
    const NAME: &'static str;
    /// Bump when `State`'s encoding or the fold's meaning changes: stored checkpoints of
    /// another version are discarded and rebuilt, never trusted.
    const VERSION: u32;
    /// The folded state. Use ordered maps so the encoding is deterministic.
    type State: Serialize
        + DeserializeOwned
        + Default
        + Clone
        + PartialEq
        + Debug
        + Send
        + Sync
        + 'static;
    /// One row of an answer.
    type Row: Serialize + Clone + PartialEq + Debug + Send + 'static;

    /// Whether events of this kind change the state. Events of other kinds are never read
    /// for this view. Prefer `matches!(kind, KindTag::A | KindTag::B)`: a kind added later
    /// is then not folded until the view says so.
    fn consumes(kind: KindTag) -> bool;

    /// Whether an event of this kind can be an oddity that appends should reject.
    fn may_reject(_kind: KindTag) -> bool {
        false
    }

    /// Fold one fact. Total: on an oddity, leave the state sensible and return the reason.
    fn apply(state: &mut Self::State, fact: &Fact<'_>) -> Result<(), String>;

    /// The rows of `state` as of `as_of`, in the view's documented order.
    fn rows(state: &Self::State, as_of: Day) -> Vec<Self::Row>;

    /// Whether a row involves `code` (for `--actor` filters).
    fn row_mentions(row: &Self::Row, code: &Code) -> bool;

    /// The identity of a row (what `diff` matches rows by), e.g. `PRK/RUS/Kursk`.
    fn row_key(row: &Self::Row) -> String;

    /// Whether two rows with the same key state the same facts: `diff` reports a row as
    /// changed only when they do not. The default compares the rows; the built-in views
    /// ignore `certain`, which changes with the as-of day alone.
    fn same_row(a: &Self::Row, b: &Self::Row) -> bool {
        a == b
    }
}

/// The interval form of a view: its state is a map from row keys to entries, and the fact of
/// an event reads and writes the entry of one key only, the one [`KeyedView::key_of`]
/// names. Such a view registered with [`ViewRegistration::keyed`] is kept in the
/// bitemporal row-version index (every version of every entry, with its valid and
/// knowledge intervals) instead of whole-state checkpoints: as-of and known-at answers are
/// index probes, `--actor` is a key-range probe, and a backdated event rewrites only the
/// versions of the key it touches.
///
/// The contract, which the store relies on: `apply` of a fact whose key is `k` reads and
/// writes only `state[k]`, and leaves the state unchanged when `key_of` says `None`.
pub trait KeyedView:
    View<State = BTreeMap<<Self as KeyedView>::Key, <Self as KeyedView>::Entry>>
{
    /// A row key, e.g. (actor, host, region). Its bincode form is stored in index keys.
    type Key: Ord + Clone + Serialize + DeserializeOwned + Debug + Send + Sync + 'static;
    /// What the state keeps per key.
    type Entry: Clone + PartialEq + Serialize + DeserializeOwned + Debug + Send + Sync + 'static;

    /// The key whose entry a fact with this content reads and writes, or `None` when the
    /// view does not fold it.
    fn key_of(content: &Content) -> Option<Self::Key>;
}

/// Whether `a` and `b` are equal once `normalize` has been applied to a copy of each
/// (the built-in views' [`View::same_row`]: equal but for `certain`).
pub fn equal_after<R: Clone + PartialEq>(a: &R, b: &R, normalize: impl Fn(&mut R)) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    normalize(&mut a);
    normalize(&mut b);
    a == b
}

/// One row that `diff` found changed: its key and the row before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change<R> {
    pub key: String,
    pub from: R,
    pub to: R,
}

/// Rows added, removed and changed between two answers of one view, each in key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowDiff<R> {
    pub added: Vec<R>,
    pub removed: Vec<R>,
    pub changed: Vec<Change<R>>,
}

impl<R> RowDiff<R> {
    /// The same diff with every row converted by `f`.
    pub fn map<S>(self, f: impl Fn(R) -> S) -> RowDiff<S> {
        RowDiff {
            added: self.added.into_iter().map(&f).collect(),
            removed: self.removed.into_iter().map(&f).collect(),
            changed: self
                .changed
                .into_iter()
                .map(|c| Change {
                    key: c.key,
                    from: f(c.from),
                    to: f(c.to),
                })
                .collect(),
        }
    }
}

/// The rows of `V` added, removed and changed from `before` to `after`, matched by
/// [`View::row_key`] and compared with [`View::same_row`].
pub fn diff_rows<V: View>(before: Vec<V::Row>, after: Vec<V::Row>) -> RowDiff<V::Row> {
    let key = |rows: Vec<V::Row>| -> BTreeMap<String, V::Row> {
        rows.into_iter().map(|r| (V::row_key(&r), r)).collect()
    };
    let (mut before, after) = (key(before), key(after));
    let mut d = RowDiff {
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
    };
    for (key, row) in after {
        match before.remove(&key) {
            None => d.added.push(row),
            Some(old) if !V::same_row(&old, &row) => d.changed.push(Change {
                key,
                from: old,
                to: row,
            }),
            Some(_) => {}
        }
    }
    d.removed = before.into_values().collect();
    d
}

/// `certain` for a row: every supporting date has ended by `as_of`.
pub fn certain_as_of(latest_supporting_day: Day, as_of: Day) -> bool {
    latest_supporting_day <= as_of
}

/// Whether an ending (a departure, a dissolution, a withdrawal, leaving office) dated
/// `ending` has certainly taken effect as of `as_of`, so that what it ends is gone.
///
/// The rule every built-in view follows: an ending takes effect on its date's **latest**
/// day. From its earliest day until then, what it ends is still shown, with `certain:
/// false` (the ending's latest day is after the as-of day, as for any supporting date). A
/// departure dated `2004-03` keeps the member, uncertain, from 2004-03-01 to 2004-03-30,
/// and the member is gone from 2004-03-31, when the departure has certainly happened. A
/// day-precise ending takes effect on its day, as it always did. So a row that may still
/// be valid never vanishes silently.
pub fn ended_as_of(ending: Option<&Date>, as_of: Day) -> bool {
    ending.is_some_and(|d| d.latest() <= as_of)
}

/// A view's state behind a type-erased handle.
pub(crate) trait ErasedState: Send {
    fn apply(&mut self, fact: &Fact<'_>) -> Result<(), String>;
    fn encode(&self) -> Vec<u8>;
    fn as_any(&self) -> &dyn Any;
    fn eq_state(&self, other: &dyn ErasedState) -> bool;
}

struct StateBox<V: View>(V::State);

impl<V: View> ErasedState for StateBox<V> {
    fn apply(&mut self, fact: &Fact<'_>) -> Result<(), String> {
        V::apply(&mut self.0, fact)
    }
    fn encode(&self) -> Vec<u8> {
        crate::format::envelope::encode_payload(&self.0)
    }
    fn as_any(&self) -> &dyn Any {
        &self.0
    }
    fn eq_state(&self, other: &dyn ErasedState) -> bool {
        other.as_any().downcast_ref::<V::State>() == Some(&self.0)
    }
}

/// A view behind a type-erased handle: what the materializer works with.
pub(crate) trait ErasedView: Send + Sync {
    fn name(&self) -> &'static str;
    fn version(&self) -> u32;
    /// Whether the view folds entries of this posting code (a [`KindTag`] as `u8`).
    fn consumes_code(&self, code: u8) -> bool;
    fn may_reject_code(&self, code: u8) -> bool;
    fn empty(&self) -> Box<dyn ErasedState>;
    /// The interval form, for views registered with [`ViewRegistration::keyed`].
    fn keyed(&self) -> Option<&dyn ErasedKeyed>;
    fn decode(&self, bytes: &[u8]) -> Option<Box<dyn ErasedState>>;
    /// Rows as (identity, JSON), optionally only those mentioning `actor`.
    fn rows_json(
        &self,
        state: &dyn ErasedState,
        as_of: Day,
        actor: Option<&Code>,
    ) -> Vec<(String, serde_json::Value)>;
    /// Write the rows of `state` as of `as_of` (only those mentioning `actor`, if given) to
    /// `out`, each serialized from the typed row and framed by `frame`; how many were written.
    fn write_rows_json(
        &self,
        state: &dyn ErasedState,
        as_of: Day,
        actor: Option<&Code>,
        frame: &RowFrame<'_>,
        out: &mut dyn Write,
    ) -> std::io::Result<usize>;
    /// The typed [`diff_rows`] of the rows as of `from` in `before` and as of `to` in
    /// `after`, with the rows then given as JSON (for a view chosen by name).
    fn diff_json(
        &self,
        before: (&dyn ErasedState, Day),
        after: (&dyn ErasedState, Day),
    ) -> RowDiff<serde_json::Value>;
}

/// The bytes written around rows by [`ErasedView::write_rows_json`]: `before` and `after`
/// each row, `between` two rows (e.g. a basis wrapper per JSON line, or `,` in an array).
pub(crate) struct RowFrame<'a> {
    pub before: &'a [u8],
    pub after: &'a [u8],
    pub between: &'a [u8],
}

/// A keyed view behind a type-erased handle: keys and entries as their bincode bytes.
pub(crate) trait ErasedKeyed: Send + Sync {
    /// The bincode of the key a fact with this content touches.
    fn key_of(&self, content: &Content) -> Option<Vec<u8>>;
    /// Fold `facts` into the entry of `key`, starting from `base` (absent when `None`):
    /// for each fact, the entry after it (bincode; `None` = absent) and the fold's verdict.
    /// `None` when the key or the base does not decode.
    fn refold(&self, key: &[u8], base: Option<&[u8]>, facts: &[Fact<'_>]) -> Option<Refolded>;
    /// The state made of these (key, entry) pairs; `None` when one does not decode.
    fn state_from(&self, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Option<Box<dyn ErasedState>>;
}

/// Per fact of a refold: the entry after it (bincode; `None` = absent) and the verdict.
pub(crate) type Refolded = Vec<(Option<Vec<u8>>, Result<(), String>)>;

struct KeyedPart<V: KeyedView>(PhantomData<fn() -> V>);

impl<V: KeyedView> ErasedKeyed for KeyedPart<V> {
    fn key_of(&self, content: &Content) -> Option<Vec<u8>> {
        V::key_of(content).map(|k| encode_payload(&k))
    }
    fn refold(&self, key: &[u8], base: Option<&[u8]>, facts: &[Fact<'_>]) -> Option<Refolded> {
        let key: V::Key = decode_payload(key).ok()?;
        let mut state = BTreeMap::new();
        if let Some(base) = base {
            state.insert(key.clone(), decode_payload::<V::Entry>(base).ok()?);
        }
        let out = facts
            .iter()
            .map(|fact| {
                let verdict = V::apply(&mut state, fact);
                // A view breaking the contract cannot leak other keys into this one.
                state.retain(|k, _| *k == key);
                (state.get(&key).map(encode_payload), verdict)
            })
            .collect();
        Some(out)
    }
    fn state_from(&self, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Option<Box<dyn ErasedState>> {
        let mut state = BTreeMap::new();
        for (k, e) in entries {
            state.insert(
                decode_payload::<V::Key>(&k).ok()?,
                decode_payload::<V::Entry>(&e).ok()?,
            );
        }
        Some(Box::new(StateBox::<V>(state)))
    }
}

struct Adapter<V: View> {
    /// Indexed by kind tag.
    consumes: [bool; KIND_COUNT],
    rejects: [bool; KIND_COUNT],
    keyed: Option<Box<dyn ErasedKeyed>>,
    _view: PhantomData<fn() -> V>,
}

impl<V: View> Adapter<V> {
    fn new(keyed: Option<Box<dyn ErasedKeyed>>) -> Self {
        let mut consumes = [false; KIND_COUNT];
        let mut rejects = [false; KIND_COUNT];
        for tag in KindTag::ALL {
            consumes[tag as usize] = V::consumes(tag);
            rejects[tag as usize] = V::consumes(tag) && V::may_reject(tag);
        }
        Adapter {
            consumes,
            rejects,
            keyed,
            _view: PhantomData,
        }
    }
}

impl<V: View> ErasedView for Adapter<V> {
    fn name(&self) -> &'static str {
        V::NAME
    }
    fn version(&self) -> u32 {
        V::VERSION
    }
    fn consumes_code(&self, code: u8) -> bool {
        self.consumes.get(code as usize).copied().unwrap_or(false)
    }
    fn may_reject_code(&self, code: u8) -> bool {
        self.rejects.get(code as usize).copied().unwrap_or(false)
    }
    fn empty(&self) -> Box<dyn ErasedState> {
        Box::new(StateBox::<V>(V::State::default()))
    }
    fn keyed(&self) -> Option<&dyn ErasedKeyed> {
        self.keyed.as_deref()
    }
    fn decode(&self, bytes: &[u8]) -> Option<Box<dyn ErasedState>> {
        crate::format::envelope::decode_payload::<V::State>(bytes)
            .ok()
            .map(|s| Box::new(StateBox::<V>(s)) as Box<dyn ErasedState>)
    }
    fn rows_json(
        &self,
        state: &dyn ErasedState,
        as_of: Day,
        actor: Option<&Code>,
    ) -> Vec<(String, serde_json::Value)> {
        let Some(state) = state_of::<V>(state) else {
            return Vec::new();
        };
        V::rows(state, as_of)
            .into_iter()
            .filter(|r| actor.is_none_or(|a| V::row_mentions(r, a)))
            .map(|r| {
                (
                    V::row_key(&r),
                    serde_json::to_value(&r).unwrap_or(serde_json::Value::Null),
                )
            })
            .collect()
    }
    fn write_rows_json(
        &self,
        state: &dyn ErasedState,
        as_of: Day,
        actor: Option<&Code>,
        frame: &RowFrame<'_>,
        out: &mut dyn Write,
    ) -> std::io::Result<usize> {
        let Some(state) = state_of::<V>(state) else {
            return Ok(0);
        };
        // One reused buffer: a row is serialized with static dispatch, then written at once.
        let mut buf = Vec::with_capacity(256);
        let mut written = 0;
        let rows = V::rows(state, as_of);
        for row in rows
            .iter()
            .filter(|r| actor.is_none_or(|a| V::row_mentions(r, a)))
        {
            buf.clear();
            if written > 0 {
                buf.extend_from_slice(frame.between);
            }
            buf.extend_from_slice(frame.before);
            serde_json::to_writer(&mut buf, row)?;
            buf.extend_from_slice(frame.after);
            out.write_all(&buf)?;
            written += 1;
        }
        Ok(written)
    }
    fn diff_json(
        &self,
        (before, from): (&dyn ErasedState, Day),
        (after, to): (&dyn ErasedState, Day),
    ) -> RowDiff<serde_json::Value> {
        let rows = |state: &dyn ErasedState, day: Day| {
            state_of::<V>(state).map_or_else(Vec::new, |s| V::rows(s, day))
        };
        diff_rows::<V>(rows(before, from), rows(after, to))
            .map(|r| serde_json::to_value(&r).unwrap_or(serde_json::Value::Null))
    }
}

/// A view to register with a store (see [`crate::StoreOptions::with_view`]).
#[derive(Clone)]
pub struct ViewRegistration(pub(crate) Arc<dyn ErasedView>);

impl ViewRegistration {
    /// The registration of view `V`, kept as checkpoints of its whole state.
    pub fn of<V: View>() -> ViewRegistration {
        ViewRegistration(Arc::new(Adapter::<V>::new(None)))
    }

    /// The registration of a keyed view `V`, kept in the bitemporal row-version index.
    pub fn keyed<V: KeyedView>() -> ViewRegistration {
        let part: Box<dyn ErasedKeyed> = Box::new(KeyedPart::<V>(PhantomData));
        ViewRegistration(Arc::new(Adapter::<V>::new(Some(part))))
    }

    /// Whether the view is kept in the row-version index (else as checkpoints).
    pub fn is_keyed(&self) -> bool {
        self.0.keyed().is_some()
    }

    /// The view's name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

impl Debug for ViewRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ViewRegistration({})", self.0.name())
    }
}

/// The built-in views, in the order the CLI lists them.
pub fn builtin() -> Vec<ViewRegistration> {
    vec![
        ViewRegistration::keyed::<Alliances>(),
        ViewRegistration::keyed::<Deployments>(),
        ViewRegistration::keyed::<Leaders>(),
        ViewRegistration::keyed::<Arms>(),
        ViewRegistration::keyed::<Tests>(),
        ViewRegistration::keyed::<Conflicts>(),
        ViewRegistration::keyed::<States>(),
    ]
}

/// Names of the built-in views.
pub const BUILTIN_NAMES: [&str; 7] = [
    "alliances",
    "deployments",
    "leaders",
    "arms",
    "tests",
    "conflicts",
    "states",
];

/// Downcast an erased state to `V`'s state.
pub(crate) fn state_of<V: View>(state: &dyn ErasedState) -> Option<&V::State> {
    state.as_any().downcast_ref::<V::State>()
}

/// Check a view name: 1–16 characters of `[a-z0-9_]`.
pub(crate) fn valid_view_name(name: &str) -> bool {
    (1..=16).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
