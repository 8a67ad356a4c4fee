use std::path::PathBuf;
#[cfg(feature = "codegen")]
mod codegen;
fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    #[cfg(feature = "codegen")]
    codegen::regenerate(&root).unwrap();
    let _ = root;
}
