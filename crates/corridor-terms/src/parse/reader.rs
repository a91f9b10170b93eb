//! Reading a span-preserving TOML tree field by field, collecting every error with its position.
//!
//! [`super`] decides what an agreement file *means*; this module only knows how its values are
//! *read*: tables with a closed set of keys, facts written plainly or as
//! `{ value = …, source = … }`, typed scalars and lists, and byte offsets turned into 1-based
//! lines and columns. Every reader method reports its own errors and returns `None` on failure,
//! so the walker can carry on and find the next error instead of stopping at the first.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{AgreementError, LIST_ENTRIES_MAX, SOURCE_LENGTH_MAX};

/// A TOML value with the byte range it was written at.
pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// The key that carries a source note, on a table or inside a fact written as a table.
pub(super) const SOURCE_KEY: &str = "source";

/// The key that carries the value of a fact written as a table.
const FACT_VALUE_KEY: &str = "value";

/// Whether a table may carry a `source` note of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TableSource {
    /// The table is a group of facts that one note may cover.
    Allowed,
    /// The whole file: one note for everything would label no fact in particular.
    Forbidden,
}

/// Collects errors and source notes while the walker reads the tree.
#[derive(Debug)]
pub(super) struct Reader<'t> {
    file: &'t str,
    text: &'t str,
    /// Byte offset at which each line starts; the first is always 0.
    line_starts: Vec<usize>,
    errors: Vec<AgreementError>,
    sources: BTreeMap<String, String>,
}

/// A table whose keys have been checked against the ones its section allows.
#[derive(Debug)]
pub(super) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    path: String,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// The dotted path of `key` in this table.
    pub(super) fn path(&self, key: &str) -> String {
        child(&self.path, key)
    }

    /// The value of an optional key.
    pub(super) fn optional(&self, key: &str) -> Option<&'a Value<'i>> {
        self.table.get(key)
    }

    /// The value of a required key, reporting its absence at the table.
    pub(super) fn required(&self, reader: &mut Reader<'_>, key: &str) -> Option<&'a Value<'i>> {
        let value = self.table.get(key);
        if value.is_none() {
            reader.error(
                &self.span,
                &self.path(key),
                format!("missing required field `{key}`"),
            );
        }
        value
    }
}

