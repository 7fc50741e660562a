export default {
  render({ model, el }) {
    const root = h("div", { class: "ts-widget ts-reflection" });
    const views = new Map();
    for (const task of model.get("tasks")) {
      const id = tsId("r");
      const area = h("textarea", { id, rows: "6", class: "ts-textarea", maxlength: "5000" });
      const share = h("input", { type: "checkbox", id: id + "-share" });
      const status = h("p", { role: "status", class: "ts-status" });
      const save = h("button", { type: "button", class: "ts-button", text: "Lagre" });
      save.addEventListener("click", () => tsSend(model, "save", { task: task.id, text: area.value, share: share.checked }));
      const kind = task.kind === "exercise" ? "Øvelse" : "Refleksjon";
      root.append(h("article", { class: "ts-task", "aria-labelledby": id + "-h" },
        h("h3", { id: id + "-h", text: task.title }),
        h("p", { class: "ts-meta", text: `${kind} · ${task.mode}${task.duration ? " · " + task.duration : ""}` }),
        h("div", { class: "ts-prompt", html: task.prompt_html }),
        task.steps.length ? h("ol", { class: "ts-steps" }, task.steps.map((s) => h("li", { text: s }))) : null,
        h("label", { for: id, text: task.kind === "exercise" ? "Dine notater" : "Dine tanker" }),
        area,
        h("p", { class: "ts-muted", id: id + "-help", text: "Det du skriver er privat og lagres bare under koden din. Ikke skriv navn eller andre personopplysninger." }),
        h("div", { class: "ts-option" }, share, h("label", { for: id + "-share", text: "Del teksten anonymt med kursansvarlige" })),
        h("div", { class: "ts-row" }, save),
        status));
      area.setAttribute("aria-describedby", id + "-help");
      views.set(task.id, { area, status });
    }
    const print = h("button", { type: "button", class: "ts-button ts-secondary ts-no-print", text: "Skriv ut oppgavene" });
    print.addEventListener("click", () => tsPrint(root));
    root.append(h("div", { class: "ts-row" }, print), tsErrorBox(model));
    el.append(root);
    const draw = () => {
      const notes = model.get("notes"); const status = model.get("status");
      for (const [id, v] of views) {
        if (notes[id] !== undefined && document.activeElement !== v.area) v.area.value = notes[id];
        v.status.textContent = status[id] || "";
      }
    };
    model.on("change:notes", draw); model.on("change:status", draw);
    draw();
  },
};
