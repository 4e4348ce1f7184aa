//! The tokenisation lesson driven as a learner would, with the tokenisers trained on a
//! small slice of the corpus so a debug build stays quick: every step renders, every
//! row appears, hovering a chip links it to the sentence, the BPE replay steps and
//! re-segments the sentence, and snapshots of the side-by-side view and a replay step.

use crate::common;

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use llm_lens::app::{LensApp, Settings};
use llm_lens::lessons::LessonId;
use llm_lens::lessons::tokenisation::training::TrainSource;
use llm_lens::lessons::tokenisation::{Tokenisation, View};
use llm_lens::model::text::corpus::Corpus;
use llm_lens::model::tokenize::suite::SuiteConfig;
use llm_lens::prose::ProseLibrary;

/// The first five addresses (about 60 KB): enough for real merges, quick to train.
fn small_text() -> String {
    Corpus::builtin()
        .documents()
        .iter()
        .take(5)
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn small_config() -> SuiteConfig {
    SuiteConfig {
        word_vocab: 2000,
        bpe_vocab: 800,
        wordpiece_vocab: 600,
        unigram_vocab: 600,
    }
}

/// Points the lesson at the small text before anything trains.
fn use_small_text(app: &mut LensApp) {
    let Some(st) = app.lesson_mut::<Tokenisation>() else {
        return;
    };
    st.store.source = TrainSource::Own(small_text());
    st.store.config = small_config();
    st.replay.source = TrainSource::Own(small_text());
    st.replay.vocab_size = 300;
    // The harness may already have drawn a frame that started training on the whole
    // corpus: restart on the small text (the old run is cancelled).
    if st.store.is_training() {
        st.store.train();
    }
    if st.replay.is_training() {
        st.replay.train();
    }
}

fn settings_at(view: View, sentence: &str) -> Settings {
    common::settings_at_view::<Tokenisation>(view, sentence)
}

fn harness_at(view: View, sentence: &str) -> Harness<'static, LensApp> {
    let mut app = common::app(settings_at(view, sentence));
    use_small_text(&mut app);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut LensApp| app.ui(ui), app);
    h.run_steps(2);
    h
}

/// Steps frames until the tokenisers are trained and the GPT vocabularies loaded.
fn wait_for_tokenisers(h: &mut Harness<'static, LensApp>) {
    common::step_while(h, Duration::from_secs(120), "tokeniser training", |h| {
        let st = common::lesson_ref::<Tokenisation>(h);
        st.store.is_training() || st.store.suite.is_none() || st.store.real().is_none()
    });
    h.run_steps(3);
}

#[test]
fn every_step_renders_its_view() {
    let key = |view: View| match view {
        View::FirstCuts => "Words and punctuation",
        View::MissingWord => "What the model receives",
        View::SideBySide => "Hover a token",
        View::WordPieceScores => "score = count(ab)",
        View::Pipeline => "Pre-tokenised by cl100k's regex",
        View::Decoding => "round trip",
        View::PreTokenisers => "normaliser: NFKD, strip accents",
        View::WordPieceReplay => "Next merge (1 of",
        View::BpeReplay => "merges learned from your own text",
        View::Unigram => "most probable cuts",
        View::UnigramPruning => "pieces →",
        View::Curiosities => "The same sentence in other languages",
    };
    let prose = ProseLibrary::builtin();
    let views: Vec<View> = prose
        .steps(LessonId::Tokenisation)
        .iter()
        .map(|s| {
            s.view
                .as_deref()
                .unwrap_or_default()
                .parse()
                .expect("a known view")
        })
        .collect();
    let mut h = harness_at(View::FirstCuts, "I withdrew money from the bank.");
    for (step, view) in views.into_iter().enumerate() {
        let key = key(view);
        h.state_mut().set_step(step);
        h.run_steps(2);
        if view != View::BpeReplay {
            wait_for_tokenisers(&mut h);
        }
        if view == View::WordPieceScores {
            common::step_while(&mut h, Duration::from_secs(60), "wordpiece scores", |h| {
                common::lesson_ref::<Tokenisation>(h).wordpiece.busy()
            });
            h.run_steps(2);
        }
        if view == View::BpeReplay {
            common::step_while(&mut h, Duration::from_secs(60), "replay training", |h| {
                common::lesson_ref::<Tokenisation>(h).replay.is_training()
            });
            h.run_steps(2);
        }
        assert!(
            h.query_all_by_label_contains(key).next().is_some(),
            "step {} lacks {key:?}",
            step + 1
        );
        assert!(
            h.query_by_label_contains("which this lesson does not have")
                .is_none(),
            "step {} names an unknown view",
            step + 1
        );
    }
}

