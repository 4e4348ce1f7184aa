//! Fine-tuning as BERT does it: a classification head on `[CLS]` (through the
//! pre-trained pooler) and the **whole** model trained on labelled examples. The
//! task is built from the corpus: which century an address paragraph comes from.
//!
//! The classifier takes the place of the NSP head (`cls.seq_relationship`) with
//! one row per class, so the pre-training backward pass serves unchanged: the MLM
//! loss weight is 0 and the sentence loss is the classifier's.

use ndarray::{Array1, Array2};

use super::forward::{ForwardCache, NspCache, encode};
use super::grads::Grads;
use super::loss::cross_entropy_rows;
use super::model::{PretrainHeads, PretrainModel, TrainError};
use super::optim::{AdamW, LinearSchedule, clip_global_norm};
use crate::model::bert::linear::Linear;
use crate::model::bert::pretrained::PretrainedBert;
use crate::model::numerics::rng::SplitMix64;
use crate::model::text::corpus::Corpus;
use crate::model::tokenize::{ModelInput, WordPiece};

/// The classes: the century of the address.
pub const CENTURIES: [&str; 4] = ["1700s", "1800s", "1900s", "2000s"];

/// Century class of a year (clamped to the four).
pub fn century_of(year: u16) -> usize {
    (usize::from(year) / 100).clamp(17, 20) - 17
}

/// One labelled example: a paragraph's ids and its class.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub ids: Vec<u32>,
    pub label: usize,
}

/// Labelled paragraphs, split by address so validation reads unseen speeches.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Training examples per class.
    pub train: Vec<Vec<Example>>,
    pub validation: Vec<Example>,
}

fn encode_cut(tokenizer: &WordPiece, text: &str, max_len: usize) -> Vec<u32> {
    let mut input: ModelInput = tokenizer.encode(text);
    if input.ids.len() > max_len && max_len >= 2 {
        let sep = input.ids[input.ids.len() - 1];
        input.ids.truncate(max_len - 1);
        input.ids.push(sep);
    }
    input.ids
}

/// Every `stride`-th paragraph of every dated address (at least 8 words long),
/// one address in five (by file order) kept for validation, at most
/// `max_validation` validation examples spread over the classes.
pub fn build_dataset(
    corpus: &Corpus,
    tokenizer: &WordPiece,
    max_len: usize,
    stride: usize,
    max_validation: usize,
) -> Dataset {
    let mut train = vec![Vec::new(); CENTURIES.len()];
    let mut validation = vec![Vec::new(); CENTURIES.len()];
    for (d, doc) in corpus.documents().iter().enumerate() {
        let Some(year) = doc.year else { continue };
        let label = century_of(year);
        let target = if d % 5 == 4 {
            &mut validation[label]
        } else {
            &mut train[label]
        };
        for para in doc
            .text
            .lines()
            .filter(|l| l.split_whitespace().count() >= 8)
            .step_by(stride.max(1))
        {
            target.push(Example {
                ids: encode_cut(tokenizer, para, max_len),
                label,
            });
        }
    }
    // Validation: classes interleaved, so a cap keeps every class.
    let mut merged = Vec::new();
    let longest = validation.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for class in &validation {
            if let Some(e) = class.get(i) {
                merged.push(e.clone());
            }
        }
    }
    merged.truncate(max_validation);
    Dataset {
        train,
        validation: merged,
    }
}

/// Settings of a fine-tuning run.
#[derive(Debug, Clone, PartialEq)]
pub struct FineTuneConfig {
    pub steps: u64,
    pub batch: usize,
    pub lr: f32,
    pub seed: u64,
    pub max_len: usize,
}

impl Default for FineTuneConfig {
    fn default() -> Self {
        Self {
            steps: 200,
            batch: 16,
            lr: 1e-4,
            seed: 3,
            max_len: 64,
        }
    }
}

/// A pre-trained model with a fresh classifier, being fine-tuned.
pub struct FineTuner {
    pub config: FineTuneConfig,
    pub model: PretrainModel,
    optimizer: AdamW,
    grads: Grads,
    pub step: u64,
}

