//! The BERT model: loading (and refusing broken folders), the forward pass against
//! PyTorch references, WordPiece against Hugging Face, the trace CLI, the corpus.

mod bad_folders;
mod builtin_parity;
mod cli_trace;
mod cli_train_bert;
mod corpus_builtin;
mod hostile_folders;
mod minilm_parity;
mod tiny_forward;
mod wordpiece_parity;
