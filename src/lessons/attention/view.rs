//! The self-attention lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        Pairs = "pairs",
        PositionalEncoding = "positional-encoding",
        NoWeights = "no-weights",
        Scaling = "scaling",
        Masks = "masks",
    }
}
