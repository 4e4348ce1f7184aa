//! Pasted text, cut before any text box sees it. The system clipboard can hold a whole
//! book; laying out 100,000 characters in a one-line box costs seconds a frame, and no
//! box in the app needs more than [`MAX_PASTE_CHARS`] (the sentence box keeps 2,000).

/// Most characters one paste brings in.
pub const MAX_PASTE_CHARS: usize = 20_000;

/// Cuts every paste in `events` to [`MAX_PASTE_CHARS`]; returns a notice for the
/// learner when one was cut.
pub fn cut_pastes(events: &mut [egui::Event]) -> Option<String> {
    let mut notice = None;
    for event in events {
        if let egui::Event::Paste(text) = event {
            let total = text.chars().count();
            if total > MAX_PASTE_CHARS {
                let end = text
                    .char_indices()
                    .nth(MAX_PASTE_CHARS)
                    .map_or(text.len(), |(i, _)| i);
                text.truncate(end);
                notice = Some(format!(
                    "The pasted text was cut to its first {MAX_PASTE_CHARS} of {total} characters; longer texts go through files (llm-lens tokenize --text-file FILE)."
                ));
            }
        }
    }
    notice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_100k_paste_is_cut_with_a_notice_and_a_short_one_is_kept() {
        let mut events = vec![
            egui::Event::Paste("é".repeat(100_000)),
            egui::Event::Paste("bank".into()),
        ];
        let notice = cut_pastes(&mut events).expect("a notice");
        assert!(notice.contains("20000 of 100000"), "{notice}");
        match &events[0] {
            egui::Event::Paste(t) => assert_eq!(t.chars().count(), MAX_PASTE_CHARS),
            other => panic!("{other:?}"),
        }
        assert_eq!(events[1], egui::Event::Paste("bank".into()));
        assert_eq!(cut_pastes(&mut events[1..]), None);
    }
}
