//! Quoting user input in messages. A message that echoes a 20 MB word takes gigabytes
//! to lay out, so every message quotes input through [`quote`], which keeps it short.

/// How many characters of the input a quote keeps, at most.
pub const QUOTE_CHARS: usize = 40;

/// `s` in double quotes with control characters escaped, cut to about
/// [`QUOTE_CHARS`] characters with an ellipsis when longer, so a message never grows
/// with its input.
///
/// ```
/// use llm_lens::model::text::quote::quote;
/// assert_eq!(quote("bank"), "\"bank\"");
/// assert_eq!(quote(&"x".repeat(1000)).chars().count(), 40 + 3);
/// ```
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(QUOTE_CHARS + 8);
    out.push('"');
    let mut kept = 0usize;
    let mut chars = s.chars();
    for c in chars.by_ref() {
        let escaped: String = c.escape_debug().collect();
        let n = escaped.chars().count();
        if kept + n > QUOTE_CHARS {
            out.push('"');
            out.push('…');
            return out;
        }
        kept += n;
        out.push_str(&escaped);
    }
    out.push('"');
    out
}

/// A library's message (serde's "unknown variant `…`", "invalid type: string \"…\"")
/// with every quoted part cut to [`QUOTE_CHARS`], and the whole to `max_chars`.
pub fn shorten_message(msg: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut rest = msg;
    while let Some(open) = rest.find(['`', '"']) {
        let delim = rest[open..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let close = rest.find(delim).unwrap_or(rest.len());
        out.push_str(&shorten(&rest[..close]));
        rest = &rest[close..];
        if let Some(c) = rest.chars().next() {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.push_str(rest);
    if out.chars().count() > max_chars {
        out = out.chars().take(max_chars).collect();
        out.push('…');
    }
    out.replace(['\n', '\r'], " ")
}

/// `s` cut like [`quote`] but without the quotes, for names shown as they are.
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= QUOTE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(QUOTE_CHARS).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn quoted_parts_of_library_messages_are_cut() {
        let long = "x".repeat(1000);
        let msg = format!("unknown variant `{long}`, expected one of `gelu`, `relu` at line 1");
        let short = shorten_message(&msg, 300);
        assert!(
            short.len() < 150 && short.ends_with("`relu` at line 1"),
            "{short}"
        );
        let msg = format!("invalid type: string \"{long}");
        assert!(shorten_message(&msg, 300).len() < 100);
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let q = quote(&"é".repeat(10_000));
        assert!(q.ends_with("\"…"));
        assert_eq!(q.chars().count(), QUOTE_CHARS + 3);
        // Escapes count towards the limit, so control characters cannot blow it up.
        let q = quote(&"\u{1}".repeat(10_000));
        assert!(q.chars().count() <= QUOTE_CHARS + 3, "{q}");
    }
}
