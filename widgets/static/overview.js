export default {
  render({ model, el }) {
    const list = h("ol", { class: "ts-themes" });
    const draw = () => {
      list.replaceChildren(...model.get("themes").map((th) => {
        const headingId = tsId("theme");
        const progress = th.ready
          ? h("p", { class: "ts-theme-progress" }, h("progress", { max: String(th.total), value: String(th.done), "aria-hidden": "true" }),
              ` ${th.done} av ${th.total} deler fullført`)
          : h("p", { class: "ts-muted", text: "Kommer snart." });
        return h("li", { class: th.ready ? "ts-theme-card" : "ts-theme-card ts-planned" },
          h("h3", { id: headingId }, th.ready ? h("a", { href: th.notebook, text: `${th.order}. ${th.title}` }) : `${th.order}. ${th.title}`),
          h("p", { text: th.summary }), progress);
      }));
    };
    model.on("change:themes", draw);
    el.append(h("div", { class: "ts-widget ts-overview" }, list, tsErrorBox(model)));
    draw();
  },
};
