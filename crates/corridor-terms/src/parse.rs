//! Parsing and validating agreement files, reporting every error with file, line and field.

use std::fmt;

use crate::model::Agreement;

/// One problem in an agreement file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementError {
    /// The file name as given by the caller.
    pub file: String,
    /// 1-based line of the offending value (or of the table that lacks a field).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted field path, e.g. `clocks.notice_lead_time`.
    pub field: String,
    /// Lowercase sentence without a trailing period.
    pub message: String,
}

impl fmt::Display for AgreementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: `{}`: {}", self.file, self.line, self.column, self.field, self.message)
    }
}

/// Every problem found in an agreement file, in file order; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementErrors(pub Vec<AgreementError>);

impl fmt::Display for AgreementErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AgreementErrors {}

/// Parses and validates an agreement file's text. `file` is only used in error messages.
pub fn parse_agreement(file: &str, text: &str) -> Result<Agreement, AgreementErrors> {
    let _ = text;
    Err(AgreementErrors(vec![AgreementError {
        file: file.to_owned(),
        line: 1,
        column: 1,
        field: String::new(),
        message: "not implemented yet".to_owned(),
    }]))
}
