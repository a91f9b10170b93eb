//! What a text field may hold, wherever it comes from: an agreement file, a request body or a
//! command-line flag.
//!
//! Free text is shown to caseworkers, printed to terminals and exported. A C0 or C1 control
//! character can rewrite a terminal (`ESC [ …`) or forge a line of output; a bidirectional
//! embedding, override or isolate makes text read differently from what is stored (a name or a
//! court reference that displays reversed). Neither belongs in a name, a reference or a reason,
//! so every text field refuses them at the boundary, with the position of the first one.

/// Why `c` may not be in a text field, or `None` if it may.
pub fn forbidden_in_text(c: char) -> Option<&'static str> {
    if c.is_control() {
        Some("a control character")
    } else if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
        Some("a bidirectional override or isolate")
    } else {
        None
    }
}

/// Checks that `text` holds no character [`forbidden_in_text`] refuses; the error names the first
/// by its position and code point (never the character itself, which would act on whoever
/// reads the message).
pub fn check_text(text: &str) -> Result<(), String> {
    for (index, c) in text.chars().enumerate() {
        if let Some(what) = forbidden_in_text(c) {
            return Err(format!(
                "character {} is {what} (U+{:04X}), which text may not hold",
                index + 1,
                u32::from(c)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// C0 and C1 controls, DEL and the bidirectional embeddings, overrides and isolates are
    /// refused, naming the first; letters of any script, marks and ordinary punctuation are not.
    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        for bad in [
            "A\u{0}B",
            "\u{1b}[31m",
            "tab\there",
            "line\nbreak",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
            "\u{202a}",
            "\u{202e}x",
            "\u{2066}",
            "\u{2069}",
        ] {
            assert!(check_text(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_text("AB\u{202e}\u{1b}").err().as_deref(),
            Some(
                "character 3 is a bidirectional override or isolate (U+202E), which text may not hold"
            )
        );
        for good in [
            "Synthetic Person",
            "Ñandú O'Brien-Łukasiewicz",
            "محمد",
            "e\u{301}",
            "\u{200f}",
            "court-a / Order 12 (2025)",
        ] {
            assert_eq!(check_text(good), Ok(()), "{good:?}");
        }
    }
}
