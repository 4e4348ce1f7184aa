//! The BERT lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        EncoderOnly = "encoder-only",
        PretrainFinetune = "pretrain-finetune",
        Input = "input",
        Masking = "masking",
        Nsp = "nsp",
        Pretraining = "pretraining",
        FineTuning = "fine-tuning",
        Sizes = "sizes",
    }
}
