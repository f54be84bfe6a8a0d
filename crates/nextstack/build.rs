//! Rebuilds the crate when the console's committed build changes: rust-embed
//! notices edits to files it embedded, but not files added or removed
//! (a new hashed asset name), which change the folder itself.

fn main() {
    println!("cargo:rerun-if-changed=../../web/admin/dist");
    println!("cargo:rerun-if-changed=../../web/admin/dist/assets");
}
