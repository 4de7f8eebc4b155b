// casetrack chart warm-up: evaluate Streamlit's Plotly chart code in the browser's idle time, so the tab's
// first chart draws without waiting for it. The file is resolved next to Streamlit's own main script (the
// local server); importing a module a second time (when Streamlit draws a chart) reuses it. When the code is
// ready the page says so (<html data-casetrack-charts="ready">) for the benchmark and the browser tests.
// No user data.
export default function(component) {
  const chunk = component.data && component.data.chunk;
  const main = document.querySelector('script[type="module"][src*="/static/js/"]');
  if (!chunk || !main) return;
  const url = new URL(chunk, main.src).href;
  const ready = () => { document.documentElement.dataset.casetrackCharts = "ready"; };
  const load = () => import(url).then(ready, () => {});  // a missing file only loses the warm-up
  const idle = window.requestIdleCallback || ((run) => setTimeout(run, 200));
  idle(load, { timeout: 3000 });
}
