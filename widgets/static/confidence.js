export default {
  render({ model, el }) {
    const scale = model.get("scale");
    const after = model.get("phase") === "after";
    const rows = [];
    const form = h("form", { class: "ts-widget ts-confidence", novalidate: true });
    const status = h("p", { role: "status", class: "ts-status" });
    form.append(h("p", { class: "ts-muted", text: `1 betyr «ikke trygg i det hele tatt», ${scale} betyr «helt trygg». Det finnes ingen riktige svar.` }));
    for (const s of model.get("statements")) {
      const name = tsId("c");
      const note = h("p", { class: "ts-muted ts-before-note" });
      const radios = [];
      const scaleRow = h("div", { class: "ts-scale" });
      for (let v = 1; v <= scale; v += 1) {
        const id = `${name}-${v}`;
        const input = h("input", { type: "radio", name, id, value: String(v) });
        radios.push(input);
        const label = v === 1 ? `${v} (ikke trygg)` : v === scale ? `${v} (helt trygg)` : String(v);
        scaleRow.append(h("span", { class: "ts-scale-point" }, input, h("label", { for: id, text: label })));
      }
      rows.push({ s, radios, note });
      form.append(h("fieldset", { class: "ts-statement" }, h("legend", { text: s.text }), scaleRow, note));
    }
    const save = h("button", { type: "submit", class: "ts-button", text: "Lagre svarene" });
    form.append(save, status, tsErrorBox(model));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const ratings = {};
      for (const { s, radios } of rows) {
        const picked = radios.find((r) => r.checked);
        if (picked) ratings[s.id] = Number(picked.value);
      }
      if (Object.keys(ratings).length < rows.length) { status.textContent = "Svar på alle påstandene før du lagrer."; return; }
      tsSend(model, "save", { ratings });
    });
    const draw = () => {
      const ratings = model.get("ratings"); const before = model.get("before");
      for (const { s, radios, note } of rows) {
        const v = ratings[s.id];
        if (v) radios.forEach((r) => { r.checked = Number(r.value) === v; });
        note.textContent = after && before[s.id] ? `Før temaet svarte du ${before[s.id]}.` + (v ? ` Nå: ${v} (${v - before[s.id] >= 0 ? "+" : ""}${v - before[s.id]}).` : "") : "";
      }
      if (model.get("saved")) { status.textContent = "Svarene er lagret. Du kan endre dem og lagre på nytt."; }
    };
    model.on("change:ratings", draw); model.on("change:before", draw); model.on("change:saved", draw);
    el.append(form);
    draw();
  },
};