#[test]
fn every_row_appears_and_hover_links_the_rows() {
    let mut h = harness_at(View::SideBySide, "I withdrew money from the bank.");
    wait_for_tokenisers(&mut h);
    for row in [
        "Characters",
        "Words",
        "BPE (yours)",
        "WordPiece (yours)",
        "Unigram (yours)",
        "BERT",
        "GPT-2",
        "GPT-4",
        "GPT-4o",
    ] {
        h.get_by_label(row);
    }
    // The BERT row is the shipped bert-base-uncased vocabulary, with its own ids.
    let wp = llm_lens::model::tokenize::bert_base::bert_base_uncased();
    let id = wp
        .token_to_id("withdrew")
        .expect("a whole word in bert-base-uncased");
    assert!(
        chip_labels(&h, "withdrew")
            .iter()
            .any(|l| l.contains(&format!("id {id}")))
    );
    assert!(!chip_labels(&h, "[CLS]").is_empty());
    // GPT-4 (cl100k) writes the sentence in 7 tokens; the chip says so on hover.
    assert!(
        h.query_all_by_label_contains("7 tokens · 4.4 characters per token")
            .count()
            >= 1
    );
    // Hover the word row's chip for "bank": bytes 26..30 of the sentence.
    h.query_all_by_label_contains("bytes 26..30 of your sentence")
        .next()
        .expect("a bank chip")
        .hover();
    h.run_steps(3);
    assert_eq!(common::lesson::<Tokenisation>(&mut h).link, Some((26, 30)));
}

#[test]
fn the_bpe_replay_steps_and_resegments_the_sentence() {
    let mut h = harness_at(View::BpeReplay, "the bank of the river");
    // The live model panel's stepper has a "▶" too: only the replay's is wanted here.
    h.state_mut().settings.model_panel = false;
    common::step_while(&mut h, Duration::from_secs(60), "replay training", |h| {
        let st = common::lesson_ref::<Tokenisation>(h);
        st.replay.is_training() || st.replay.replay.is_none()
    });
    h.run_steps(2);
    h.get_by_label_contains("Your sentence after 0 merges: 17 tokens");
    for _ in 0..3 {
        h.get_by_label("▶").click();
        h.run_steps(2);
    }
    h.run_steps(2);
    assert_eq!(common::lesson::<Tokenisation>(&mut h).replay.step, 3);
    // The first merges of English text join frequent letter pairs such as "t"+"h"
    // and "th"+"e": "the" twice in the sentence, so the count must have dropped.
    let after = h
        .query_by_label_contains("Your sentence after 3 merges")
        .expect("the sentence after 3 merges");
    let label = format!("{after:?}");
    assert!(
        !label.contains(": 17 tokens"),
        "merges shortened nothing: {label}"
    );
    h.get_by_label("⏭").click();
    // Applying every merge re-segments the sentence: a loaded machine may take
    // more frames.
    common::step_while(&mut h, Duration::from_secs(60), "all merges", |h| {
        h.query_by_label_contains("All merges applied.").is_none()
    });
}

