//! BERT pre-training on the CPU with hand-written backward passes: the model with
//! its pooler and NSP head ([`model`]), gradients that mirror it ([`grads`]), the
//! training forward with caches ([`forward`]) and its backward ([`backward`],
//! built on [`ops`] and [`attention`]), the losses ([`loss`]), BERT's 80/10/10
//! masking ([`masking`]) and AdamW with its schedule and clipping ([`optim`]);
//! then the run around them: sentence pairs from the corpus ([`data`]), the loop
//! over threads ([`trainer`]), held-out scores ([`eval`]) and checkpoints and
//! export ([`checkpoint`]).

pub mod attention;
pub mod backward;
pub mod checkpoint;
#[cfg(test)]
mod checks;
pub mod data;
pub mod eval;
pub mod finetune;
pub mod forward;
pub mod grads;
pub mod live;
pub mod log;
pub mod loss;
pub mod masking;
pub mod model;
pub mod ops;
pub mod optim;
pub mod packed;
pub mod parts;
#[cfg(test)]
mod run_checks;
pub mod trainer;

pub use backward::{BatchLosses, backward, batch_loss_and_grads};
pub use forward::{Losses, NspLabel, PretrainExample, forward_example};
pub use grads::{Grads, ParamGrad, named_params};
pub use masking::{Choice, Masked, MaskingPolicy};
pub use model::{PretrainHeads, PretrainModel, TrainError};
pub use optim::{AdamW, LinearSchedule, clip_global_norm};
