//! word2vec: gradients against finite differences, the negative table, training, vectors files.

mod data_steps;
mod gradients;
mod hostile_files;
mod negative_table;
mod stepwise;
mod training;
mod vectors;
