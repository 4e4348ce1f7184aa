//! The app driven as a learner would (egui_kittest): every lesson's steps, navigation,
//! widgets, exports and the snapshots; and the lesson registry against the prose.

mod attention;
mod attention_context;
mod attention_heads;
mod attention_maths;
mod bert;
mod copy;
mod export_files;
mod files;
mod history;
mod hostile_input;
mod lessons_registry;
mod model_panel;
mod navigation;
mod playground;
mod snapshots;
mod tokenisation;
mod widgets;
mod word2vec;
mod word2vec_steps;
