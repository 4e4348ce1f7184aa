//! The timeline data of step 1.

use llm_lens::model::history::timeline::{Branch, LessonId as Lesson, Timeline, TimelineError};

#[test]
fn history_timeline_loads_and_links_are_valid() {
    let tl = Timeline::builtin().unwrap();
    assert!(tl.events.len() >= 25);
    for e in &tl.events {
        // Round-trip through the id string the UI uses for navigation.
        assert_eq!(Lesson::from_id(e.lesson.id()), Some(e.lesson), "{}", e.id);
    }
    // Sorted by time, and every edge points forward in time.
    assert!(tl.events.windows(2).all(|w| w[0].time() <= w[1].time()));
    for (p, c) in tl.edges() {
        assert!(tl.events[p].time() <= tl.events[c].time());
    }
    // The preface's dates.
    let at = |id: &str| tl.event(id).map(|e| (e.year, e.month, e.branch));
    assert_eq!(at("gpt"), Some((2018, Some(6), Branch::DecoderOnly)));
    assert_eq!(at("bert"), Some((2018, Some(10), Branch::EncoderOnly)));
    assert_eq!(at("transformer").map(|t| t.0), Some(2017));
    assert_eq!(
        at("google_translate"),
        Some((2006, Some(4), Branch::BeforeTransformers))
    );
    assert_eq!(at("lstm").map(|t| t.0), Some(1997));
    assert_eq!(at("cnn_translation").map(|t| t.0), Some(2013));
    assert_eq!(at("rnn_encoder_decoder").map(|t| t.0), Some(2014));
    // All three branches are populated, and every lesson but history's neighbours is reachable.
    for b in [
        Branch::EncoderOnly,
        Branch::DecoderOnly,
        Branch::EncoderDecoder,
    ] {
        assert!(
            tl.events.iter().filter(|e| e.branch == b).count() >= 3,
            "{b:?}"
        );
    }
    for l in Lesson::ALL {
        assert!(
            tl.events.iter().any(|e| e.lesson == l),
            "no event links to {l:?}"
        );
    }
}

#[test]
fn history_timeline_rejects_broken_data() {
    let dup = r#"{"branches":[{"id":"transformer","label":"T","summary":"s"}],
      "events":[{"id":"a","title":"A","year":2017,"branch":"transformer","summary":"x","lesson":"attention"},
                {"id":"a","title":"B","year":2018,"branch":"transformer","summary":"y","lesson":"attention"}]}"#;
    assert_eq!(
        Timeline::from_json(dup).unwrap_err(),
        TimelineError::DuplicateId("a".into())
    );
    let bad_lesson = r#"{"branches":[],"events":[{"id":"a","title":"A","year":2017,"branch":"transformer","summary":"x","lesson":"nope"}]}"#;
    assert!(matches!(
        Timeline::from_json(bad_lesson),
        Err(TimelineError::Json(_))
    ));
    let orphan = r#"{"branches":[{"id":"transformer","label":"T","summary":"s"}],
      "events":[{"id":"a","title":"A","year":2017,"branch":"transformer","summary":"x","lesson":"attention","parents":["zzz"]}]}"#;
    assert!(matches!(
        Timeline::from_json(orphan),
        Err(TimelineError::UnknownParent { .. })
    ));
    let backwards = r#"{"branches":[{"id":"transformer","label":"T","summary":"s"}],
      "events":[{"id":"a","title":"A","year":2019,"branch":"transformer","summary":"x","lesson":"attention"},
                {"id":"b","title":"B","year":2018,"branch":"transformer","summary":"y","lesson":"attention","parents":["a"]}]}"#;
    assert!(matches!(
        Timeline::from_json(backwards),
        Err(TimelineError::ParentAfterChild { .. })
    ));
}
