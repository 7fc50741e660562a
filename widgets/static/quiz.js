export default {
  render({ model, el }) {
    const root = h("div", { class: "ts-widget ts-quiz" });
    const score = h("p", { class: "ts-quiz-score", role: "status" });
    const views = new Map();

    for (const item of model.get("items")) {
      const multiple = item.type === "multiple";
      const name = tsId("q");
      const legendId = name + "-legend";
      const inputs = item.options.map((text, i) => {
        const id = `${name}-${i}`;
        const input = h("input", { type: multiple ? "checkbox" : "radio", name, id, value: String(i) });
        return { input, row: h("div", { class: "ts-option" }, input, h("label", { for: id, text })) };
      });
      const feedback = h("div", { class: "ts-feedback", "aria-live": "polite" });
      const check = h("button", { type: "button", class: "ts-button", text: "Sjekk svaret" });
      const retry = h("button", { type: "button", class: "ts-button ts-secondary", text: "Prøv igjen", hidden: true });
      const fieldset = h("fieldset", { class: "ts-quiz-item", "aria-describedby": name + "-help" },
        h("legend", { id: legendId, class: "ts-legend" }, h("span", { html: item.prompt_html })),
        h("p", { id: name + "-help", class: "ts-muted", text: multiple ? "Velg alle som passer." : "Velg ett svar." }),
        inputs.map((x) => x.row), h("div", { class: "ts-row" }, check, retry), feedback);
      check.addEventListener("click", () => {
        const selected = inputs.map((x, i) => (x.input.checked ? i : -1)).filter((i) => i >= 0);
        if (!selected.length) { feedback.replaceChildren(h("p", { class: "ts-hint", text: "Velg et svar først." })); return; }
        tsSend(model, "answer", { item: item.id, selected });
      });
      retry.addEventListener("click", () => {
        tsSend(model, "retry", { item: item.id });
        inputs.forEach((x) => { x.input.checked = false; x.input.disabled = false; }); // enabled now, so focus can land
        inputs[0].input.focus();
      });
      views.set(item.id, { inputs, feedback, check, retry, item });
      root.append(fieldset);
    }

    const draw = () => {
      const results = model.get("results");
      let right = 0; let answered = 0;
      for (const [id, v] of views) {
        const r = results[id];
        v.inputs.forEach((x) => { x.input.disabled = Boolean(r && r.selected); });
        // «Sjekk svaret» hides once answered: keep keyboard focus on the button that takes its place.
        const checkHadFocus = document.activeElement === v.check;
        const retryHadFocus = document.activeElement === v.retry;
        v.check.hidden = Boolean(r && r.selected);
        v.retry.hidden = !(r && r.selected);
        if (checkHadFocus && v.check.hidden) v.retry.focus();
        if (retryHadFocus && v.retry.hidden) v.inputs[0].input.focus();
        if (!r) { v.feedback.replaceChildren(); continue; }
        if (r.error) { v.feedback.replaceChildren(h("p", { class: "ts-hint", text: r.error })); continue; }
        answered += 1; if (r.correct) right += 1;
        const verdict = r.correct ? "Riktig!" : (r.missed ? `Ikke helt: du manglet ${r.missed} riktig${r.missed > 1 ? "e" : ""} svar.` : "Ikke riktig.");
        v.feedback.replaceChildren(
          h("p", { class: r.correct ? "ts-verdict ts-right" : "ts-verdict ts-wrong" },
            h("span", { "aria-hidden": "true", text: r.correct ? "✓ " : "✗ " }), verdict),
          h("ul", { class: "ts-option-feedback" }, r.feedback.map((f) =>
            h("li", {}, h("strong", { text: `«${v.item.options[f.option]}»: ` }), f.text))),
          h("div", { class: "ts-explanation" }, h("strong", { text: "Forklaring: " }), h("div", { html: r.explanation_html })));
      }
      const total = views.size;
      score.textContent = answered ? `Du har svart på ${answered} av ${total} spørsmål, ${right} riktig${answered === total ? ". Bra jobbet!" : "."}` : `${total} spørsmål.`;
    };
    root.append(score, tsErrorBox(model));
    el.append(root);
    model.on("change:results", draw);
    draw();
  },
};
