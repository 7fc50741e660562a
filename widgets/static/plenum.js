// The facilitator view: pick a theme, then one step at a time (buttons, the step list, or Page Down / Page Up on a
// presentation remote). Step texts and the trainer notes arrive as HTML sanitised by the kernel (widgets/_markdown.py).

export default {
  render({ model, el }) {
    const root = h("div", { class: "ts-widget ts-plenum-nav" });
    const chooserId = tsId("tema");
    const select = h("select", { id: chooserId, class: "ts-input" });
    const chooser = h("form", { class: "ts-plenum-chooser" },
      h("label", { for: chooserId, text: "Tema for samlingen" }),
      h("div", { class: "ts-row" }, select, h("button", { type: "submit", class: "ts-button", text: "Vis temaet" })));
    chooser.addEventListener("submit", (event) => { event.preventDefault(); tsSend(model, "choose", { theme: select.value }); });

    const counter = h("p", { class: "ts-plenum-counter", "aria-live": "polite" });
    const prev = h("button", { type: "button", class: "ts-button ts-secondary", text: "← Forrige" });
    const next = h("button", { type: "button", class: "ts-button", text: "Neste →" });
    const go = (delta) => tsSend(model, "go", { index: model.get("index") + delta });
    prev.addEventListener("click", () => go(-1));
    next.addEventListener("click", () => go(1));
    const list = h("ol", { class: "ts-plenum-steps" });
    const all = h("details", { class: "ts-plenum-all" }, h("summary", { text: "Alle steg" }), list);
    const nav = h("nav", { class: "ts-plenum-bar", "aria-label": "Steg i samlingen" }, prev, counter, next, all);

    const title = h("h2", { class: "ts-plenum-title", tabindex: "-1" });
    const text = h("div", { class: "ts-plenum-text" });
    const notes = h("aside", { class: "ts-plenum-notes", "aria-label": "Notater for kursholderen" });
    const prompts = h("section", { class: "ts-plenum-prompts", "aria-label": "Til diskusjon" });
    const stepBox = h("div", { class: "ts-plenum-step" }, title, text, prompts, notes);
    let lastKey = null;

    const draw = () => {
      const themes = model.get("themes");
      if (select.options.length !== themes.length) {
        select.replaceChildren(...themes.map((t) => h("option", { value: t.id, text: t.title })));
      }
      if (model.get("theme")) select.value = model.get("theme");
      const steps = model.get("steps");
      const chosen = Boolean(model.get("theme")) && steps.length > 0;
      nav.hidden = !chosen; stepBox.hidden = !chosen;
      if (!chosen) return;
      const index = model.get("index");
      const step = model.get("step");
      counter.textContent = `${model.get("theme_title")} – steg ${index + 1} av ${steps.length}`;
      prev.disabled = index === 0;
      next.disabled = index >= steps.length - 1;
      list.replaceChildren(...steps.map((s, i) => h("li", {}, h("button", {
        type: "button", class: "ts-link-button", "aria-current": i === index ? "step" : null, text: s.title,
        onclick: () => tsSend(model, "go", { index: i }) }))));
      title.textContent = step.title || "";
      text.replaceChildren(h("div", { html: step.text_html || "" }));
      prompts.hidden = !(step.prompts || []).length;
      prompts.replaceChildren(h("h3", { text: "Til diskusjon" }), ...(step.prompts || []).map((p) =>
        h("div", { class: "ts-plenum-prompt" }, h("h4", { text: p.title }), h("div", { html: p.html }))));
      notes.hidden = !(step.notes_html || []).length;
      notes.replaceChildren(h("h3", { text: "For kursholderen (vises ikke for deltakerne)" }),
        ...(step.notes_html || []).map((n) => h("div", { html: n })));
      if (lastKey !== null && lastKey !== step.key && root.contains(document.activeElement) === false) title.focus();
      lastKey = step.key;
    };
    for (const name of ["themes", "theme", "steps", "index", "step"]) model.on(`change:${name}`, draw);
    draw();

    // Presentation remotes send Page Down / Page Up; never while someone is typing.
    const onKey = (event) => {
      const target = event.target;
      if (!model.get("theme") || (target && target.closest && target.closest("input, textarea, select, [contenteditable]"))) return;
      if (event.key === "PageDown") { event.preventDefault(); go(1); }
      if (event.key === "PageUp") { event.preventDefault(); go(-1); }
    };
    document.addEventListener("keydown", onKey);
    root.append(chooser, nav, stepBox, tsErrorBox(model));
    el.append(root);
    return () => document.removeEventListener("keydown", onKey);
  },
};
