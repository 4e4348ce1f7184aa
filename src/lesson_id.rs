//! The six lessons and their stable ids, in course order. One definition for the shell,
//! the command line, persistence and lesson data (the timeline links events to lessons),
//! so it lives outside `lessons/` and imports nothing from the UI.

/// The lessons, in course order. The ids are used by the command line and the tests.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum LessonId {
    #[default]
    History,
    Tokenisation,
    Word2vec,
    Attention,
    Bert,
    Playground,
}

impl LessonId {
    pub const ALL: [LessonId; 6] = [
        Self::History,
        Self::Tokenisation,
        Self::Word2vec,
        Self::Attention,
        Self::Bert,
        Self::Playground,
    ];

    /// The stable id: `history`, `tokenisation`, `word2vec`, `attention`, `bert`, `playground`.
    pub fn id(self) -> &'static str {
        match self {
            Self::History => "history",
            Self::Tokenisation => "tokenisation",
            Self::Word2vec => "word2vec",
            Self::Attention => "attention",
            Self::Bert => "bert",
            Self::Playground => "playground",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::History => "History & RNNs",
            Self::Tokenisation => "Tokenisation",
            Self::Word2vec => "Word embeddings (word2vec)",
            Self::Attention => "Self-attention",
            Self::Bert => "BERT",
            Self::Playground => "Transformer playground",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The ids, comma-separated, for help texts and error messages.
    pub fn id_list() -> String {
        Self::ALL.map(Self::id).join(", ")
    }

    /// Parses a command-line lesson id, with a one-line error listing the ids.
    pub fn parse_arg(id: &str) -> Result<Self, String> {
        Self::from_id(id).ok_or_else(|| {
            let shown: String = id.chars().take(40).collect();
            format!(
                "unknown lesson {shown:?}; choose one of: {}",
                Self::id_list()
            )
        })
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// The built-in prose, embedded at compile time.
    pub fn builtin_prose(self) -> &'static str {
        match self {
            Self::History => include_str!("../lessons/history.md"),
            Self::Tokenisation => include_str!("../lessons/tokenisation.md"),
            Self::Word2vec => include_str!("../lessons/word2vec.md"),
            Self::Attention => include_str!("../lessons/attention.md"),
            Self::Bert => include_str!("../lessons/bert.md"),
            Self::Playground => include_str!("../lessons/playground.md"),
        }
    }
}
