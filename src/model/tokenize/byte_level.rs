//! GPT-2's byte-to-unicode mapping: every byte gets a visible character, so a
//! byte-level vocabulary can be written as text.
//!
//! Printable bytes map to themselves; the 68 others (controls, space, 0x7F–0xA0,
//! 0xAD) map to code points from U+0100 upwards in byte order:
//!
//! ```text
//! b'A' -> 'A'     b' ' -> 'Ġ' (U+0120)     b'\n' -> 'Ċ' (U+010A)     0xE2 -> 'â'
//! "hello world" -> "helloĠworld"
//! ```

use std::sync::OnceLock;

fn is_printable_latin1(b: u8) -> bool {
    matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF)
}

fn table() -> &'static ([char; 256], rustc_hash::FxHashMap<char, u8>) {
    static TABLE: OnceLock<([char; 256], rustc_hash::FxHashMap<char, u8>)> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut forward = ['\0'; 256];
        let mut next = 256u32;
        for b in 0..=255u8 {
            forward[b as usize] = if is_printable_latin1(b) {
                char::from(b)
            } else {
                let c = char::from_u32(next).unwrap_or('\u{FFFD}');
                next += 1;
                c
            };
        }
        let back = forward
            .iter()
            .enumerate()
            .map(|(b, &c)| (c, b as u8))
            .collect();
        (forward, back)
    })
}

/// The visible character for one byte (`b' '` → `'Ġ'`).
pub fn byte_to_char(b: u8) -> char {
    table().0[b as usize]
}

/// Bytes written as GPT-2's visible characters: `b"a b"` → `"aĠb"`.
pub fn bytes_to_visible(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| byte_to_char(b)).collect()
}

/// The inverse of [`bytes_to_visible`]; `None` if a character is not in the table.
pub fn visible_to_bytes(s: &str) -> Option<Vec<u8>> {
    let back = &table().1;
    s.chars().map(|c| back.get(&c).copied()).collect()
}

/// A token's bytes for display: the UTF-8 text when valid, otherwise valid parts as
/// text and stray bytes as `<0xE2>` (tokens may cut a character in two).
///
/// `b"caf\xC3"` → `"caf<0xC3>"`.
pub fn display_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("<0x{b:02X}>"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_known_values() {
        assert_eq!(byte_to_char(b' '), 'Ġ');
        assert_eq!(byte_to_char(b'\n'), 'Ċ');
        assert_eq!(bytes_to_visible(b"hello world"), "helloĠworld");
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(visible_to_bytes(&bytes_to_visible(&all)), Some(all));
        assert_eq!(display_bytes(b"caf\xC3"), "caf<0xC3>");
    }
}
