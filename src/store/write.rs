//! Writing: the public append and import API. Every call goes to the log's appender with
//! the materializer as its [`crate::log::Derive`], so views move with the log in the same
//! durable commit.

use super::Store;
use crate::error::{InputError, Result};
use crate::log::append::Pending;
use crate::log::{AppendReport, ImportOptions, Outcome};
use crate::model::event::NewEvent;

use crate::model::interchange::ParsedLine;

impl Store {
    /// Append one event; it is durable when this returns. Returns its seq (or the seq it
    /// already had: appending the same content again is a no-op).
    ///
    /// ```
    /// use annals::{Content, Date, Kind, Code, Outcome};
    /// let store = annals::Store::temporary()?;
    /// let test = Content::new(Date::parse("2024-10-31")?, Kind::MissileTest {
    ///     actor: Code::parse("PRK").map_err(annals::Error::InvalidArgument)?,
    ///     class: "ICBM".into(),
    ///     count: 1,
    /// });
    /// assert_eq!(store.append(test.clone())?, Outcome::Appended(1));
    /// assert_eq!(store.append(test)?, Outcome::AlreadyPresent(1));
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn append(&self, event: impl Into<NewEvent>) -> Result<Outcome> {
        let report = self.append_batch([event.into()])?;
        Ok(report.events[0].1)
    }

    /// Append events atomically, in order: all of them or none. Events already stored with
    /// the same id and content are skipped and reported as present. A bad event fails the
    /// whole batch with [`crate::Error::InvalidInput`], naming each bad event by its position.
    ///
    /// ```
    /// use annals::interchange::parse_line;
    /// let store = annals::Store::temporary()?;
    /// let lines = [
    ///     r#"{"date":"1949-04-04","kind":"alliance_formed","alliance":"NATO","type":"defense_pact","members":["USA","CAN"]}"#,
    ///     r#"{"date":"1952-02-18","kind":"alliance_joined","alliance":"NATO","members":["GRC","TUR"]}"#,
    /// ];
    /// let events: Vec<_> = lines.iter().map(|l| parse_line(l).unwrap().event).collect();
    /// let report = store.append_batch(events)?;
    /// assert_eq!(report.seq_range(), Some((1, 2)));
    ///
    /// // Joining an alliance that does not exist yet is rejected; nothing is written.
    /// let odd = parse_line(r#"{"date":"1950","kind":"alliance_joined","alliance":"CSTO","members":["ARM"]}"#).unwrap().event;
    /// assert!(store.append_batch([odd]).is_err());
    /// assert_eq!(store.head().seq, 2);
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn append_batch<E: Into<NewEvent>>(
        &self,
        events: impl IntoIterator<Item = E>,
    ) -> Result<AppendReport> {
        self.log
            .commit(&self.history, Pending::numbered(events), None, false)
    }

    /// Like [`Store::append_batch`], but fails with [`crate::Error::Conflict`] and writes nothing
    /// unless the log still ends at `last_seq` (optimistic concurrency).
    pub fn append_expecting<E: Into<NewEvent>>(
        &self,
        last_seq: u64,
        events: impl IntoIterator<Item = E>,
    ) -> Result<AppendReport> {
        self.log.commit(
            &self.history,
            Pending::numbered(events),
            Some(last_seq),
            false,
        )
    }

    /// Append parsed interchange lines (numbered from 1 in input order). With
    /// `keep_recorded`, each line's `recorded` is kept (it must be present, and recorded
    /// times must not decrease); otherwise the clock assigns it.
    pub fn import_lines(
        &self,
        lines: Vec<(usize, ParsedLine)>,
        keep_recorded: bool,
    ) -> Result<AppendReport> {
        self.import_lines_with(lines, ImportOptions::default().keep_recorded(keep_recorded))
    }

    /// [`Store::import_lines`] with every option: `--keep-recorded`, `--strict` (warnings
    /// are errors), an expected last seq (optimistic concurrency: [`crate::Error::Conflict`]
    /// unless the log still ends there), or a dry run.
    pub fn import_lines_with(
        &self,
        lines: Vec<(usize, ParsedLine)>,
        options: ImportOptions,
    ) -> Result<AppendReport> {
        self.log.commit_lines(&self.history, lines, options)
    }

