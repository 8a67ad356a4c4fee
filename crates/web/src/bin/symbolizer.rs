//! The symbolizer's Web Worker: names a profile's addresses from the
//! binaries given with it. Its own binary, so that the page's first load
//! does not download the object-file readers; the page starts it only
//! when binaries are added.

fn main() {
    #[cfg(target_arch = "wasm32")]
    proflens_web::symbolizer::worker::start();
}
