//! The word2vec lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        OneHot = "one-hot",
        TrainingPairs = "training-pairs",
        Network = "network",
        ToyRun = "toy-run",
        NegativeSampling = "negative-sampling",
        Training = "training",
        Explore = "explore",
    }
}
