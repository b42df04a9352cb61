//! How records are printed: a table on a terminal, JSON when piped, or the format asked for
//! (`--output table|json|jsonl|csv`), with `--fields` choosing columns by (nested) path.

use serde_json::Value;
use std::io::Write;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns (the default on a terminal).
    Table,
    /// JSON: one value, or an array of records (the default when piped).
    Json,
    /// One JSON record per line (the default for `--all` when piped).
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

/// What to print and how.
pub struct Printer {
    format: Format,
    fields: Option<Vec<String>>,
    color: bool,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    /// Records held back (tables need every row to size their columns; JSON arrays and CSV
    /// need the first record for their header).
    held: Vec<Value>,
    /// Columns, once known (CSV writes its header as soon as it knows them).
    columns: Option<Vec<String>>,
    csv: Option<csv::Writer<std::io::StdoutLock<'static>>>,
    /// Records written so far.
    written: u64,
}

impl Printer {
    /// A printer on stdout. `format` is the one asked for, else the default for where stdout
    /// goes; `streaming` says whether records come one by one (`--all`).
    pub fn new(format: Option<Format>, fields: Option<&str>, streaming: bool) -> Self {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal();
        let format = format.unwrap_or(match (terminal, streaming) {
            (true, _) => Format::Table,
            (false, true) => Format::Jsonl,
            (false, false) => Format::Json,
        });
        let fields = fields.map(|f| f.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
        Self {
            format,
            fields,
            color: terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            out: std::io::BufWriter::new(std::io::stdout().lock()),
            held: Vec::new(),
            columns: None,
            csv: None,
            written: 0,
        }
    }

    /// Prints one value that is not a list (an entity, a message).
    pub fn value(mut self, value: &Value) -> std::io::Result<()> {
        match (self.format, value) {
            // JSON lines are one record per line, a list's records included.
            (Format::Jsonl, Value::Array(items)) if self.fields.is_none() => {
                for item in items {
                    serde_json::to_writer(&mut self.out, item)?;
                    self.out.write_all(b"\n")?;
                }
                self.out.flush()
            }
            (Format::Json, _) | (Format::Jsonl, _) if self.fields.is_none() => {
                if self.format == Format::Json {
                    serde_json::to_writer_pretty(&mut self.out, value)?;
                } else {
                    serde_json::to_writer(&mut self.out, value)?;
                }
                self.out.write_all(b"\n")?;
                self.out.flush()
            }
            (_, Value::Array(items)) => {
                for item in items {
                    self.record(item.clone())?;
                }
                self.finish()
            }
            (_, Value::Object(_)) => {
                self.record(value.clone())?;
                self.finish()
            }
            (_, other) => {
                writeln!(self.out, "{}", cell(other))?;
                self.out.flush()
            }
        }
    }

    /// Adds one record of a list.
    pub fn record(&mut self, record: Value) -> std::io::Result<()> {
        self.written += 1;
        if self.written == 1 {
            self.check_fields(&record)?;
        }
        match self.format {
            Format::Jsonl => {
                let projected = project(self.fields.as_deref(), &record);
                serde_json::to_writer(&mut self.out, &projected)?;
                self.out.write_all(b"\n")
            }
            Format::Json => {
                let projected = project(self.fields.as_deref(), &record);
                self.out.write_all(if self.written == 1 { b"[\n  " } else { b",\n  " })?;
                serde_json::to_writer(&mut self.out, &projected)?;
                Ok(())
            }
            Format::Csv => {
                let columns = self.columns_for(&record);
                let writer = self.csv.get_or_insert_with(|| csv::Writer::from_writer(std::io::stdout().lock()));
                if self.written == 1 {
                    writer.write_record(&columns).map_err(std::io::Error::from)?;
                }
                writer.write_record(columns.iter().map(|c| cell(lookup(&record, c)))).map_err(std::io::Error::from)
            }
            Format::Table => {
                self.held.push(record);
                Ok(())
            }
        }
    }

    /// Writes out what is buffered (a live stream shows each record as it comes).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// `--fields` against the first record: a path it does not have is an error (kind
    /// `InvalidInput`, exit 2) naming the fields it has, not an empty column.
    fn check_fields(&self, record: &Value) -> std::io::Result<()> {
        let Some(fields) = &self.fields else { return Ok(()) };
        let unknown: Vec<&str> = fields.iter().filter(|f| !has_path(record, f)).map(String::as_str).collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let known: Vec<&str> = record.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("--fields {}: not a field of these records (they have {})", unknown.join(","), known.join(", ")),
        ))
    }

    /// Whether records can be written as the server sent them ([`raw_record`](Self::raw_record)):
    /// JSON or JSON lines, every field.
    pub fn takes_raw(&self) -> bool {
        matches!(self.format, Format::Json | Format::Jsonl) && self.fields.is_none()
    }

    /// Adds one record given as its JSON text (see [`takes_raw`](Self::takes_raw)). The text
    /// goes out as it is unless it spans lines (a pretty-printed body), which JSON lines cannot
    /// hold: that record is written compact.
    pub fn raw_record(&mut self, record: &serde_json::value::RawValue) -> std::io::Result<()> {
        let text = record.get();
        if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some() {
            let value: Value = serde_json::from_str(text).map_err(std::io::Error::other)?;
            return self.record(value);
        }
        self.written += 1;
        if self.format == Format::Json {
            self.out.write_all(if self.written == 1 { b"[\n  " } else { b",\n  " })?;
            return self.out.write_all(text.as_bytes());
        }
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Ends the output (closes a JSON array, prints a table).
    pub fn finish(mut self) -> std::io::Result<()> {
        match self.format {
            Format::Json if self.written == 0 => self.out.write_all(b"[]\n")?,
            Format::Json => self.out.write_all(b"\n]\n")?,
            Format::Csv => {
                if let Some(mut writer) = self.csv.take() {
                    writer.flush()?;
                }
            }
            Format::Table => self.table()?,
            Format::Jsonl => {}
        }
        self.out.flush()
    }

    fn columns_for(&mut self, first: &Value) -> Vec<String> {
        if self.columns.is_none() {
            self.columns = Some(self.fields.clone().unwrap_or_else(|| default_columns(first)));
        }
        self.columns.clone().unwrap_or_default()
    }

    fn table(&mut self) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        let Some(first) = held.first() else { return Ok(()) };
        let columns = self.columns_for(first);
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::NOTHING);
        let header: Vec<String> = columns
            .iter()
            .map(|c| {
                let name = c.to_ascii_uppercase();
                if self.color {
                    format!("\u{1b}[1m{name}\u{1b}[0m")
                } else {
                    name
                }
            })
            .collect();
        table.set_header(header);
        for record in &held {
            table.add_row(columns.iter().map(|c| cell(lookup(record, c))).collect::<Vec<_>>());
        }
        for line in table.lines() {
            // The preset pads each cell by one space on both sides; the first column needs none.
            let line = line.strip_prefix(' ').unwrap_or(&line);
            writeln!(self.out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// The record reduced to `--fields` (nested paths become keys as written); the record itself,
/// not a copy, without them.
fn project<'r>(fields: Option<&[String]>, record: &'r Value) -> std::borrow::Cow<'r, Value> {
    match fields {
        None => std::borrow::Cow::Borrowed(record),
        Some(fields) => std::borrow::Cow::Owned(Value::Object(
            fields.iter().map(|f| (f.clone(), lookup(record, f).clone())).collect(),
        )),
    }
}

