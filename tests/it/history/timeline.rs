//! The timeline data of step 1.

use llm_lens::lessons::history::timeline as timeline_view;
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
    // Every lesson but the playground is reachable: the playground runs the app's own
    // small encoder-only BERT, which is no event on the strip.
    for l in Lesson::ALL {
        assert_eq!(
            tl.events.iter().any(|e| e.lesson == l),
            l != Lesson::Playground,
            "links to {l:?}"
        );
    }
}

#[test]
fn history_timeline_links_name_real_steps_and_models_of_their_branch() {
    let tl = Timeline::builtin().unwrap();
    for e in &tl.events {
        // A named view must exist in the linked lesson, or the click would lose it.
        if let Some(v) = &e.view {
            let link = timeline_view::link(e).expect("an event with a view links elsewhere");
            assert_eq!(link.view, Some(v.as_str()), "{}: unknown view {v}", e.id);
        }
        // Decoder-only and encoder-decoder models open the self-attention steps that
        // show their masks and the decoder loop, not the encoder-only playground.
        let want = match e.branch {
            Branch::DecoderOnly if e.lesson == Lesson::Attention => Some("masks"),
            Branch::EncoderDecoder if e.lesson == Lesson::Attention => Some("cross-attention"),
            _ => None,
        };
        if let Some(w) = want {
            assert_eq!(e.view.as_deref(), Some(w), "{}", e.id);
        }
    }
    let at = |id: &str| tl.event(id).map(|e| (e.year, e.month, e.lesson));
    assert_eq!(at("gpt3"), Some((2020, Some(5), Lesson::Attention)));
    // The first end-to-end neural translator, after Cho et al.'s phrase scorer.
    assert_eq!(at("seq2seq"), Some((2014, Some(9), Lesson::History)));
    let seq2seq = tl.event("seq2seq").unwrap();
    assert!(seq2seq.summary.contains("Sutskever, Vinyals and Le"));
    assert!(seq2seq.parents.iter().any(|p| p == "rnn_encoder_decoder"));
    assert!(
        tl.event("cnn_translation")
            .unwrap()
            .summary
            .contains("recurrent")
    );
    assert!(
        tl.event("rnn_encoder_decoder")
            .unwrap()
            .summary
            .contains("statistical")
    );
}

#[test]
fn history_timeline_sizes_say_what_large_means() {
    let tl = Timeline::builtin().unwrap();
    let sizes = |id: &str| tl.event(id).map(timeline_view::sizes);
    assert_eq!(sizes("bert"), Some(Some("110 M – 340 M parameters".into())));
    assert_eq!(sizes("llama2"), Some(Some("7 B – 70 B parameters".into())));
    assert_eq!(sizes("mistral_7b"), Some(Some("7.3 B parameters".into())));
    assert_eq!(sizes("gpt4"), Some(None));
    let largest = tl.largest_sizes().map(|(_, p)| p).fold(0.0, f64::max);
    assert_eq!(
        largest, 540e9,
        "PaLM is the largest published size on the strip"
    );
    let bad = r#"{"branches":[{"id":"transformer","label":"T","summary":"s"}],
      "events":[{"id":"a","title":"A","year":2017,"branch":"transformer","summary":"x","lesson":"attention","parameters":[2e9, 1e9]}]}"#;
    assert!(matches!(
        Timeline::from_json(bad),
        Err(TimelineError::Invalid { .. })
    ));
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

#[test]
fn history_branch_counts_come_from_the_events() {
    use llm_lens::lessons::history::sizes::count_branches;
    let small = r#"{"branches":[{"id":"encoder_only","label":"E","summary":"s"},{"id":"decoder_only","label":"D","summary":"s"}],
      "events":[{"id":"a","title":"A","year":2018,"branch":"encoder_only","summary":"x","lesson":"bert","parameters":[1e8]},
                {"id":"b","title":"B","year":2022,"branch":"decoder_only","summary":"y","lesson":"attention","parameters":[1e9, 5e9]},
                {"id":"c","title":"C","year":2023,"branch":"decoder_only","summary":"z","lesson":"attention"}]}"#;
    let counts = count_branches(&Timeline::from_json(small).unwrap());
    let of = |b: Branch| counts.iter().find(|c| c.branch == b).unwrap();
    assert_eq!(of(Branch::EncoderOnly).per_period, [1, 0, 0]);
    assert_eq!(of(Branch::DecoderOnly).per_period, [0, 0, 2]);
    assert_eq!(of(Branch::DecoderOnly).largest, Some(("B".into(), 5e9)));
    assert_eq!(of(Branch::EncoderDecoder).largest, None);

    // On the shipped timeline the decoder-only branch outgrows the other two after 2021.
    let counts = count_branches(&Timeline::builtin().unwrap());
    let of = |b: Branch| counts.iter().find(|c| c.branch == b).unwrap();
    let late = |b: Branch| of(b).per_period[2];
    assert!(late(Branch::DecoderOnly) > late(Branch::EncoderOnly) + late(Branch::EncoderDecoder));
    assert_eq!(
        of(Branch::DecoderOnly).largest,
        Some(("PaLM".into(), 540e9))
    );
    assert_eq!(
        of(Branch::EncoderOnly).largest.as_ref().map(|l| l.1),
        Some(632e6)
    );
}
