//! The history lesson's data: word alignment and the timeline.

mod alignment;
mod timeline;
