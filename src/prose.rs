//! Lesson prose: one Markdown file per lesson in `lessons/`, embedded at compile time, or
//! read from a folder given with `--lessons DIR` so a teacher can change the wording
//! without recompiling.
//!
//! The format (also in `lessons/README.md`): steps are separated by a line holding only
//! `---`; each step starts with a `## Title` heading; an optional line
//! `<!-- view: NAME -->` names the live view the lesson draws beside the text, and an
//! optional `<!-- panel: NAME -->` what the live model panel shows during the step.

use crate::lessons::LessonId;
use std::path::Path;

/// One step: a title, its Markdown body and the live view it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    pub body: String,
    pub view: Option<String>,
    /// What the live model panel shows during this step (`<!-- panel: NAME -->`).
    pub panel: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProseError {
    #[error("the file has no steps")]
    Empty,
    #[error("step {0} does not start with a '## Title' heading")]
    MissingTitle(usize),
}

/// Largest prose file read from disk: lesson text is a few kilobytes.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// Splits a lesson file into steps.
///
/// ```
/// let steps = llm_lens::prose::parse("## One\nHello\n<!-- view: a -->\n---\n## Two\nBye").unwrap();
/// assert_eq!(steps[1].title, "Two");
/// assert_eq!(steps[0].view.as_deref(), Some("a"));
/// ```
pub fn parse(text: &str) -> Result<Vec<Step>, ProseError> {
    let text = text.replace("\r\n", "\n");
    let mut steps = Vec::new();
    for (i, chunk) in text.split("\n---\n").enumerate() {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            continue;
        }
        let mut lines = chunk.lines();
        let Some(title) = lines.next().and_then(|l| l.strip_prefix("## ")) else {
            return Err(ProseError::MissingTitle(i + 1));
        };
        let mut view = None;
        let mut panel = None;
        let mut body = String::new();
        for line in lines {
            let trimmed = line.trim();
            let comment = |key: &str| {
                trimmed
                    .strip_prefix(key)
                    .and_then(|r| r.strip_suffix("-->"))
                    .map(|n| n.trim().to_owned())
            };
            if let Some(name) = comment("<!-- view:") {
                view = Some(name);
            } else if let Some(name) = comment("<!-- panel:") {
                panel = Some(name);
            } else {
                body.push_str(line);
                body.push('\n');
            }
        }
        steps.push(Step {
            title: title.trim().to_owned(),
            body: body.trim().to_owned(),
            view,
            panel,
        });
    }
    if steps.is_empty() {
        return Err(ProseError::Empty);
    }
    Ok(steps)
}

/// The prose of every lesson, plus notices about files that could not be used.
#[derive(Debug, Clone)]
pub struct ProseLibrary {
    lessons: Vec<Vec<Step>>,
    pub notices: Vec<String>,
}

impl ProseLibrary {
    /// The text compiled into the app.
    pub fn builtin() -> Self {
        let lessons = LessonId::ALL
            .iter()
            .map(|l| {
                parse(l.builtin_prose()).unwrap_or_else(|e| {
                    vec![Step {
                        title: l.title().to_owned(),
                        body: format!("(The built-in text of this lesson is malformed: {e}.)"),
                        view: None,
                        panel: None,
                    }]
                })
            })
            .collect();
        Self {
            lessons,
            notices: Vec::new(),
        }
    }

    /// Reads `DIR/<id>.md` for every lesson; a missing or malformed file keeps the
    /// built-in text and adds a notice saying why.
    /// From `dir` when given (`--lessons DIR`), else the built-in text.
    pub fn from_dir_or_builtin(dir: Option<&Path>) -> Self {
        match dir {
            Some(d) => Self::from_dir(d),
            None => Self::builtin(),
        }
    }

    pub fn from_dir(dir: &Path) -> Self {
        let mut library = Self::builtin();
        if !dir.is_dir() {
            library.notices.push(format!(
                "Lesson folder {} not found: using the built-in text.",
                dir.display()
            ));
            return library;
        }
        for lesson in LessonId::ALL {
            let path = dir.join(format!("{}.md", lesson.id()));
            let loaded = read_small(&path).and_then(|t| parse(&t).map_err(|e| e.to_string()));
            match loaded {
                Ok(steps) => library.lessons[lesson.index()] = steps,
                Err(e) => library
                    .notices
                    .push(format!("{}: {e}; using the built-in text.", path.display())),
            }
        }
        library
    }

    pub fn steps(&self, lesson: LessonId) -> &[Step] {
        &self.lessons[lesson.index()]
    }
}

fn read_small(path: &Path) -> Result<String, String> {
    crate::model::text::bounded::read_text(path, MAX_FILE_BYTES).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_lesson_parses_and_names_known_views() {
        let lessons = crate::lessons::all_lessons();
        for l in LessonId::ALL {
            let steps = parse(l.builtin_prose()).expect("built-in prose parses");
            assert!(!steps.is_empty());
            let pane = &lessons[l.index()];
            for s in steps {
                assert!(s.body.len() > 80, "{}: '{}' has real text", l.id(), s.title);
                if let Some(v) = &s.view {
                    assert!(
                        pane.views().contains(&v.as_str()),
                        "{}: unknown view {v}",
                        l.id()
                    );
                }
                if let Some(p) = &s.panel {
                    assert!(
                        crate::lessons::model_panel::focus::NAMES.contains(&p.as_str()),
                        "{}: unknown panel focus {p}",
                        l.id()
                    );
                }
            }
        }
    }

    #[test]
    fn malformed_text_is_rejected() {
        assert_eq!(parse(""), Err(ProseError::Empty));
        assert_eq!(parse("no heading"), Err(ProseError::MissingTitle(1)));
        assert_eq!(
            parse("## A\nx\n---\nno heading"),
            Err(ProseError::MissingTitle(2))
        );
    }

    #[test]
    fn folder_overrides_and_falls_back_with_notices() {
        let dir = std::env::temp_dir().join(format!("llm-lens-prose-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("history.md"), "## Custom\nA teacher's own words.").unwrap();
        std::fs::write(dir.join("bert.md"), "broken").unwrap();
        let lib = ProseLibrary::from_dir(&dir);
        assert_eq!(lib.steps(LessonId::History)[0].title, "Custom");
        assert_eq!(
            lib.steps(LessonId::Bert),
            ProseLibrary::builtin().steps(LessonId::Bert)
        );
        assert!(lib.notices.iter().any(|n| n.contains("bert.md")));
        assert!(
            lib.notices.iter().any(|n| n.contains("word2vec.md")),
            "missing files are reported"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
