//! The tokenisation lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        FirstCuts = "first-cuts",
        SideBySide = "side-by-side",
        Pipeline = "pipeline",
        BpeReplay = "bpe-replay",
        Unigram = "unigram",
        Curiosities = "curiosities",
    }
}
