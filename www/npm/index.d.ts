// Type declarations for the proflens npm package: the <proflens-analyzer>
// custom element and proflens.mount().

/** The views an analyzer can show. */
export type ProflensView = 'top' | 'graph' | 'flamegraph' | 'peek' | 'source';

/** pprof's filter regexps (go tool pprof's -focus, -ignore, -hide, -show, -show_from). */
export interface ProflensFilters {
  focus?: string;
  ignore?: string;
  hide?: string;
  show?: string;
  showFrom?: string;
}

/** Options of proflens.mount(). Give `bytes` (with `name`) or `url`. */
export interface ProflensMountOptions {
  /** The profile's bytes: gzip or raw profile.proto. */
  bytes?: Uint8Array | ArrayBuffer;
  /** The file name shown in the analyzer's header. */
  name?: string;
  /** A URL to fetch the profile from (instead of bytes). */
  url?: string;
  /** The view to open; others are Top. */
  view?: ProflensView;
  /** A sample type, by name (e.g. 'alloc_space') or index. */
  sampleIndex?: string | number;
  /** Filters applied from the start. */
  filters?: ProflensFilters;
}

/** A mounted analyzer. */
export interface ProflensHandle {
  /** Shows another profile. */
  load(bytes: Uint8Array | ArrayBuffer, name: string): void;
  setView(view: ProflensView): void;
  setSample(sample: string | number): void;
  /** Removes the analyzer and stops its worker. */
  destroy(): void;
}

/** Mounts an analyzer, with its own state and worker, in element's shadow root. */
export declare function mount(element: HTMLElement, options?: ProflensMountOptions): ProflensHandle;

declare const proflens: { mount: typeof mount };
export default proflens;

/** detail of the proflens-load event. */
export interface ProflensLoadDetail {
  file: string;
  sampleTypes: string[];
}

/** detail of the proflens-error event. */
export interface ProflensErrorDetail {
  message: string;
}

/** detail of the proflens-select event: the selected functions. */
export interface ProflensSelectDetail {
  names: string[];
}

/**
 * <proflens-analyzer src="…" view="…" sample="…">: set the attributes
 * (src: a profile URL; view: top, graph, flamegraph, peek or source;
 * sample: a sample type name or index); changing one updates the analyzer.
 */
export type ProflensAnalyzerElement = HTMLElement;

declare global {
  interface HTMLElementTagNameMap {
    'proflens-analyzer': ProflensAnalyzerElement;
  }
  interface HTMLElementEventMap {
    'proflens-load': CustomEvent<ProflensLoadDetail>;
    'proflens-error': CustomEvent<ProflensErrorDetail>;
    'proflens-select': CustomEvent<ProflensSelectDetail>;
  }
  interface Window {
    proflens: { mount: typeof mount };
  }
}
