//! Reading a table: a preamble to skip, the header row, then one record at a time.
//!
//! Records are read as bytes by the `csv` crate and each cell is decoded on its own:
//! strict UTF-8 (an invalid byte is an error naming the line, never a silent U+FFFD) or
//! Windows-1252 (every byte is a character). Both are ASCII-compatible, so delimiters,
//! quotes and line ends are found before decoding. Header cells are trimmed; a blank one
//! (SIPRI has three single-space headers; spreadsheet junk columns have none) gets the
//! positional name `colN`, a repeated one `NAME_N` (N is the 1-based column). Records end
//! at `\n` (CRLF too; old-Mac files with bare CR line ends are not read).

use super::mapping::ReadSpec;
use super::DatasetError;
use std::io::BufRead;

/// A text encoding a mapping may declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

impl Encoding {
    fn from_name(name: &str) -> Option<Encoding> {
        match name.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" => Some(Encoding::Windows1252),
            _ => None,
        }
    }

    fn decode(self, bytes: &[u8]) -> Result<String, std::str::Utf8Error> {
        match self {
            Encoding::Utf8 => std::str::from_utf8(bytes).map(str::to_owned),
            Encoding::Windows1252 => Ok(encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned()),
        }
    }
}

/// Check `[read]`: one-byte delimiter and quote, a known encoding.
pub(super) fn check_read(spec: &ReadSpec) -> Result<(), String> {
    one_byte(&spec.delimiter).ok_or_else(|| {
        format!(
            "[read] delimiter must be one ASCII character, not `{}`",
            spec.delimiter
        )
    })?;
    if !spec.quote.is_empty() && one_byte(&spec.quote).is_none() {
        return Err(format!(
            "[read] quote must be one ASCII character or \"\" for none, not `{}`",
            spec.quote
        ));
    }
    Encoding::from_name(&spec.encoding).ok_or_else(|| {
        format!(
            "[read] unknown encoding `{}`: use utf-8 or windows-1252",
            spec.encoding
        )
    })?;
    Ok(())
}

fn one_byte(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [b] if b.is_ascii() => Some(*b),
        _ => None,
    }
}

/// One data record whose cell count matches the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The file line the record starts on (1-based, preamble included).
    pub line: u64,
    /// The 1-based data row (the header is not a row).
    pub number: u64,
    /// Trimmed cell values, one per header column.
    pub cells: Vec<String>,
}

/// What one record of the file is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Row(Row),
    /// A record with a different number of cells than the header (for example, one broken
    /// by a line break inside an unquoted field): reported, never guessed at.
    Ragged {
        line: u64,
        number: u64,
        cells: usize,
    },
}

/// Reads a table record by record.
pub struct TableReader<R: BufRead> {
    csv: csv::Reader<R>,
    encoding: Encoding,
    skipped: u64,
    header: Vec<String>,
    record: csv::ByteRecord,
    rows: u64,
}

impl<R: BufRead> TableReader<R> {
    /// Skip the preamble and read the header.
    pub fn open(spec: &ReadSpec, mut reader: R) -> Result<TableReader<R>, DatasetError> {
        check_read(spec).map_err(|reason| DatasetError::Read { line: 0, reason })?;
        let encoding = Encoding::from_name(&spec.encoding).unwrap_or(Encoding::Utf8);
        let skipped = skip_lines(&mut reader, spec.skip_lines)?;
        let mut builder = csv::ReaderBuilder::new();
        builder
            .has_headers(false)
            .flexible(true)
            // Records end at `\n` (a CRLF's `\r` is trimmed with the cell): a bare `\r`
            // inside a field must not split the record off the line it is on.
            .terminator(csv::Terminator::Any(b'\n'))
            .delimiter(one_byte(&spec.delimiter).unwrap_or(b','));
        match one_byte(&spec.quote) {
            Some(q) => builder.quote(q),
            None => builder.quoting(false),
        };
        let mut table = TableReader {
            csv: builder.from_reader(reader),
            encoding,
            skipped,
            header: Vec::new(),
            record: csv::ByteRecord::new(),
            rows: 0,
        };
        let raw = table.next_cells()?.ok_or_else(|| DatasetError::Read {
            line: skipped + 1,
            reason: "the file has no header row".into(),
        })?;
        table.header = normalise_header(raw.1);
        Ok(table)
    }