/// The dotted path of `key` under `path` (the file's top level has the empty path).
pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of entry `index` (0-based) of the list at `path`.
pub(super) fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl<'t> Reader<'t> {
    /// A reader for `text`, reporting errors against `file`.
    pub(super) fn new(file: &'t str, text: &'t str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
            .collect();
        Self {
            file,
            text,
            line_starts,
            errors: Vec::new(),
            sources: BTreeMap::new(),
        }
    }

    /// The errors in file order, and the source notes by path.
    pub(super) fn finish(mut self) -> (Vec<AgreementError>, BTreeMap<String, String>) {
        // Tables are visited in key order, not file order; sort so the report reads top to bottom.
        // The field breaks ties between errors at one spot, e.g. several missing fields of a table.
        self.errors
            .sort_by(|a, b| (a.line, a.column, &a.field).cmp(&(b.line, b.column, &b.field)));
        (self.errors, self.sources)
    }

    /// The 1-based line and column (counted in characters) of a byte offset.
    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        // `line_starts` begins with 0, so at least one start is at or before any offset.
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset.saturating_sub(line_start), |before| {
                before.chars().count()
            });
        (line, column + 1)
    }

    /// Reports an error at the start of `span`.
    pub(super) fn error(&mut self, span: &Range<usize>, field: &str, message: impl Into<String>) {
        let (line, column) = self.position(span.start);
        self.errors.push(AgreementError {
            file: self.file.to_owned(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Checks that `value` is a table with only `known` keys (and `source`, where allowed).
    pub(super) fn table<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        path: &str,
        known: &[&str],
    ) -> Option<Fields<'a, 'i>> {
        match value.get_ref() {
            DeValue::Table(table) => {
                Some(self.fields(table, value.span(), path, known, TableSource::Allowed))
            }
            _ => {
                self.wrong_type(value, path, "a table");
                None
            }
        }
    }

    /// Checks a table's keys against `known`, reporting each unknown one, and records its
    /// `source` note.
    pub(super) fn fields<'a, 'i>(
        &mut self,
        table: &'a DeTable<'i>,
        span: Range<usize>,
        path: &str,
        known: &[&str],
        source: TableSource,
    ) -> Fields<'a, 'i> {
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            if name == SOURCE_KEY {
                match source {
                    TableSource::Allowed => self.source_note(value, path),
                    TableSource::Forbidden => self.error(
                        &key.span(),
                        &child(path, name),
                        "a `source` note labels a fact or a table, not the whole file",
                    ),
                }
            } else if !known.contains(&name) {
                // `source` is a candidate too where allowed, so `sorce` gets a suggestion.
                let mut candidates = known.to_vec();
                if source == TableSource::Allowed {
                    candidates.push(SOURCE_KEY);
                }
                let message = unknown_field_message(name, &candidates);
                self.error(&key.span(), &child(path, name), message);
            }
        }
        Fields {
            table,
            span,
            path: path.to_owned(),
        }
    }

    /// Reads a `source` note and records it for `path`.
    fn source_note(&mut self, value: &Value<'_>, path: &str) {
        let note_path = child(path, SOURCE_KEY);
        let Some(note) = self.string(value, &note_path) else {
            return;
        };
        if note.trim().is_empty() {
            self.error(
                &value.span(),
                &note_path,
                "the source note is empty: say where the fact comes from",
            );
        } else if let Err(message) = crate::check_text(note) {
            self.error(
                &value.span(),
                &note_path,
                format!("the source note: {message}"),
            );
        } else if note.chars().count() > SOURCE_LENGTH_MAX {
            self.error(
                &value.span(),
                &note_path,
                format!("the source note is longer than {SOURCE_LENGTH_MAX} characters"),
            );
        } else {
            self.sources.insert(path.to_owned(), note.to_owned());
        }
    }

    /// Unwraps a fact written either plainly (`x = 3`) or with its source
    /// (`x = { value = 3, source = "…" }`), recording the source for `path`.
    pub(super) fn fact<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        path: &str,
    ) -> Option<&'a Value<'i>> {
        let DeValue::Table(table) = value.get_ref() else {
            return Some(value);
        };
        let fields = self.fields(
            table,
            value.span(),
            path,
            &[FACT_VALUE_KEY],
            TableSource::Allowed,
        );
        if table.get(SOURCE_KEY).is_none() {
            // A fact written as a table exists only to carry its source; without one it is a slip.
            self.error(
                &value.span(),
                &child(path, SOURCE_KEY),
                "missing required field `source`: a fact written as a table carries `value` and `source`",
            );
        }
        fields.required(self, FACT_VALUE_KEY)
    }

    /// Reports that `value` is not of the `expected` kind.
    pub(super) fn wrong_type(&mut self, value: &Value<'_>, path: &str, expected: &str) {
        let found = value.get_ref().type_str();
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let hint = if matches!(value.get_ref(), DeValue::Datetime(_)) {
            ": write dates as quoted strings, e.g. `\"2025-06-06\"`"
        } else {
            ""
        };
        self.error(
            &value.span(),
            path,
            format!("expected {expected}, found {article} {found}{hint}"),
        );
    }

    /// Reads a string.
    pub(super) fn string<'a>(&mut self, value: &'a Value<'_>, path: &str) -> Option<&'a str> {
        let text = value.get_ref().as_str();
        if text.is_none() {
            self.wrong_type(value, path, "a string");
        }
        text
    }

    /// Reads an integer; TOML integers are 64-bit, so `i128` holds any that parses.
    pub(super) fn integer(&mut self, value: &Value<'_>, path: &str) -> Option<i128> {
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(value, path, "an integer");
            return None;
        };
        let parsed = i128::from_str_radix(integer.as_str(), integer.radix()).ok();
        if parsed.is_none() {
            self.error(
                &value.span(),
                path,
                format!("`{integer}` is not a number corridor can hold"),
            );
        }
        parsed
    }

    /// Reads a boolean.
    pub(super) fn boolean(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        let flag = value.get_ref().as_bool();
        if flag.is_none() {
            self.wrong_type(value, path, "`true` or `false`");
        }
        flag
    }

    /// Reads a list of at most [`LIST_ENTRIES_MAX`] entries.
    pub(super) fn list<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        path: &str,
    ) -> Option<&'a [Value<'i>]> {
        let Some(entries) = value.get_ref().as_array() else {
            self.wrong_type(value, path, "a list");
            return None;
        };
        if entries.len() > LIST_ENTRIES_MAX {
            self.error(
                &value.span(),
                path,
                format!(
                    "the list has {} entries, more than the {LIST_ENTRIES_MAX} allowed",
                    entries.len()
                ),
            );
            return None;
        }
        Some(entries)
    }

    /// A fact that is a string.
    pub(super) fn string_fact<'a>(
        &mut self,
        value: &'a Value<'_>,
        path: &str,
    ) -> Option<(&'a str, Range<usize>)> {
        let value = self.fact(value, path)?;
        Some((self.string(value, path)?, value.span()))
    }

    /// A fact that is an integer.
    pub(super) fn integer_fact(
        &mut self,
        value: &Value<'_>,
        path: &str,
    ) -> Option<(i128, Range<usize>)> {
        let value = self.fact(value, path)?;
        Some((self.integer(value, path)?, value.span()))
    }

    /// A fact that is a boolean.
    pub(super) fn boolean_fact(
        &mut self,
        value: &Value<'_>,
        path: &str,
    ) -> Option<(bool, Range<usize>)> {
        let value = self.fact(value, path)?;
        Some((self.boolean(value, path)?, value.span()))
    }

    /// A fact that is a list.
    pub(super) fn list_fact<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        path: &str,
    ) -> Option<(&'a [Value<'i>], Range<usize>)> {
        let value = self.fact(value, path)?;
        Some((self.list(value, path)?, value.span()))
    }
}