#[test]
fn bad_vocabulary_paths_give_a_message() {
    let mut h = harness_at(View::SideBySide, "I withdrew money from the bank.");
    {
        let st = common::lesson::<Tokenisation>(&mut h);
        st.store.bert_path = "/nonexistent/vocab.txt".to_owned();
        st.store.open_bert();
    }
    common::step_while(&mut h, Duration::from_secs(10), "vocab load", |h| {
        common::lesson_ref::<Tokenisation>(h)
            .store
            .bert_error
            .is_none()
    });
    h.run_steps(2);
    h.get_by_label_contains("/nonexistent/vocab.txt");
    assert!(common::lesson::<Tokenisation>(&mut h).store.bert.is_none());
}

#[test]
fn snapshots_of_the_rows_and_of_a_replay_step() {
    if !common::renderer_or_skip("tokenisation snapshots") {
        return;
    }
    let mut failures = Vec::new();
    let setup_rows = |app: &mut LensApp| use_small_text(app);
    if let Err(e) = common::snapshot_view::<Tokenisation>(
        View::SideBySide,
        "I withdrew money from the bank.",
        Duration::from_secs(120),
        setup_rows,
    ) {
        failures.push(e);
    }
    let setup_replay = |app: &mut LensApp| {
        use_small_text(app);
        if let Some(st) = app.lesson_mut::<Tokenisation>() {
            st.replay.step = 40;
        }
    };
    if let Err(e) = common::snapshot_view::<Tokenisation>(
        View::BpeReplay,
        "I withdrew money from the bank.",
        Duration::from_secs(120),
        setup_replay,
    ) {
        failures.push(e);
    }
    // The missing-word step (its [UNK] on a sentence with a word the corpus never had)
    // and the WordPiece step (its scores and the compared rows).
    for (view, sentence) in [
        (View::MissingWord, "I withdrew money from the zyxbank."),
        (View::WordPieceScores, "I withdrew money from the bank."),
    ] {
        if let Err(e) = common::snapshot_view::<Tokenisation>(
            view,
            sentence,
            Duration::from_secs(120),
            |app: &mut LensApp| use_small_text(app),
        ) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn other_views_name_what_they_show() {
    let mut h = harness_at(View::Unigram, "The riverbank was unbankable.");
    wait_for_tokenisers(&mut h);
    h.get_by_label("riverbank");
    h.state_mut()
        .set_step(common::step_of::<Tokenisation>(View::Curiosities));
    h.run_steps(3);
    h.get_by_label_contains("Not among the");
    h.state_mut()
        .set_step(common::step_of::<Tokenisation>(View::Pipeline));
    h.run_steps(3);
    h.get_by_label_contains("4. WordPiece model");
}

/// The id of the chip covering `text` in the row drawn for `view` (from its label).
fn chip_labels(h: &Harness<'static, LensApp>, token: &str) -> Vec<String> {
    h.query_all_by_label_contains(&format!("token {token:?}, id"))
        .map(|n| format!("{n:?}"))
        .collect()
}

#[test]
fn step_one_numbers_every_token_with_its_vocabulary_id() {
    for sentence in ["I withdrew money from the bank.", "Банк 银行 bank"] {
        let mut h = harness_at(View::FirstCuts, sentence);
        wait_for_tokenisers(&mut h);
        h.get_by_label_contains("The number under each token is its id");
        let (chars, words) = {
            let st = common::lesson_ref::<Tokenisation>(&h);
            let suite = st.store.suite.clone().expect("trained");
            (suite.chars.encode(sentence), suite.words.encode(sentence))
        };
        // "bank" carries the id the word vocabulary gives it.
        let bank = sentence.find("bank").expect("bank");
        let i = words
            .offsets
            .iter()
            .position(|o| o.0 == bank)
            .expect("a bank token");
        assert!(
            chip_labels(&h, "bank")
                .iter()
                .any(|l| l.contains(&format!("id {}", words.ids[i]))),
            "{sentence}"
        );
        let unknown = chars.ids.iter().filter(|&&id| id == 0).count();
        if sentence.contains('银') {
            // Cyrillic and CJK are not in the first addresses: [UNK], id 0, as in step 3.
            assert!(unknown > 0);
            assert!(!chip_labels(&h, "银").is_empty());
            h.get_by_label_contains(&format!("{unknown} unknown ([UNK])"));
        } else {
            assert_eq!(unknown, 0);
        }
    }
}

#[test]
fn step_two_shows_unk_for_missing_words_or_suggests_one() {
    let mut h = harness_at(View::MissingWord, "I withdrew money from the bank.");
    wait_for_tokenisers(&mut h);
    h.get_by_label_contains("What the model receives");
    let unknown = {
        let st = common::lesson_ref::<Tokenisation>(&h);
        let suite = st.store.suite.clone().expect("trained");
        suite
            .words
            .encode("I withdrew money from the bank.")
            .ids
            .contains(&0)
    };
    if unknown {
        // The small training text lacks a word of it: the table lists it.
        h.get_by_label_contains("the vocabulary lacks");
    } else {
        h.get_by_label_contains("so no [UNK] appears. Add a made-up word such as");
    }
    let mut h = harness_at(View::MissingWord, "the people of the United States");
    wait_for_tokenisers(&mut h);
    h.get_by_label_contains("so no [UNK] appears. Add a made-up word such as unbankable");
    let mut h = harness_at(View::MissingWord, "The unbankable Ωmega bank.");
    wait_for_tokenisers(&mut h);
    h.get_by_label_contains("words the vocabulary lacks");
    h.get_by_label("\u{201c}unbankable\u{201d}");
    h.get_by_label("\u{201c}Ωmega\u{201d}");
    assert!(h.query_by_label_contains("so no [UNK] appears").is_none());
    // The word vocabulary writes them [UNK]; the chip says so.
    assert!(
        h.query_all_by_label_contains("not in the vocabulary: [UNK]")
            .count()
            >= 2
    );
}

#[test]
fn step_six_scores_the_first_merge_and_frames_the_rows_it_compares() {
    for sentence in ["I withdrew money from the bank.", "Банк и река"] {
        let mut h = harness_at(View::WordPieceScores, sentence);
        wait_for_tokenisers(&mut h);
        common::step_while(&mut h, Duration::from_secs(60), "wordpiece scores", |h| {
            let st = common::lesson_ref::<Tokenisation>(h);
            st.wordpiece.busy() || st.wordpiece.scores.is_none()
        });
        h.run_steps(2);
        let scores = common::lesson_ref::<Tokenisation>(&h)
            .wordpiece
            .scores
            .clone()
            .expect("scores");
        let top = scores.candidates.first().expect("a candidate");
        // The table's best pair is the trainer's first merge, and its score is the ratio.
        assert!(scores.merges[0].0.starts_with(&top.pair()), "{scores:?}");
        let ratio = top.count_ab as f64 / (top.count_a as f64 * top.count_b as f64);
        assert!((ratio - top.score).abs() <= 1e-12 * ratio.max(1.0));
        h.get_by_label(&top.pair());
        h.get_by_label_contains("WordPiece's pick");
        h.get_by_label_contains("BPE's pick");
        assert_eq!(h.query_all_by_label("compare").count(), 2, "{sentence}");
    }
}

#[test]
fn views_say_what_they_do_with_unseen_characters() {
    let mut h = harness_at(View::SideBySide, "银行 bank");
    wait_for_tokenisers(&mut h);
    h.get_by_label_contains("write it [UNK]; byte-level BPE and the GPT rows write its bytes");
    h.state_mut()
        .set_step(common::step_of::<Tokenisation>(View::Unigram));
    h.run_steps(3);
    h.get_by_label_contains("has no piece: it is [UNK]");
    // Unigram's best cut of the unseen word is [UNK]s, as in the side-by-side row.
    h.get_by_label("[UNK] | [UNK]");
}

#[test]
fn curiosities_group_the_sentences_digits_as_gpt4_does() {
    use llm_lens::lessons::tokenisation::curiosities::{cl100k_groups, digit_runs};
    assert_eq!(cl100k_groups("12345"), ["123", "45"]);
    assert_eq!(cl100k_groups("1234567"), ["123", "456", "7"]);
    assert_eq!(
        digit_runs("In 1790, 75463476 $ and ٣٤٥"),
        ["1790", "75463476", "٣٤٥"]
    );
    let mut h = harness_at(View::Curiosities, "The debt was 75463476 dollars.");
    wait_for_tokenisers(&mut h);
    h.get_by_label("123 | 45");
    h.get_by_label("754 | 634 | 76");
}

#[test]
fn decoding_round_trips_bytes_but_not_bert() {
    let sentence = "The Café  opened in 银行.";
    let mut h = harness_at(View::Decoding, sentence);
    wait_for_tokenisers(&mut h);
    // Byte-level BPE gives back the very text, twice (GPT-2 and GPT-4).
    assert_eq!(
        h.query_all_by_label("exact: the same text, byte for byte")
            .count(),
        2
    );
    // 银 and 行 are three bytes each: GPT-2 splits at least one across tokens.
    assert!(
        h.query_all_by_label_contains("hold only part of a character's bytes")
            .count()
            >= 1
    );
    // WordPiece: lower-cased, accent gone, the double space gone, 银 unknown.
    h.get_by_label(&llm_lens::widgets::token_strip::visible_whitespace(
        "the cafe opened in [UNK] 行.",
    ));
    h.get_by_label("lost: capitals lower-cased: 2, accents stripped: 1, pieces written [UNK]: 1");
    // Without the unknown character the spacing is what changed.
    let mut h = harness_at(View::Decoding, "The Café  opened.");
    wait_for_tokenisers(&mut h);
    h.get_by_label("lost: capitals lower-cased: 2, accents stripped: 1, spacing changed");
}

#[test]
fn the_course_toy_corpus_replays_the_course_merges() {
    let mut h = harness_at(View::BpeReplay, "eating cats");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Course toy corpus")
        .click();
    h.run_steps(2);
    common::step_while(&mut h, Duration::from_secs(60), "toy training", |h| {
        common::lesson_ref::<Tokenisation>(h).replay.is_training()
    });
    h.run_steps(2);
    h.get_by_label_contains("5 merges learned from your own text");
    h.get_by_label("Next merge (1 of 5): \"a\" + \"t\" → \"at\"");
    common::lesson::<Tokenisation>(&mut h).replay.step = 3;
    h.run_steps(2);
    h.get_by_label("Next merge (4 of 5): \"i\" + \"n\" → \"in\"");
    h.get_by_label("5 pairs tie at 6: the one read first in the text wins.");
    common::lesson::<Tokenisation>(&mut h).replay.step = 5;
    h.run_steps(2);
    // "eating cats" after all five merges: eat|ing cat|s.
    h.get_by_label_contains("Your sentence after 5 merges: 4 tokens");
}

#[test]
fn the_wordpiece_replay_scores_each_merge_on_the_toy_corpus() {
    use llm_lens::lessons::tokenisation::wordpiece_replay::replay;
    use llm_lens::model::tokenize::bpe_toy;
    // By hand on the toy corpus: count(##a, ##t) = 20 (cat, cats, eat, eating), and
    // ##a and ##t occur 20 and 20 times, so 20 / 400 = 0.05.
    let run = replay(&bpe_toy::text());
    let (rows, _, _) = &run.frames[0];
    let at = rows
        .iter()
        .find(|r| (r.left.as_str(), r.right.as_str()) == ("##a", "##t"))
        .expect("##a + ##t is a candidate");
    assert_eq!((at.count_ab, at.count_a, at.count_b), (20, 20, 20));
    // The winner of each frame is the merge made, and it outscores every competing pair.
    for (rows, _, token) in &run.frames {
        let best = &rows[0];
        assert!(
            rows.iter()
                .filter(|r| r.competes)
                .all(|r| r.score <= best.score)
        );
        assert_eq!(
            *token,
            format!("{}{}", best.left, best.right.trim_start_matches("##"))
        );
    }
    let mut h = harness_at(View::WordPieceReplay, "eating cats");
    h.get_by_label_contains("Next merge (1 of");
    h.get_by_label_contains("20 / (20 × 20) = 0.0500");
    let n = run.frames.len();
    common::lesson::<Tokenisation>(&mut h).wordpiece_replay.step = n;
    h.run_steps(2);
    h.get_by_label("All merges applied.");
    let wp = run.tokenizer(n).expect("a vocabulary");
    let pieces = wp.encode("eating cats").len() - 2;
    h.get_by_label_contains(&format!("{pieces} pieces"));
}

#[test]
fn unigram_pruning_drops_the_cheapest_pieces_round_by_round() {
    use llm_lens::model::tokenize::bpe_toy;
    use llm_lens::model::tokenize::unigram::{UnigramConfig, train_recorded};
    let config = UnigramConfig {
        vocab_size: 1 + bpe_toy::letters() + 6,
        max_piece_chars: 8,
        seed_size: 2_000,
        shrink: 0.8,
        em_iters: 2,
    };
    let mut rounds = Vec::new();
    let model = train_recorded(&bpe_toy::text(), &config, &mut |r| rounds.push(r));
    assert!(rounds.len() >= 2, "{}", rounds.len());
    for r in &rounds {
        assert!(r.after < r.before);
        assert_eq!(r.before - r.after, r.dropped.len());
        // Everything dropped cost no more than the cheapest piece kept.
        let line = r.cheapest_kept.as_ref().map_or(f64::INFINITY, |k| k.1);
        assert!(r.dropped.iter().all(|d| d.1 <= line + 1e-9));
        assert!(r.dropped.windows(2).all(|w| w[0].1 <= w[1].1));
        // Fewer pieces can only make the corpus less likely (up to rounding).
        assert!(r.loss_after >= r.loss_before - 1e-6);
    }
    assert_eq!(model.vocab_size(), config.vocab_size);
    let mut h = harness_at(View::UnigramPruning, "eating cats");
    let first = &rounds[0];
    h.get_by_label_contains(&format!(
        "Round 1: {} pieces → {}",
        first.before, first.after
    ));
    h.get_by_label(&first.dropped[0].0);
    let last = rounds.len() - 1;
    common::lesson::<Tokenisation>(&mut h).unigram_pruning.round = last;
    h.run_steps(2);
    let r = &rounds[last];
    h.get_by_label_contains(&format!(
        "Round {}: {} pieces → {}",
        last + 1,
        r.before,
        r.after
    ));
}

#[test]
fn pre_tokenisers_compare_real_rules_with_offsets() {
    let mut h = harness_at(View::PreTokenisers, "Héllo  ﬁne world");
    h.run_steps(2);
    // GPT-2 keeps the spaces: the second space is glued to "ﬁne" as Ġ.
    h.get_by_label_contains("token \"Ġï¬ģne\"");
    h.get_by_label_contains("token \"▁hello\"");
    // Both SentencePiece rules turn the ligature into two letters (NFKC and NFKD).
    assert_eq!(h.query_all_by_label_contains("token \"▁fine\"").count(), 2);
    // Offsets point at the original bytes: "ﬁne" is bytes 8..13 (ﬁ is 3 bytes).
    assert!(
        h.query_all_by_label_contains("bytes 8..13 of your sentence: \"ﬁne\"")
            .count()
            >= 4
    );
}
