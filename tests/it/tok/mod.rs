//! Tokenisers: BPE training, characters and words, the hand-written pre-tokenisers
//! against their regexes, tiktoken parity, Unigram, any Unicode through the rows.

mod bpe_train;
mod char_word_cli;
mod count_steps;
mod hand_splits;
mod replay_steps;
mod rows_any_unicode;
mod suite_steps;
mod tiktoken_parity;
mod unigram;
