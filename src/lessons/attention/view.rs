//! The self-attention lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        WhyContext = "why-context",
        Embeddings = "embeddings",
        PositionalEncoding = "positional-encoding",
        NoWeights = "no-weights",
        Qkv = "qkv",
        Scaling = "scaling",
        WeightedSum = "weighted-sum",
        Masks = "masks",
        MultiHead = "multi-head",
        CrossAttention = "cross-attention",
        Cost = "cost",
    }
}