    /// Validate parsed lines exactly as [`Store::import_lines`] would — the same reference
    /// checks, idempotency checks and view checks against this store — without committing
    /// anything: the report says what an import would do, or the error lists every
    /// problem. (The events are staged past the head and discarded, as a failed import's
    /// are; the log and every answer are unchanged.)
    pub fn check_lines(
        &self,
        lines: Vec<(usize, ParsedLine)>,
        keep_recorded: bool,
    ) -> Result<AppendReport> {
        let options = ImportOptions::default()
            .keep_recorded(keep_recorded)
            .dry_run(true);
        self.log.commit_lines(&self.history, lines, options)
    }

    /// Import JSON Lines from `reader`, streaming: lines are parsed, checked and staged
    /// chunk by chunk, so memory stays bounded by the chunk size (plus about 40 bytes per
    /// distinct id-less line, to number identical lines: `interchange::occurrence_id`)
    /// whatever the input's size; the import
    /// commits all of them or, on any problem (a line that does not parse, an invalid
    /// event), none, and the error lists every problem by line. `progress` is called with
    /// the number of lines read so far, after each chunk.
    ///
    /// ```
    /// let store = annals::Store::temporary()?;
    /// let input = b"{\"date\":\"2024-10-31\",\"kind\":\"missile_test\",\"actor\":\"PRK\",\"class\":\"ICBM\"}\n";
    /// let report = store.import_reader(&input[..], false, &mut |_| {})?;
    /// assert_eq!(report.new_count(), 1);
    /// let bad = b"{\"date\":\"2024-11\",\"kind\":\"missile_test\",\"actor\":\"PRK\",\"class\":\"SRBM\"}\nnot json\n";
    /// assert!(store.import_reader(&bad[..], false, &mut |_| {}).is_err());
    /// assert_eq!(store.head().seq, 1); // nothing of the failed import was kept
    /// # Ok::<(), annals::Error>(())
    /// ```
    pub fn import_reader(
        &self,
        reader: impl std::io::BufRead,
        keep_recorded: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let options = ImportOptions::default().keep_recorded(keep_recorded);
        self.import_reader_with(reader, options, progress)
    }

    /// [`Store::import_reader`] with every option (see [`Store::import_lines_with`]); with
    /// `dry_run` it is [`Store::check_reader`].
    pub fn import_reader_with(
        &self,
        reader: impl std::io::BufRead,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        self.log
            .commit_reader(&self.history, reader, options, progress)
    }

    /// Validate JSON Lines from `reader` exactly as [`Store::import_reader`] would,
    /// without committing anything (see [`Store::check_lines`]).
    pub fn check_reader(
        &self,
        reader: impl std::io::BufRead,
        keep_recorded: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let options = ImportOptions::default()
            .keep_recorded(keep_recorded)
            .dry_run(true);
        self.log
            .commit_reader(&self.history, reader, options, progress)
    }

    /// Import events made elsewhere (a dataset importer), streaming exactly as
    /// [`Store::import_reader`] does: chunk by chunk in bounded memory, all or nothing.
    /// Each item is an event with the 1-based input line it came from, or a problem of
    /// the input, which fails the import (and is reported with the others). With
    /// `dry_run`, everything is checked and nothing is committed.
    pub fn import_events(
        &self,
        events: impl Iterator<Item = std::result::Result<(usize, NewEvent), InputError>>,
        dry_run: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let options = ImportOptions::default().dry_run(dry_run);
        self.import_events_with(events, options, progress)
    }

    /// [`Store::import_events`] with every option (see [`Store::import_lines_with`];
    /// `keep_recorded` does not apply: the events carry no recorded time).
    pub fn import_events_with(
        &self,
        events: impl Iterator<Item = std::result::Result<(usize, NewEvent), InputError>>,
        options: ImportOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<AppendReport> {
        let input = events.map(|item| {
            item.map(|(line, event)| Pending {
                line,
                event,
                recorded: None,
                unresolved: None,
            })
        });
        self.log
            .commit_stream(&self.history, input, options, progress)
    }
}
