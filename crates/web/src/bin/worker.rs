//! The Web Worker's entry point: decodes profiles and answers report queries.

fn main() {
    #[cfg(target_arch = "wasm32")]
    proflens_web::worker::start();
}
