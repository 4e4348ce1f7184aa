//! BPE training: a worked example by hand, determinism, incremental counts against a
//! full recount, replay consistency, specials, cancellation and no panics.

use std::sync::atomic::AtomicBool;

use llm_lens::lessons::tokenisation::replay::train_replay;
use llm_lens::model::tokenize::TokenizeError;
use llm_lens::model::tokenize::bpe_train::{BpeConfig, BpeModel, BpeTrainer, TieBreak, train};

const SMALL: &str = "low lower lowest newer wider";

const TEXT: &str = "The President shall from time to time give to the Congress Information \
of the State of the Union, and recommend to their Consideration such Measures as he shall \
judge necessary and expedient. Fellow-citizens of the Senate and House of Representatives: \
I embrace with great satisfaction the opportunity which now presents itself of congratulating \
you on the present favorable prospects of our public affairs. 1790, 1791, 1792!! Café naïve \
東京 👩‍👩‍👧 <|endoftext|> the the the then there their";

fn chars(vocab: usize) -> BpeConfig {
    BpeConfig {
        vocab_size: vocab,
        byte_level: false,
        special_tokens: vec![],
        min_pair_count: 1,
    }
}

fn bytes(vocab: usize) -> BpeConfig {
    BpeConfig {
        vocab_size: vocab,
        byte_level: true,
        special_tokens: vec!["<|endoftext|>".into()],
        min_pair_count: 1,
    }
}

fn run(corpus: &str, config: BpeConfig) -> Result<BpeModel, TokenizeError> {
    train(corpus, config, &AtomicBool::new(false), &mut |_, _| {})
}

/// Worked by hand. Words: low, lower, lowest, newer, wider (once each). Ids: [UNK]=0,
/// d=1 e=2 i=3 l=4 n=5 o=6 r=7 s=8 t=9 w=10.
/// Pairs: (l,o)=3 (o,w)=3 (w,e)=3 (e,r)=3, the rest 1. Tie at 3 → smallest ids:
/// (e,r)=(2,7) → "er" (11). Then (l,o)=3 beats (o,w)=3 → "lo" (12); (lo,w)=3 → "low"
/// (13). Now every pair occurs once; smallest ids: (d,er)=(1,11) → "der" (14).
#[test]
fn worked_example_low_lower_lowest() -> Result<(), TokenizeError> {
    let model = run(SMALL, chars(15))?;
    let got: Vec<(String, u64)> = model
        .merges()
        .iter()
        .map(|m| (String::from_utf8_lossy(&m.token).into_owned(), m.count))
        .collect();
    assert_eq!(
        got,
        [
            ("er".to_string(), 3),
            ("lo".to_string(), 3),
            ("low".to_string(), 3),
            ("der".to_string(), 1)
        ]
    );
    assert_eq!(model.merges()[0].pair, (2, 7));
    assert_eq!(model.merges()[0].new_id, 11);
    assert_eq!(model.merges_text(), "e r\nl o\nlo w\nd er\n");
    let enc = model.encode("lower wider!")?;
    assert_eq!(
        enc.tokens_display(),
        ["low", "er", "w", "i", "der", "[UNK]"]
    );
    assert_eq!(
        enc.offsets,
        [(0, 3), (3, 5), (6, 7), (7, 8), (8, 11), (11, 12)]
    );
    assert_eq!(enc.ids[5], 0);
    Ok(())
}

#[test]
fn training_is_deterministic() -> Result<(), TokenizeError> {
    for config in [chars(200), bytes(400)] {
        let a = run(TEXT, config.clone())?;
        let b = run(TEXT, config)?;
        assert_eq!(a.merges(), b.merges());
        assert!(!a.merges().is_empty());
    }
    Ok(())
}

#[test]
fn incremental_counts_equal_a_full_recount_after_every_merge() -> Result<(), TokenizeError> {
    for config in [chars(300), bytes(500)] {
        let mut t = BpeTrainer::new(TEXT, config)?;
        assert_eq!(t.pair_counts(), &t.recount());
        let mut steps = 0;
        loop {
            let best = t.top_pairs(1);
            let Some(m) = t.step() else { break };
            // The merge taken is the best pair shown just before it.
            assert_eq!(best.first().map(|b| (b.0, b.1)), Some((m.pair, m.count)));
            assert_eq!(t.pair_counts(), &t.recount(), "after merge {steps}");
            steps += 1;
        }
        assert!(steps > 50, "{steps}");
    }
    Ok(())
}

#[test]
fn replay_with_all_merges_equals_encode_and_training_words() -> Result<(), TokenizeError> {
    for config in [chars(250), bytes(450)] {
        let mut t = BpeTrainer::new(TEXT, config)?;
        while t.step().is_some() {}
        let words: Vec<Vec<u32>> = t.words().map(|(w, _)| w.to_vec()).collect();
        let vocab = t.vocab().to_vec();
        let model = t.finish();
        let k = model.merges().len();
        assert_eq!(
            model.encode_with_merges(TEXT, k, false)?,
            model.encode(TEXT)?
        );
        // Each training word, encoded alone, gives exactly its trained segmentation.
        for w in words {
            let text: Vec<u8> = w
                .iter()
                .flat_map(|&id| vocab[id as usize].clone())
                .collect();
            let text = String::from_utf8_lossy(&text).into_owned();
            let enc = model.encode(&text)?;
            assert_eq!(enc.ids, w, "{text:?}");
        }
        // k = 0: base symbols only; more merges never make more tokens.
        let mut last = usize::MAX;
        for k in 0..=k {
            let n = model.encode_with_merges(TEXT, k, false)?.len();
            assert!(n <= last);
            last = n;
        }
    }
    Ok(())
}

