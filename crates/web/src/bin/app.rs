//! The page's entry point: mounts the analyzer on the document body, unless
//! www/proflens.js loaded the module to embed analyzers in another page.
//! The embedding API's JS exports are defined here, in the page's binary,
//! so that the worker's binary (same library) does not include the page.

#[cfg(target_arch = "wasm32")]
mod exports {
    use wasm_bindgen::prelude::*;

    /// A running embedded analyzer (see proflens_web::embed).
    #[wasm_bindgen]
    pub struct AnalyzerHandle(proflens_web::ui::embed::AnalyzerHandle);

    #[wasm_bindgen]
    impl AnalyzerHandle {
        /// Changes an attribute: `view`, `sample` or `src`.
        pub fn set(&self, name: &str, value: &str) {
            self.0.set(name, value);
        }

        /// Loads a profile's bytes.
        pub fn load(&self, bytes: &[u8], name: Option<String>) {
            self.0.load(bytes, name);
        }

        /// Stops the analyzer.
        pub fn destroy(&mut self) {
            self.0.destroy();
        }
    }

    /// Mounts an analyzer into `root`, with events on `host`.
    #[wasm_bindgen]
    pub fn mount_analyzer(
        root: web_sys::Element,
        host: web_sys::Element,
        options: JsValue,
    ) -> AnalyzerHandle {
        AnalyzerHandle(proflens_web::ui::embed::mount_analyzer(root, host, options))
    }
}

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