    /// The column names, normalised.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next record, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<Record>, DatasetError> {
        let Some((line, cells)) = self.next_cells()? else {
            return Ok(None);
        };
        self.rows += 1;
        let number = self.rows;
        if cells.len() != self.header.len() {
            return Ok(Some(Record::Ragged {
                line,
                number,
                cells: cells.len(),
            }));
        }
        Ok(Some(Record::Row(Row {
            line,
            number,
            cells,
        })))
    }

    /// The next record's line and trimmed, decoded cells.
    fn next_cells(&mut self) -> Result<Option<(u64, Vec<String>)>, DatasetError> {
        let more = self.csv.read_byte_record(&mut self.record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line()) + self.skipped;
            DatasetError::Read {
                line,
                reason: format!("cannot read the table: {e}"),
            }
        })?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line()) + self.skipped;
        let mut cells = Vec::with_capacity(self.record.len());
        for (i, field) in self.record.iter().enumerate() {
            let field = if line == self.skipped + 1 && i == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            let text = self.encoding.decode(field).map_err(|e| DatasetError::Read {
                line,
                reason: format!(
                    "column {}: invalid UTF-8 ({e}); if the file is Windows-1252, say `encoding = \"windows-1252\"` under [read]",
                    i + 1
                ),
            })?;
            cells.push(text.trim().to_owned());
        }
        Ok(Some((line, cells)))
    }
}

/// Consume `n` lines; returns how many there were.
fn skip_lines(reader: &mut impl BufRead, n: usize) -> Result<u64, DatasetError> {
    let mut buf = Vec::new();
    for i in 0..n {
        buf.clear();
        let read = reader.read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Err(DatasetError::Read {
                line: i as u64 + 1,
                reason: format!("the file ends within the {n} lines to skip before the header"),
            });
        }
    }
    Ok(n as u64)
}

/// Blank header cells get `colN`, repeated ones `NAME_N` (N: the 1-based column).
fn normalise_header(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let n = i + 1;
        let name = if name.is_empty() {
            format!("col{n}")
        } else if out.contains(&name) {
            format!("{name}_{n}")
        } else {
            name
        };
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(spec: &ReadSpec, text: &[u8]) -> (Vec<String>, Vec<Record>) {
        let mut t = TableReader::open(spec, text).unwrap();
        let mut records = Vec::new();
        while let Some(r) = t.next_record().unwrap() {
            records.push(r);
        }
        (t.header().to_vec(), records)
    }

    #[test]
    fn preamble_blank_headers_and_ragged_rows() {
        let spec = ReadSpec {
            skip_lines: 2,
            ..ReadSpec::default()
        };
        let text = b"title\nnotes\na, ,b,,a\n1,2,3,4,5\n1,2\n";
        let (header, records) = read(&spec, text);
        assert_eq!(header, ["a", "col2", "b", "col4", "a_5"]);
        assert!(matches!(&records[0], Record::Row(r) if r.line == 4 && r.number == 1));
        assert_eq!(
            records[1],
            Record::Ragged {
                line: 5,
                number: 2,
                cells: 2
            }
        );
    }

    #[test]
    fn windows_1252_and_bad_utf8() {
        let spec = ReadSpec {
            encoding: "windows-1252".into(),
            ..ReadSpec::default()
        };
        let (_, records) = read(&spec, b"name\nC\xf4te d'Ivoire\n");
        assert!(matches!(&records[0], Record::Row(r) if r.cells[0] == "Côte d'Ivoire"));
        let mut t = TableReader::open(&ReadSpec::default(), &b"name\nok\nC\xf4te\n"[..]).unwrap();
        assert!(t.next_record().is_ok());
        let err = t.next_record().unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("UTF-8"), "{err}");
    }
}
