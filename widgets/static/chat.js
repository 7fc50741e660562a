export default {
  render({ model, el }) {
    const meta = model.get("meta");
    const id = tsId("chat");
    const list = h("ol", { class: "ts-chat-list" });
    const log = h("div", { class: "ts-chat-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-labelledby": id + "-logh", tabindex: "0" }, list);
    const feedback = h("div", { class: "ts-chat-feedback", role: "status", "aria-live": "polite" });
    const choices = h("div", { class: "ts-chat-choices", role: "group", "aria-label": "Forslag til svar" });
    const input = h("textarea", { id: id + "-input", rows: "2", class: "ts-textarea", maxlength: "1000", "aria-describedby": id + "-inputhelp" });
    const send = h("button", { type: "submit", class: "ts-button", text: "Send" });
    const form = h("form", { class: "ts-chat-form" },
      h("label", { for: id + "-input", text: "Ditt svar" }), input,
      h("p", { id: id + "-inputhelp", class: "ts-muted", text: "Enter sender, Shift+Enter gir ny linje. Du kan også velge et forslag." }),
      h("div", { class: "ts-row" }, send));
    const summary = h("section", { class: "ts-chat-summary", hidden: true, "aria-labelledby": id + "-sumh" });
    const restart = h("button", { type: "button", class: "ts-button ts-secondary", text: "Start samtalen på nytt" });
    const print = h("button", { type: "button", class: "ts-button ts-secondary", text: "Skriv ut eller lagre samtalen" });
    const root = h("section", { class: "ts-widget ts-chat", "aria-labelledby": id + "-h" },
      h("h3", { id: id + "-h", text: meta.title }),
      h("p", { class: "ts-training-banner", text: "Øvingssamtale med en oppdiktet person – bare for trening. Trenger du hjelp selv: ring 116 123. Ved akutt fare: ring 113." }),
      h("div", { class: "ts-description", html: meta.description_html }),
      h("p", { class: "ts-meta", text: `${meta.channel} · kl. ${meta.time} · ${meta.alias}, ${meta.age} år` }),
      h("h4", { id: id + "-logh", text: "Samtalen" }), log,
      h("h4", { text: "Tilbakemelding" }), feedback,
      choices, form, summary, h("div", { class: "ts-row ts-no-print" }, restart, print), tsErrorBox(model));
    el.append(root);

    let shown = 0;
    const bubble = (m) => h("li", { class: `ts-msg ts-msg-${m.who}` },
      h("span", { class: "ts-who", text: m.who === "caller" ? `${meta.alias}: ` : "Du: " }),
      h("span", { class: "ts-text", text: m.text }));
    const drawMessages = () => {
      const msgs = model.get("messages");
      if (msgs.length < shown) { list.replaceChildren(); shown = 0; }
      for (; shown < msgs.length; shown += 1) list.append(bubble(msgs[shown])); // append only: no re-announcing
      log.scrollTop = log.scrollHeight;
    };
    const drawChoices = () => {
      const ended = model.get("ended");
      choices.replaceChildren(...(ended ? [] : model.get("choices").map((text, index) =>
        h("button", { type: "button", class: "ts-choice", text, onclick: () => tsSend(model, "choose", { index }) }))));
      form.hidden = ended; choices.hidden = ended;
    };
    const drawFeedback = () => {
      const items = model.get("feedback");
      feedback.replaceChildren(items.length ? h("ul", {}, items.map((f) => h("li", { text: f })))
                                            : h("p", { class: "ts-muted", text: "Her får du tilbakemelding på hvert svar du gir." }));
    };
    const drawSummary = () => {
      const s = model.get("summary");
      if (!s || !s.lines) { summary.hidden = true; summary.replaceChildren(); return; }
      const max = Math.max(1, ...Object.values(s.counts));
      summary.replaceChildren(
        h("h4", { id: id + "-sumh", text: "Oppsummering av samtalen" }),
        h("ul", { class: "ts-summary-lines" }, s.lines.map((l) => h("li", { text: l }))),
        h("figure", { class: "ts-chart" },
          h("figcaption", { text: "Hva du gjorde i samtalen (antall svar)" }),
          h("table", { class: "ts-bars" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Ferdighet" }), h("th", { scope: "col", text: "Antall" }))),
            h("tbody", {}, Object.entries(s.counts).map(([label, n]) => h("tr", {},
              h("th", { scope: "row", text: s.label_names[label] }),
              h("td", {}, h("span", { class: `ts-bar ts-bar-${label}`, style: `width:${(n / max) * 100}%`, "aria-hidden": "true" }), h("span", { class: "ts-bar-n", text: String(n) }))))))));
      summary.hidden = false;
      summary.querySelector("h4").setAttribute("tabindex", "-1");
      summary.querySelector("h4").focus();
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      tsSend(model, "send", { text });
      input.value = "";
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    restart.addEventListener("click", () => { tsSend(model, "restart"); input.focus(); });
    print.addEventListener("click", () => tsPrint(root));
    model.on("change:messages", drawMessages);
    model.on("change:choices", drawChoices); model.on("change:ended", drawChoices);
    model.on("change:feedback", drawFeedback);
    model.on("change:summary", drawSummary);
    drawMessages(); drawChoices(); drawFeedback(); drawSummary();
  },
};
