//! The page's entry point: mounts the analyzer on the document body.

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<proflens_web::App>::new().render();
}
