// casetrack warm-up: evaluate Streamlit's chart and table code in the browser's idle time, so the tab's
// first chart and table draw without waiting for it. The files are resolved next to Streamlit's own main
// script (the local server); importing a module a second time (when Streamlit draws one) reuses it. When
// the code is ready the page says so (<html data-casetrack-scripts="ready">) for the benchmark and the
// browser tests. No user data.
export default function(component) {
  const chunks = (component.data && component.data.chunks) || [];
  const main = document.querySelector('script[type="module"][src*="/static/js/"]');
  if (!chunks.length || !main) return;
  const ready = () => { document.documentElement.dataset.casetrackScripts = "ready"; };
  const load = () => Promise.all(chunks.map((chunk) => import(new URL(chunk, main.src).href)))
    .then(ready, () => {});  // a missing file only loses the warm-up
  const idle = window.requestIdleCallback || ((run) => setTimeout(run, 200));
  idle(load, { timeout: 3000 });
}