/// `softmax(logits)` of one row.
fn softmax(logits: &[f32]) -> Vec<f32> {
    let m = logits.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let e: Vec<f32> = logits.iter().map(|&x| (x - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.iter().map(|x| x / s.max(f32::MIN_POSITIVE)).collect()
}

impl FineTuner {
    /// The pre-trained encoder and pooler (a fresh pooler if the model has none) and
    /// a classifier of `classes` rows, N(0, 0.02²) as BERT initialises heads.
    pub fn new(
        bert: &PretrainedBert,
        classes: usize,
        config: FineTuneConfig,
    ) -> Result<Self, TrainError> {
        let hidden = bert.model.config.hidden_size;
        let mut rng = SplitMix64::for_stream(config.seed, 2);
        let pooler = match &bert.heads {
            Some(h) => h.pooler.clone(),
            None => PretrainHeads::random(&bert.model.config, &mut rng).pooler,
        };
        let classifier = Linear {
            weight: Array2::from_shape_simple_fn((classes, hidden), || {
                (rng.normal() * 0.02) as f32
            }),
            bias: Array1::zeros(classes),
        };
        // The two-class head fits `from_parts`; the classifier replaces it after.
        let mut model = PretrainModel::from_parts(
            bert.model.weights.clone(),
            PretrainHeads {
                pooler,
                seq_relationship: Linear {
                    weight: Array2::zeros((2, hidden)),
                    bias: Array1::zeros(2),
                },
            },
        )?;
        model.heads.seq_relationship = classifier;
        let grads = Grads::zeros_like(&model);
        Ok(Self {
            config,
            model,
            optimizer: AdamW::new(0.01),
            grads,
            step: 0,
        })
    }

    /// Class probabilities for one sequence of ids.
    pub fn classify(&self, ids: &[u32]) -> Vec<f32> {
        classify(&self.model, ids)
    }

    /// One update on a class-balanced batch; returns (loss, batch accuracy).
    pub fn train_step(&mut self, data: &Dataset) -> Result<(f64, f64), TrainError> {
        let classes: Vec<usize> = (0..data.train.len())
            .filter(|&c| !data.train[c].is_empty())
            .collect();
        if classes.is_empty() {
            return Err(TrainError::Setup("no training examples".into()));
        }
        self.step += 1;
        let mut rng = SplitMix64::for_stream(self.config.seed, 1000 + self.step);
        self.grads.fill_zero();
        let (mut loss, mut correct) = (0.0, 0);
        let batch = self.config.batch.max(1);
        for _ in 0..batch {
            let class = classes[rng.below(classes.len())];
            let ex = &data.train[class][rng.below(data.train[class].len())];
            let (l, right, cache) = forward_classify(&self.model, ex)?;
            loss += l / batch as f64;
            correct += usize::from(right);
            super::backward::backward(
                &self.model,
                &cache,
                0.0,
                1.0 / batch as f32,
                &mut self.grads,
            );
        }
        clip_global_norm(&mut self.grads, 1.0);
        let schedule = LinearSchedule {
            peak: self.config.lr,
            warmup: (self.config.steps / 10).max(1),
            total: self.config.steps.max(1),
        };
        self.optimizer
            .update(&mut self.model, &self.grads, schedule.lr(self.step))?;
        Ok((loss, correct as f64 / batch as f64))
    }
}

/// Probabilities of every class for `ids` under `model`'s classifier.
pub fn classify(model: &PretrainModel, ids: &[u32]) -> Vec<f32> {
    let type_ids = vec![0; ids.len()];
    let mask = vec![true; ids.len()];
    let (hidden, _, _) = encode(model, ids, &type_ids, &mask);
    let cls = hidden.slice(ndarray::s![0..1, ..]);
    let pooled = model.heads.pooler.forward(&cls).mapv(f32::tanh);
    let logits = model.heads.seq_relationship.forward(&pooled.view()); // (1 × classes)
    softmax(&logits.row(0).to_vec())
}

/// Accuracy on the validation examples.
pub fn accuracy(model: &PretrainModel, examples: &[Example]) -> f64 {
    let right = examples
        .iter()
        .filter(|e| {
            let p = classify(model, &e.ids);
            let best = p
                .iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                )
                .0;
            best == e.label
        })
        .count();
    right as f64 / examples.len().max(1) as f64
}

/// The classifier's loss on one example and the cache its backward needs.
fn forward_classify(
    model: &PretrainModel,
    ex: &Example,
) -> Result<(f64, bool, ForwardCache), TrainError> {
    let n = ex.ids.len();
    if n == 0 || n > model.config.max_position_embeddings {
        return Err(TrainError::Setup(format!("an example of {n} tokens")));
    }
    if let Some(&id) = ex
        .ids
        .iter()
        .find(|&&id| id as usize >= model.config.vocab_size)
    {
        return Err(TrainError::LabelOutOfRange {
            id,
            vocab: model.config.vocab_size,
        });
    }
    let type_ids = vec![0; n];
    let mask = vec![true; n];
    let (hidden, embeddings_ln, layers) = encode(model, &ex.ids, &type_ids, &mask);
    let cls = hidden.slice(ndarray::s![0..1, ..]).to_owned(); // (1 × hidden)
    let pooled = model.heads.pooler.forward(&cls.view()).mapv(f32::tanh);
    let logits = model.heads.seq_relationship.forward(&pooled.view()); // (1 × classes)
    let (loss, correct, d_logits) = cross_entropy_rows(&logits, &[ex.label]);
    let cache = ForwardCache {
        ids: ex.ids.clone(),
        type_ids,
        mask,
        embeddings_ln,
        layers,
        hidden,
        mlm: None,
        nsp: Some(NspCache {
            cls,
            pooled,
            d_logits,
        }),
    };
    Ok((loss, correct == 1, cache))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bert::config::BertConfig;
    use crate::model::bert::model_dir::Model;
    use crate::model::bert::weights::BertWeights;
    use crate::model::tokenize::basic::BasicTokenizer;

    #[test]
    fn centuries() {
        assert_eq!(century_of(1790), 0);
        assert_eq!(century_of(1865), 1);
        assert_eq!(century_of(1999), 2);
        assert_eq!(century_of(2026), 3);
    }

    /// A toy task the classifier must learn: class = whether the text has "b".
    #[test]
    fn the_whole_model_learns_a_separable_task() {
        let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd";
        let tokenizer = WordPiece::from_vocab_txt(vocab, BasicTokenizer::uncased()).unwrap();
        let config = BertConfig {
            vocab_size: 9,
            hidden_size: 16,
            num_hidden_layers: 1,
            num_attention_heads: 2,
            intermediate_size: 32,
            max_position_embeddings: 16,
            ..BertConfig::tiny()
        };
        let weights = BertWeights::random(&config, 5).unwrap();
        let bert = PretrainedBert {
            model: Model::from_parts(weights, tokenizer.clone()).unwrap(),
            heads: None,
        };
        // Random words from a, c, d; class 1 has one "b" somewhere.
        let mut rng = SplitMix64::new(11);
        let mut ex = |label: usize| {
            let mut words: Vec<&str> = (0..5).map(|_| ["a", "c", "d"][rng.below(3)]).collect();
            if label == 1 {
                let at = rng.below(words.len());
                words[at] = "b";
            }
            Example {
                ids: tokenizer.encode(&words.join(" ")).ids,
                label,
            }
        };
        let train: Vec<Vec<Example>> = (0..2).map(|c| (0..40).map(|_| ex(c)).collect()).collect();
        let validation: Vec<Example> = (0..40).map(|i| ex(i % 2)).collect();
        let data = Dataset { train, validation };
        let mut ft = FineTuner::new(
            &bert,
            2,
            FineTuneConfig {
                steps: 300,
                batch: 6,
                lr: 1e-2,
                ..FineTuneConfig::default()
            },
        )
        .unwrap();
        let before = ft.model.layers[0].intermediate.weight.clone();
        let mut last = (f64::INFINITY, 0.0);
        for _ in 0..300 {
            last = ft.train_step(&data).unwrap();
        }
        assert!(last.0 < 0.3, "{last:?}");
        let acc = accuracy(&ft.model, &data.validation);
        assert!(acc >= 0.9, "{acc}");
        // The encoder was trained too, not only the head.
        assert_ne!(ft.model.layers[0].intermediate.weight, before);
    }
}
