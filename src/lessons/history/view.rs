//! The history lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        Timeline = "timeline",
        Alignment = "alignment",
        Neuron = "neuron",
        Gradients = "gradients",
        Lstm = "lstm",
        Recall = "recall",
        WhyTransformers = "why-transformers",
        Sequence = "sequence",
        SequentialVsParallel = "sequential-vs-parallel",
        ModelSizes = "model-sizes",
    }
}
