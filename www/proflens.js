// proflens for other pages: one script tag registers <proflens-analyzer>
// and window.proflens.mount(). Each analyzer lives in its own shadow root
// (styles stay in, the host page's styles stay out) with its own state and
// its own worker; nothing is uploaded anywhere.
//
//   <script type="module" src="https://example.org/proflens/proflens.js"></script>
//   <proflens-analyzer src="heap.pb.gz" view="flamegraph" sample="inuse_space"></proflens-analyzer>
//
// Attributes: src (a profile URL), view (top, graph, flamegraph, peek,
// source), sample (a sample type name or index); changing one updates the
// analyzer. Events (bubbling, composed): proflens-load {file, sampleTypes},
// proflens-error {message}, proflens-select {names}.
//
//   const handle = proflens.mount(element, { bytes, name, url, view, sampleIndex, filters });
//   (filters: { focus, ignore, hide, show, showFrom, tagfocus, tagignore, tagshow,
//   taghide, tagroot, tagleaf }, pprof's regexps and tag filters)
//   handle.load(bytes, name); handle.setView('graph'); handle.destroy();

const base = new URL('.', import.meta.url);
const asset = (name) => new URL(name, base).href;

// The page module renders the full page unless told it is only embedding.
window.__proflensEmbedOnly = true;
// Workers must come from the page's origin: a blob that pulls in the
// worker's script from wherever proflens is hosted.
window.__proflensWorkerUrl = URL.createObjectURL(
  new Blob(
    [`importScripts(${JSON.stringify(asset('proflens-worker.js'))}); wasm_bindgen(${JSON.stringify(asset('proflens-worker_bg.wasm'))});`],
    { type: 'text/javascript' },
  ),
);

// The symbolizer's worker, the same way (started only when binaries are added).
window.__proflensSymbolizerUrl = URL.createObjectURL(
  new Blob(
    [`importScripts(${JSON.stringify(asset('proflens-symbolizer.js'))}); wasm_bindgen(${JSON.stringify(asset('proflens-symbolizer_bg.wasm'))});`],
    { type: 'text/javascript' },
  ),
);

const bindings = await import(asset('proflens-web.js'));
await bindings.default({ module_or_path: asset('proflens-web_bg.wasm') });

/** A shadow root on `element` holding the stylesheet and a root div. */
function shadowRoot(element) {
  const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  shadow.innerHTML = `<link rel="stylesheet" href="${asset('styles.css')}"><div class="proflens-root"></div>`;
  return shadow.querySelector('.proflens-root');
}

class ProflensAnalyzer extends HTMLElement {
  static get observedAttributes() {
    return ['src', 'view', 'sample'];
  }

  connectedCallback() {
    if (this.handle) return;
    this.handle = bindings.mount_analyzer(shadowRoot(this), this, {
      src: this.getAttribute('src') ?? '',
      view: this.getAttribute('view') ?? '',
      sample: this.getAttribute('sample') ?? '',
    });
  }

  attributeChangedCallback(name, old, value) {
    if (this.handle && old !== value) this.handle.set(name, value ?? '');
  }

  disconnectedCallback() {
    this.handle?.destroy();
    this.handle = null;
  }
}

if (!customElements.get('proflens-analyzer')) customElements.define('proflens-analyzer', ProflensAnalyzer);

window.proflens = {
  /** Mounts an analyzer in `element`; see the comment at the top. */
  mount(element, options = {}) {
    const { bytes, url, ...rest } = options;
    const handle = bindings.mount_analyzer(shadowRoot(element), element, {
      ...rest,
      url: url ?? '',
      bytes: bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes,
    });
    return {
      load: (data, name) => handle.load(data instanceof ArrayBuffer ? new Uint8Array(data) : data, name),
      setView: (view) => handle.set('view', view),
      setSample: (sample) => handle.set('sample', String(sample)),
      destroy: () => handle.destroy(),
    };
  },
};
window.dispatchEvent(new Event('proflens-ready'));
