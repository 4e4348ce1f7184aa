//! `--model DIR|builtin`, shared by the commands that run a BERT.

use std::path::Path;

use crate::model::bert::builtin_model;
use crate::model::bert::model_dir::Model;

/// `builtin` is the model shipped inside the app; anything else is a folder.
pub fn load_model(arg: &str) -> Result<Model, String> {
    if arg == "builtin" {
        builtin_model::load().map_err(|e| e.to_string())
    } else {
        Model::load(Path::new(arg)).map_err(|e| e.to_string())
    }
}
