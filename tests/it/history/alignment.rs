//! The statistical-MT alignment examples of step 2.

use llm_lens::model::history::alignment::{Phenomenon, builtin_pairs};

#[test]
fn history_alignment_classifies_the_preface_examples() {
    let pairs = builtin_pairs().unwrap();
    let get = |id: &str| pairs.iter().find(|p| p.id == id).unwrap().clone();

    let cinema = get("cinema");
    assert_eq!(cinema.source.last().unwrap().text, "行く"); // verb-final Japanese
    let a = cinema.analyse();
    let words = |idx: &[usize]| {
        idx.iter()
            .map(|&i| cinema.target[i].text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&a.inserted), ["I", "the"]);
    assert!(a.omitted.is_empty());
    assert!(a.phenomena().contains(&Phenomenon::Reordering));
    // 行く ↔ "will go" crosses 映画館 ↔ "movie theatre".
    let go = a.links.iter().find(|l| l.link == (2, 2)).unwrap();
    assert!(go.reordered && go.one_to_many);
    // Translating the other way, the subject "I" is omitted.
    let back = cinema.reversed().analyse();
    assert!(back.omitted.contains(&0));
    assert!(back.phenomena().contains(&Phenomenon::ManyToOne));

    let mt = get("movie_theatre").analyse();
    assert_eq!(mt.one_to_many, [0]);
    assert!(mt.crossings.is_empty());

    let swim = get("swimming").analyse();
    assert_eq!(swim.omitted, [1]); // the particle に
}

#[test]
fn history_alignment_dragging_links_updates_labels() {
    let mut p = builtin_pairs()
        .unwrap()
        .into_iter()
        .find(|p| p.id == "movie_theatre")
        .unwrap();
    assert_eq!(p.toggle_link(0, 1), Ok(false)); // remove 映画館 → theatre
    let a = p.analyse();
    assert_eq!(a.inserted, [1]);
    assert!(a.one_to_many.is_empty());
    assert_eq!(p.toggle_link(0, 1), Ok(true));
    assert!(p.toggle_link(5, 0).is_err());
}