/// The message for a key the table does not allow, suggesting the closest allowed key when the
/// unknown one looks like a typo of it.
fn unknown_field_message(name: &str, known: &[&str]) -> String {
    let closest = known
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .min();
    match closest {
        // A third of the key's length is enough to catch plurals and transposed letters
        // (`excluded_nationality`, `transfered_total_max`) without suggesting unrelated keys.
        Some((distance, candidate))
            if distance * 3 <= name.chars().count().max(candidate.len()) =>
        {
            format!("unknown field `{name}`: did you mean `{candidate}`?")
        }
        _ => {
            let expected: Vec<String> = known.iter().map(|key| format!("`{key}`")).collect();
            format!(
                "unknown field `{name}`: expected one of {}",
                expected.join(", ")
            )
        }
    }
}

/// Levenshtein distance between two short keys, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(a_char != *b_char));
            let deletion = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insertion = current.get(j).map_or(usize::MAX, |d| d + 1);
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets map to 1-based lines and character columns, also after multi-byte characters.
    #[test]
    fn positions_count_lines_and_characters() {
        let reader = Reader::new("f", "ab\n–x\n\nz");
        assert_eq!(reader.position(0), (1, 1));
        assert_eq!(reader.position(2), (1, 3));
        assert_eq!(reader.position(3), (2, 1));
        // `–` is three bytes but one character.
        assert_eq!(reader.position(6), (2, 2));
        assert_eq!(reader.position(9), (4, 1));
        assert_eq!(reader.position(999), (4, 2));
    }

    /// Typos get a suggestion; unrelated keys get the list of allowed keys.
    #[test]
    fn unknown_fields_suggest_the_closest_key() {
        let known = ["excluded_nationalities", "age_years_min"];
        assert_eq!(
            unknown_field_message("excluded_nationality", &known),
            "unknown field `excluded_nationality`: did you mean `excluded_nationalities`?"
        );
        assert_eq!(
            unknown_field_message("colour", &known),
            "unknown field `colour`: expected one of `excluded_nationalities`, `age_years_min`"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
