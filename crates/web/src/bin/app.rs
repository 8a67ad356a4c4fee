//! The page's entry point: mounts the analyzer on the document body, unless
//! www/proflens.js loaded the module to embed analyzers in another page.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        let embed_only = web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w, &"__proflensEmbedOnly".into()).ok())
            .is_some_and(|v| v.is_truthy());
        if !embed_only {
            yew::Renderer::<proflens_web::App>::new().render();
        }
    }
}
