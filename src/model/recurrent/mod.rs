//! Recurrent networks, from one neuron to the LSTM, with real backpropagation through
//! time, and the recall task that shows where they stop and attention does not.

pub mod lstm;
pub mod neuron;
pub mod recall;
pub mod rnn;
