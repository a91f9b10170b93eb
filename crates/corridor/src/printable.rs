//! Text output that shows what is stored without letting it act on the terminal.
//!
//! Text fields refuse control characters and bidirectional overrides at the boundary, but a
//! database may hold text stored before that rule, or written by another tool: a name holding
//! `ESC [ 31 m` would recolour the terminal, a newline would forge a line of output, a
//! right-to-left override would show a reference reversed. So every line the command line
//! prints about cases, holds and agreements goes through [`escape`], which writes each such
//! character as `\u{…}` instead.

use std::borrow::Cow;
use std::io::Write as _;

/// Writes `line` and a newline on standard output. When the reader has gone away (`corridor case
/// list | head -1`), the process ends at once with success, as a pipe's writer ends on `SIGPIPE`
/// in other tools, rather than panicking with a backtrace: whatever the command did was durable
/// before its answer was printed, so nothing is left undone. Any other write error ends it with
/// a message and failure.
pub fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        drop(out);
        std::eprintln!("error: cannot write to standard output: {error}");
        std::process::exit(1);
    }
}

/// Whether `c` would act on a terminal or change how the text around it reads, rather than
/// show: C0 and C1 controls (newline included), the bidirectional marks, embeddings, overrides
/// and isolates, the line and paragraph separators, and invisible zero-width characters.
fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `text` with every unprintable character written as its `\u{…}` escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_unprintable(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Controls, newlines and bidirectional characters are escaped; every script's letters,
    /// combining marks and ordinary punctuation are shown as they are.
    #[test]
    fn only_what_acts_on_the_terminal_is_escaped() {
        assert_eq!(
            escape("name: A\u{0}B\u{1b}[31m\u{202e}\ncase-1"),
            "name: A\\u{0}B\\u{1b}[31m\\u{202e}\\u{a}case-1"
        );
        for shown in [
            "Ñandú O'Brien-Łukasiewicz",
            "محمد",
            "e\u{301}",
            "a\\u{1b}",
            "\"3\"",
        ] {
            assert_eq!(escape(shown), shown);
        }
    }
}
