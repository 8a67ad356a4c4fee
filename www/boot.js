// Starts the page: the wasm-bindgen module and its wasm. Trunk would put
// this in an inline script; as a file it runs under the page's
// Content-Security-Policy (script-src 'self', no inline scripts).
import init from './proflens-web.js';

const wasm = await init({ module_or_path: new URL('./proflens-web_bg.wasm', import.meta.url) });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
