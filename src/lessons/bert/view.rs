//! The BERT lesson's views, by the names its prose uses.

crate::lessons::views! {
    pub enum View {
        SpecialTokens = "special-tokens",
    }
}