#[test]
fn byte_level_has_no_unk_and_covers_the_input() -> Result<(), TokenizeError> {
    let model = run(TEXT, bytes(400))?;
    let text = "Unseen: 🦀 Ωμέγα \u{0} <|endoftext|>";
    let enc = model.encode(text)?;
    let joined: Vec<u8> = enc.tokens.concat();
    assert_eq!(joined, text.as_bytes());
    let mut at = 0;
    for &(s, e) in &enc.offsets {
        assert_eq!(s, at);
        at = e;
    }
    assert_eq!(at, text.len());
    // Merges file uses GPT-2's visible bytes: a space is "Ġ".
    assert!(model.merges_text().contains('Ġ'));
    Ok(())
}

#[test]
fn special_tokens_are_kept_whole_only_when_asked() -> Result<(), TokenizeError> {
    let model = run(TEXT, bytes(400))?;
    let text = "the<|endoftext|>the";
    let plain = model.encode(text)?;
    assert!(plain.special.iter().all(|&s| !s));
    let special = model.encode_with_merges(text, model.merges().len(), true)?;
    assert_eq!(special.special.iter().filter(|&&s| s).count(), 1);
    let i = special.special.iter().position(|&s| s).unwrap_or(0);
    assert_eq!(special.offsets[i], (3, 16));
    assert_eq!(special.ids[i], 0);
    // No merge ever crosses into a special token from the corpus.
    assert!(
        model
            .merges()
            .iter()
            .all(|m| !String::from_utf8_lossy(&m.token).contains("<|endoftext|>"))
    );
    Ok(())
}

#[test]
fn cancel_stops_training() {
    let cancel = AtomicBool::new(true);
    let r = train(TEXT, bytes(400), &cancel, &mut |_, _| {});
    assert!(matches!(r, Err(TokenizeError::Cancelled)));
}

#[test]
fn progress_is_reported() -> Result<(), TokenizeError> {
    let mut calls = Vec::new();
    train(TEXT, bytes(400), &AtomicBool::new(false), &mut |d, t| {
        calls.push((d, t))
    })?;
    assert!(calls.len() > 10);
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    Ok(())
}

#[test]
fn no_panics_on_any_unicode() -> Result<(), TokenizeError> {
    let mut x: u64 = 7;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let model_c = run(TEXT, chars(200))?;
    let model_b = run(TEXT, bytes(400))?;
    for _ in 0..500 {
        let len = (next() % 80) as usize;
        let raw: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let text = String::from_utf8_lossy(&raw).into_owned();
        for m in [&model_c, &model_b] {
            let k = (next() % (m.merges().len() as u64 + 1)) as usize;
            m.encode_with_merges(&text, k, next() % 2 == 0)?;
        }
        // Training on garbage must not panic either.
        run(&text, chars(50))?;
        run(&text, bytes(300))?;
    }
    run("", chars(10))?;
    run("", bytes(300))?;
    Ok(())
}

/// The course's toy corpus: a+t (20), e+at (13), c+at (7), then five pairs tie at 6
/// (f+o, i+n, n+g, o+o, o+d). Read in corpus order, "eating" comes before "food", so
/// i+n wins and then in+g (tied with f+o, o+o, o+d at 6); alphabetical ids pick f+o.
#[test]
fn the_course_toy_corpus_gives_the_course_merges() -> Result<(), TokenizeError> {
    use llm_lens::model::tokenize::bpe_toy;
    let text = bpe_toy::text();
    // Character-level training keeps [UNK] too: 21 symbols + [UNK].
    let config = chars(bpe_toy::TARGET_SYMBOLS + 1);
    let merges = |tie: TieBreak| -> Result<Vec<(String, u64)>, TokenizeError> {
        let mut t = BpeTrainer::new(&text, config.clone())?.with_tie_break(tie);
        while t.step().is_some() {}
        Ok(t.merges()
            .iter()
            .map(|m| (String::from_utf8_lossy(&m.token).into_owned(), m.count))
            .collect())
    };
    let got = merges(TieBreak::FirstSeen)?;
    let want = [("at", 20), ("eat", 13), ("cat", 7), ("in", 6), ("ing", 6)];
    assert_eq!(
        got,
        want.map(|(t, c)| (t.to_string(), c)).to_vec(),
        "first-seen ties"
    );
    let alphabetical = merges(TieBreak::SmallerIds)?;
    assert_eq!(alphabetical[..3], got[..3]);
    assert_eq!(alphabetical[3], ("fo".to_string(), 6));
    // Both tie rules leave the incremental counts right.
    let mut t = BpeTrainer::new(&text, config)?.with_tie_break(TieBreak::FirstSeen);
    while t.step().is_some() {
        assert_eq!(t.pair_counts(), &t.recount());
    }
    Ok(())
}

#[test]
fn the_replay_records_pairs_before_each_merge() {
    let text = "low lower lowest newer newest wider widest ".repeat(10);
    let config = BpeConfig {
        vocab_size: 60,
        byte_level: false,
        special_tokens: Vec::new(),
        min_pair_count: 2,
    };
    let r = train_replay(
        &text,
        "t",
        config,
        TieBreak::SmallerIds,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .expect("trains");
    assert_eq!(r.top.len(), r.model.merges().len());
    for (k, m) in r.model.merges().iter().enumerate() {
        let (a, b, c) = &r.top[k][0];
        assert_eq!(
            (a.as_str(), b.as_str()),
            (r.token(m.pair.0).as_str(), r.token(m.pair.1).as_str())
        );
        assert_eq!(*c, m.count);
    }
}
