// Shared helpers, prepended to every Trygge widget's module (see widgets/_base.py).
// Learner text is always set with textContent; only HTML rendered and sanitised by the kernel goes through `html`.

// Voilà stops a page's kernel when the learner leaves the page: a beacon to voila/api/shutdown/<kernel> carrying the
// page's `_xsrf` cookie. A page Voilà 0.5 renders never gets that cookie, so the server refuses the beacon (403) and
// the kernel lives on, ~75 MB, until it is culled. Make the cookie if there is none (random, this site only):
// cookie and beacon then carry the same token, which is all the server checks (double-submit). Runs once per page.
(function tsXsrfCookie() {
  try {
    if (/(^|;\s*)_xsrf=/.test(document.cookie)) return;
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `_xsrf=${token}; path=/; SameSite=Strict${secure}`;
  } catch (e) { /* no cookies: the kernel is culled later instead */ }
})();

let __tsIds = 0;
function tsId(prefix) { __tsIds += 1; return `ts-${prefix}-${Date.now().toString(36)}-${__tsIds}`; }

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value; // sanitised server-side (widgets/_markdown.py)
    else if (key.startsWith("on")) node.addEventListener(key.slice(2).toLowerCase(), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Where the server serves files from: Voilà serves the course directory at <base>voila/files/,
// JupyterLab (trainers) at <base>files/.
function tsFilesBase() {
  let base = "/";
  const cfg = document.getElementById("jupyter-config-data");
  if (cfg) { try { base = JSON.parse(cfg.textContent).baseUrl || "/"; } catch (e) { /* keep "/" */ } }
  if (!base.endsWith("/")) base += "/";
  const inVoila = document.body && document.body.dataset && document.body.dataset.voila !== undefined;
  return inVoila || window.location.pathname.includes("/voila/") ? `${base}voila/files/` : `${base}files/`;
}
function tsMediaUrl(path) {
  if (!path) return "";
  if (/^https?:\/\//.test(path)) return path;
  return tsFilesBase() + path.split("/").map(encodeURIComponent).join("/");
}

function tsSend(model, type, payload = {}) { model.send({ type, ...payload }); }

// A calm error line the kernel can fill (widget.error); announced to screen readers.
function tsErrorBox(model) {
  const box = h("p", { class: "ts-error", role: "alert" });
  const update = () => { box.textContent = model.get("error") || ""; box.hidden = !model.get("error"); };
  model.on("change:error", update);
  update();
  return box;
}

function tsReducedMotion() {
  return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

function tsFormatTime(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// Print only this widget: the stylesheet hides everything else while body has ts-printing.
function tsPrint(el) {
  document.body.classList.add("ts-printing");
  el.classList.add("ts-print-target");
  const done = () => {
    document.body.classList.remove("ts-printing");
    el.classList.remove("ts-print-target");
    window.removeEventListener("afterprint", done);
  };
  window.addEventListener("afterprint", done);
  window.print();
}
