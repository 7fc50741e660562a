export default {
  render({ model, el }) {
    const meta = model.get("meta");
    const id = tsId("chat");
    const list = h("ol", { class: "ts-chat-list" });
    const log = h("div", { class: "ts-chat-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-labelledby": id + "-logh", tabindex: "0" }, list);
    // The reply as it streams: visible, but kept out of the live region (the finished reply is announced once, in the log).
    const draft = h("p", { class: "ts-chat-draft", "aria-hidden": "true", hidden: true });
    const notice = h("p", { class: "ts-chat-notice", role: "status" });
    const labels = h("p", { class: "ts-chat-labels" });
    const feedback = h("div", { class: "ts-chat-feedback", role: "status", "aria-live": "polite" });
    const hint = h("p", { class: "ts-chat-hint", hidden: true });
    const choices = h("div", { class: "ts-chat-choices", role: "group", "aria-label": "Forslag til svar" });
    const input = h("textarea", { id: id + "-input", rows: "2", class: "ts-textarea", maxlength: "1000", "aria-describedby": id + "-inputhelp" });
    const send = h("button", { type: "submit", class: "ts-button", text: "Send" });
    const form = h("form", { class: "ts-chat-form" },
      h("label", { for: id + "-input", text: "Ditt svar" }), input,
      h("p", { id: id + "-inputhelp", class: "ts-muted", text: "Enter sender, Shift+Enter gir ny linje. Du kan også velge et forslag." }),
      h("div", { class: "ts-row" }, send));
    const summary = h("section", { class: "ts-chat-summary", hidden: true, "aria-labelledby": id + "-sumh" });
    const restart = h("button", { type: "button", class: "ts-button ts-secondary", text: "Start samtalen på nytt" });
    const print = h("button", { type: "button", class: "ts-button ts-secondary", text: "Skriv ut samtalen" });
    const download = h("button", { type: "button", class: "ts-button ts-secondary", text: "Last ned samtalen" });
    const downloaded = h("p", { class: "ts-status", role: "status" });
    const when = meta.day ? `${meta.day} kl. ${meta.time}` : `kl. ${meta.time}`;
    const root = h("section", { class: "ts-widget ts-chat", "aria-labelledby": id + "-h" },
      h("h3", { id: id + "-h", text: meta.title }),
      h("p", { class: "ts-training-banner", text: "Øvingssamtale med en oppdiktet person – bare for trening. Trenger du hjelp selv: ring 116 123. Ved akutt fare: ring 113." }),
      h("div", { class: "ts-description", html: meta.description_html }),
      h("p", { class: "ts-meta", text: `${meta.channel} · ${when} · ${meta.alias}, ${meta.age} år` }),
      meta.mode_note ? h("p", { class: "ts-muted ts-mode-note", text: meta.mode_note }) : null,
      h("h4", { id: id + "-logh", text: "Samtalen" }), log, draft, notice,
      h("h4", { text: "Tilbakemelding" }), labels, feedback,
      hint, choices, form, summary, h("div", { class: "ts-row ts-no-print" }, restart, print, download), downloaded, tsErrorBox(model));
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
    const drawDraft = () => {
      const busy = model.get("busy");
      const text = model.get("draft");
      draft.hidden = !busy;
      draft.textContent = busy ? (text ? `${meta.alias}: ${text}` : `${meta.alias} skriver …`) : "";
      log.setAttribute("aria-busy", busy ? "true" : "false");
      send.disabled = busy;
      for (const b of choices.querySelectorAll("button")) b.disabled = busy;
    };
    const drawChoices = () => {
      const ended = model.get("ended");
      // The buttons are replaced; if one had focus, keep focus in the conversation (WCAG 2.4.3).
      const hadFocus = choices.contains(document.activeElement);
      choices.replaceChildren(...(ended ? [] : model.get("choices").map((text, index) =>
        h("button", { type: "button", class: "ts-choice", text, onclick: () => tsSend(model, "choose", { index }) }))));
      form.hidden = ended; choices.hidden = ended;
      const tip = ended ? "" : model.get("hint");
      hint.textContent = tip ? `Tips: ${tip}` : "";
      hint.hidden = !tip;
      drawDraft();
      if (hadFocus) (choices.querySelector("button:not(:disabled)") || (ended ? log : input)).focus();
    };
    const drawFeedback = () => {
      const items = model.get("feedback");
      const names = model.get("feedback_labels");
      labels.textContent = names.length ? `Coachen merket: ${names.join(", ")}` : "";
      labels.hidden = !names.length;
      feedback.replaceChildren(items.length ? h("ul", {}, items.map((f) => h("li", { text: f })))
                                            : h("p", { class: "ts-muted", text: "Her får du tilbakemelding på hvert svar du gir." }));
    };
    const drawNotice = () => { notice.textContent = model.get("notice"); notice.hidden = !model.get("notice"); };
    const pct = (v) => `${Math.round(v * 100)} %`;
    const ratio = (v) => v.toFixed(1).replace(".", ",");  // Norwegian decimal comma
    const meter = (title, value, limits, fmt, max) => h("tr", {},
      h("th", { scope: "row", text: title }),
      h("td", {}, value === null ? h("span", { text: "ingen spørsmål" }) : [
        h("span", { class: "ts-bar ts-bar-meter", style: `width:${Math.min(1, value / max) * 80}%`, "aria-hidden": "true" }),
        h("span", { class: "ts-bar-n", text: fmt(value) })]),
      h("td", { text: limits }));
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
              h("td", {}, h("span", { class: `ts-bar ts-bar-${label}`, style: `width:${(n / max) * 80}%`, "aria-hidden": "true" }), h("span", { class: "ts-bar-n", text: String(n) }))))))),
        s.thresholds ? h("figure", { class: "ts-chart" },
          h("figcaption", { text: "Målt mot MITI (4.2 for refleksjoner per spørsmål, 3.1.1 for andel åpne spørsmål)" }),
          h("table", { class: "ts-bars ts-meters" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Mål" }), h("th", { scope: "col", text: "Ditt resultat" }), h("th", { scope: "col", text: "Terskler" }))),
            h("tbody", {},
              meter("Refleksjoner per spørsmål", s.reflection_to_question,
                    `${s.thresholds.rq.fair}:1 akseptabel, ${s.thresholds.rq.good}:1 god`, ratio, 3),
              meter("Andel åpne spørsmål", s.open_question_share,
                    `${pct(s.thresholds.open.fair)} akseptabel, ${pct(s.thresholds.open.good)} god`, pct, 1)))) : null);
      summary.hidden = false;
      summary.querySelector("h4").setAttribute("tabindex", "-1");
      summary.querySelector("h4").focus();
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || model.get("busy")) return;
      tsSend(model, "send", { text });
      input.value = "";
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    restart.addEventListener("click", () => { tsSend(model, "restart"); downloaded.textContent = ""; input.focus(); });
    print.addEventListener("click", () => tsPrint(root));
    download.addEventListener("click", () => { downloaded.textContent = "Lager filen …"; tsSend(model, "download"); });
    model.on("msg:custom", (msg, buffers) => {
      if (!msg || msg.type !== "transcript" || !buffers || !buffers.length) return;
      const blob = new Blob([buffers[0]], { type: "text/markdown;charset=utf-8" });
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: msg.filename, hidden: true });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      downloaded.textContent = `Samtalen er lastet ned (${msg.filename}).`;
    });
    model.on("change:messages", drawMessages);
    model.on("change:choices", drawChoices); model.on("change:hint", drawChoices); model.on("change:ended", drawChoices);
    model.on("change:draft", drawDraft); model.on("change:busy", drawDraft);
    model.on("change:feedback", drawFeedback); model.on("change:feedback_labels", drawFeedback);
    model.on("change:notice", drawNotice);
    model.on("change:summary", drawSummary);
    drawMessages(); drawChoices(); drawFeedback(); drawNotice(); drawSummary();
  },
};
