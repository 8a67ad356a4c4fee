// The npm package's ES module entry. Importing it registers
// <proflens-analyzer> and window.proflens (proflens.js, beside this file,
// finds its worker and wasm next to itself), then re-exports the API.
import './proflens.js';

/** Mounts an analyzer in `element`; see index.d.ts. */
export const mount = (element, options) => window.proflens.mount(element, options);

export default { mount };
