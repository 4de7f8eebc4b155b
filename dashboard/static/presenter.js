// casetrack presentation mode: clicker keys (ArrowRight/PageDown, ArrowLeft/PageUp click Next/Previous;
// Home/End jump to the first/last slide) and the window size, so slides are built to fit it. No user data.
export default function(component) {
  const { setStateValue, setTriggerValue, data } = component;
  const report = () => {
    const size = { width: window.innerWidth, height: window.innerHeight };
    if (!data || data.width !== size.width || data.height !== size.height) setStateValue("screen", size);
  };
  const click = (key) => {
    const button = document.querySelector(`.st-key-${key} button`);
    if (button && !button.disabled) button.click();
  };
  const keys = { ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev" };
  const onKey = (event) => {
    if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (keys[event.key]) click(`present_${keys[event.key]}`);
    else if (event.key === "Home") setTriggerValue("jump", "first");
    else if (event.key === "End") setTriggerValue("jump", "last");
    else return;
    event.preventDefault();
  };
  let timer;
  const onResize = () => { clearTimeout(timer); timer = setTimeout(report, 200); };
  report();
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", onResize);
  return () => {
    document.removeEventListener("keydown", onKey);
    window.removeEventListener("resize", onResize);
    clearTimeout(timer);
  };
}
