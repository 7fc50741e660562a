// Help-line finder: a filter form; the kernel decides what fits and what is open (widgets/helplines.py).

export default {
  render({ model, el }) {
    const root = h("div", { class: "ts-widget ts-finder" });
    const ids = { need: tsId("need"), age: tsId("age"), channel: tsId("channel"), date: tsId("date"), time: tsId("time"),
                  open: tsId("open"), when: tsId("when") };
    const need = h("select", { id: ids.need, class: "ts-input" }, h("option", { value: "", text: "Alt" }),
      model.get("needs").map((n) => h("option", { value: n, text: n })));
    const age = h("input", { id: ids.age, type: "number", min: "0", max: "120", inputmode: "numeric", class: "ts-input ts-input-short" });
    const channel = h("select", { id: ids.channel, class: "ts-input" },
      [["", "Telefon og chat"], ["phone", "Telefon"], ["chat", "Chat"]].map(([v, t]) => h("option", { value: v, text: t })));
    const nowRadio = h("input", { type: "radio", name: ids.when, id: `${ids.when}-now`, value: "now", checked: true });
    const atRadio = h("input", { type: "radio", name: ids.when, id: `${ids.when}-at`, value: "at" });
    const date = h("input", { type: "date", id: ids.date, class: "ts-input" });
    const time = h("input", { type: "time", id: ids.time, class: "ts-input ts-input-short", step: "60" });
    const onlyOpen = h("input", { type: "checkbox", id: ids.open });
    const at = h("div", { class: "ts-row ts-finder-at" },
      h("label", { for: ids.date, text: "Dato" }), date, h("label", { for: ids.time, text: "Klokkeslett" }), time);

    const form = h("form", { class: "ts-finder-form", "aria-label": "Finn en hjelpetjeneste", novalidate: true },
      h("div", { class: "ts-finder-fields" },
        h("div", {}, h("label", { for: ids.need, text: "Hva gjelder det?" }), need),
        h("div", {}, h("label", { for: ids.age, text: "Alder (valgfritt)" }), age),
        h("div", {}, h("label", { for: ids.channel, text: "Kanal" }), channel)),
      h("fieldset", { class: "ts-finder-when" }, h("legend", { text: "Når" }),
        h("span", { class: "ts-option" }, nowRadio, h("label", { for: nowRadio.id, text: "Nå" })),
        h("span", { class: "ts-option" }, atRadio, h("label", { for: atRadio.id, text: "Velg tidspunkt" })),
        at),
      h("div", { class: "ts-option" }, onlyOpen, h("label", { for: ids.open, text: "Vis bare tjenester som er åpne da" })),
      h("div", { class: "ts-row" }, h("button", { type: "submit", class: "ts-button", text: "Vis tjenester" })));

    const drawAt = () => { at.hidden = !atRadio.checked; };
    const send = () => {
      let when = "now";
      if (atRadio.checked) when = date.value && time.value ? `${date.value}T${time.value}` : "mangler";
      tsSend(model, "filter", { need: need.value, age: age.value, channel: channel.value, when, only_open: onlyOpen.checked });
    };
    form.addEventListener("submit", (event) => { event.preventDefault(); send(); });
    for (const input of [need, channel, onlyOpen, nowRadio, atRadio]) input.addEventListener("change", () => { drawAt(); if (input !== atRadio) send(); });
    for (const input of [date, time]) input.addEventListener("change", () => { if (date.value && time.value) send(); });
    drawAt();

    const summary = h("p", { class: "ts-finder-summary", role: "status" });
    const list = h("ul", { class: "ts-finder-list" });
    const byId = new Map(model.get("services").map((s) => [s.id, s]));
    const link = (href, text) => h("a", { href, target: "_blank", rel: "noopener noreferrer" }, text,
      h("span", { class: "ts-visually-hidden", text: " (åpnes i ny fane)" }));

    const draw = () => {
      const results = model.get("results");
      const open = results.filter((r) => r.open === true).length;
      summary.textContent = `${results.length} ${results.length === 1 ? "tjeneste passer" : "tjenester passer"}, `
        + `${open} ${open === 1 ? "er" : "er"} åpne ${model.get("when_text") ? "– " + model.get("when_text") : ""}.`;
      list.replaceChildren(...results.map((r) => {
        const s = byId.get(r.id);
        const state = r.open === true ? "ts-finder-open" : r.open === false ? "ts-finder-closed" : "ts-finder-unknown";
        return h("li", { class: `ts-finder-item ${state}` },
          h("h3", { text: s.name }),
          h("p", { class: "ts-finder-status" }, h("span", { "aria-hidden": "true", text: r.open === true ? "● " : r.open === false ? "○ " : "? " }), r.status),
          h("p", { class: "ts-finder-contact" },
            s.phone ? h("a", { href: `tel:${s.phone.replace(/\s/g, "")}`, text: `Ring ${s.phone}` }) : null,
            s.phone && s.chat ? " · " : null,
            s.chat ? link(s.chat, "Chat") : null,
            !s.phone && !s.chat ? "Kontaktinformasjon er ikke bekreftet her." : null),
          h("p", {}, h("strong", { text: "Åpningstider: " }), s.hours),
          h("p", {}, h("strong", { text: "For: " }), s.target, ". ", h("strong", { text: "Hjelper med: " }), s.needs.join(", ")),
          s.note ? h("p", { class: "ts-muted", text: s.note }) : null,
          h("p", { class: "ts-muted" }, "Kilde: ", /^https?:/.test(s.source) ? link(s.source, s.source) : s.source,
            `, sjekket ${s.checked}.`));
      }));
      if (!results.length) list.replaceChildren(h("li", { text: "Ingen tjenester passer. Prøv med færre valg." }));
    };
    model.on("change:results", draw);
    model.on("change:when_text", draw);
    draw();
    root.append(form, h("h2", { text: "Tjenester som passer" }), summary, list,
      h("p", { class: "ts-muted", text: "Åpningstider endrer seg. Sjekk alltid tjenestens egen side før du henviser. "
        + "På helligdager følger tjenestene søndagstider, om ikke annet er oppgitt." }),
      tsErrorBox(model));
    el.append(root);
  },
};