/// The value at a dotted path (`service.summary`, `assignments.0.assignee.summary`); `null`
/// when any step is missing.
pub fn lookup<'a>(record: &'a Value, path: &str) -> &'a Value {
    let mut at = record;
    for step in path.split('.') {
        at = match at {
            Value::Object(map) => map.get(step).unwrap_or(&Value::Null),
            Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)).unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
    }
    at
}

/// Whether a dotted path (as [`lookup`] reads it) names something the record has, `null` included.
fn has_path(record: &Value, path: &str) -> bool {
    let mut at = record;
    for step in path.split('.') {
        let next = match at {
            Value::Object(map) => map.get(step),
            Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(next) => at = next,
            // A list shorter than the index, or a null on the way: the field exists.
            None => return matches!(at, Value::Array(_) | Value::Null),
        }
    }
    true
}

/// A value as one cell of text: strings as they are, references by their summary, lists
/// joined with commas, other objects as compact JSON.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.replace(['\n', '\r', '\t'], " "),
        Value::Number(_) | Value::Bool(_) => value.to_string(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        Value::Object(map) => match map.get("summary").or_else(|| map.get("name")) {
            Some(Value::String(s)) => s.clone(),
            _ => value.to_string(),
        },
    }
}

/// Fields that make a good default column, in order: identity, label, content, state,
/// ownership, time.
const PREFERRED: &[&str] = &[
    "id",
    "incident_number",
    "title",
    "name",
    "summary",
    "description",
    "content",
    "email",
    "status",
    "urgency",
    "role",
    "service",
    "services",
    "user",
    "schedule",
    "escalation_policy",
    "escalation_level",
    "start",
    "end",
    "start_time",
    "end_time",
    "created_at",
];

/// The default columns of a record: the preferred fields its kind has (at most seven;
/// `summary` only when there is no title, name, description or content), else its first scalar
/// fields. Chosen by which fields the record has, never by their values, so a listing's
/// columns are the same from one run to the next.
pub fn default_columns(record: &Value) -> Vec<String> {
    let Some(map) = record.as_object() else { return vec![] };
    let has = |k: &str| map.contains_key(k);
    let labelled = ["title", "name", "description", "content"].iter().any(|k| has(k));
    let mut columns: Vec<String> = PREFERRED
        .iter()
        .filter(|k| has(k))
        .filter(|k| **k != "summary" || !labelled)
        .take(7)
        .map(|k| k.to_string())
        .collect();
    if columns.len() <= 1 {
        columns = map.iter().filter(|(_, v)| !v.is_object() && !v.is_array()).take(6).map(|(k, _)| k.clone()).collect();
    }
    columns
}
