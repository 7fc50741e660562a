export default {
  render({ model, el }) {
    const headingId = tsId("progress");
    const list = h("ul", { class: "ts-progress-list" });
    const bar = h("progress", { max: "1", value: "0", "aria-labelledby": headingId + "-count" });
    const count = h("p", { id: headingId + "-count", class: "ts-progress-count" });
    const draw = () => {
      const sections = model.get("sections");
      const done = sections.filter((s) => s.done).length;
      count.textContent = `${done} av ${sections.length} deler fullført`;
      bar.max = sections.length || 1;
      bar.value = done;
      list.replaceChildren(...sections.map((s) => h("li", { class: s.done ? "ts-done" : "ts-todo" },
        h("span", { class: "ts-mark", "aria-hidden": "true", text: s.done ? "✓" : "○" }),
        ` ${s.title}`,
        h("span", { class: "ts-visually-hidden", text: s.done ? " (fullført)" : " (ikke fullført)" }))));
    };
    el.append(h("section", { class: "ts-widget ts-progress", "aria-labelledby": headingId },
      h("h2", { id: headingId, text: "Din fremdrift" }), count, bar, list, tsErrorBox(model)));
    model.on("change:sections", draw);
    draw();
  },
};
