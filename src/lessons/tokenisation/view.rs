//! The tokenisation lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        FirstCuts = "first-cuts",
        MissingWord = "missing-word",
        SideBySide = "side-by-side",
        Pipeline = "pipeline",
        PreTokenisers = "pre-tokenisers",
        Decoding = "decoding",
        BpeReplay = "bpe-replay",
        WordPieceScores = "wordpiece",
        WordPieceReplay = "wordpiece-replay",
        Unigram = "unigram",
        UnigramPruning = "unigram-pruning",
        Curiosities = "curiosities",
    }
}
