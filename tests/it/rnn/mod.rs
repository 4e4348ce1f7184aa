//! Recurrent networks: gradients through time, the single neuron, the recall task, the CLI.

mod cli;
mod gradients;
mod neuron;
mod recall;
