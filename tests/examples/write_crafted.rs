//! Writes every crafted hostile input (`proflens_tests::crafted::all`) into
//! a directory, with an index, for the browser test that drops them on the
//! page: `cargo run -p proflens-tests --example write_crafted -- DIR`.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: write_crafted DIR"));
    std::fs::create_dir_all(&dir).expect("creating the directory");
    let mut index = String::new();
    for c in proflens_tests::crafted::all() {
        std::fs::write(dir.join(c.name), &c.bytes).expect("writing a crafted file");
        index.push_str(&format!("{}\t{}\n", c.name, c.about));
    }
    std::fs::write(dir.join("index.tsv"), index).expect("writing the index");
}
