export default {
  render({ model, el }) {
    const list = h("ul", { class: "ts-sources" }, model.get("sources").map((s, index) => h("li", {},
      h("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: s.title,
               onclick: () => tsSend(model, "opened", { index }) }),
      h("span", { class: "ts-visually-hidden", text: " (åpnes i ny fane)" }),
      h("span", { class: "ts-source-meta", text: ` – ${s.publisher}, ${s.year || "u.å."}.` }),
      s.note ? h("p", { class: "ts-muted", text: s.note }) : null)));
    const done = h("button", { type: "button", class: "ts-button ts-secondary", text: "Merk «Lær mer» som sett" });
    const status = h("p", { role: "status", class: "ts-status" });
    done.addEventListener("click", () => { tsSend(model, "done"); status.textContent = "Merket som sett."; });
    el.append(h("div", { class: "ts-widget ts-learnmore" }, list, h("div", { class: "ts-row" }, done), status, tsErrorBox(model)));
  },
};
