// «Mine data»: what is stored under the learner's code; download it, or delete it after a confirmation.
export default {
  render({ model, el }) {
    const headingId = tsId("mydata");
    const codeLine = h("p", {});
    const summaryBody = h("tbody", {});
    const summary = h("table", { class: "ts-bars ts-mydata-summary" },
      h("caption", { class: "ts-visually-hidden", text: "Antall hendelser av hvert slag" }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Hva" }), h("th", { scope: "col", text: "Antall" }))),
      summaryBody);
    const eventsSummary = h("summary", { text: "Se hendelsene" });
    const eventsList = h("ol", { class: "ts-mydata-events" });
    const stateList = h("ul", { class: "ts-mydata-state" });
    const eventsDetails = h("details", {}, eventsSummary, eventsList);
    const stateBlock = h("div", {}, h("h4", { text: "Private data (bare du ser dette)" }), stateList);
    const empty = h("p", { class: "ts-muted", text: "Det er ikke lagret noe under koden din ennå." });
    const status = h("p", { role: "status", class: "ts-status" });

    const download = h("button", { type: "button", class: "ts-button", text: "Last ned mine data (JSON)" });
    const refresh = h("button", { type: "button", class: "ts-button ts-secondary", text: "Oppdater" });
    const remove = h("button", { type: "button", class: "ts-button ts-secondary", text: "Slett alt om meg",
                                 "aria-haspopup": "true", "aria-expanded": "false" });

    const confirmId = tsId("confirm");
    const yes = h("button", { type: "button", class: "ts-button", text: "Ja, slett alt" });
    const no = h("button", { type: "button", class: "ts-button ts-secondary", text: "Avbryt" });
    const confirmText = h("p", { id: confirmId + "-text" });
    const confirm = h("div", { class: "ts-explanation ts-mydata-confirm", role: "alertdialog", hidden: true,
                               "aria-labelledby": confirmId + "-h", "aria-describedby": confirmId + "-text" },
      h("h4", { id: confirmId + "-h", text: "Er du sikker?" }),
      confirmText,
      h("div", { class: "ts-row" }, yes, no));

    const openConfirm = () => {
      const code = model.get("code");
      confirmText.textContent = `Dette sletter all fremdrift, alle svar, alt du har skrevet og alle hendelser som er ` +
        `lagret under koden ${code || "din"}. Det kan ikke angres.`;
      confirm.hidden = false;
      remove.setAttribute("aria-expanded", "true");
      no.focus();
    };
    const closeConfirm = () => {
      confirm.hidden = true;
      remove.setAttribute("aria-expanded", "false");
      remove.focus();
    };
    remove.addEventListener("click", openConfirm);
    no.addEventListener("click", closeConfirm);
    confirm.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); closeConfirm(); } });
    yes.addEventListener("click", () => {
      status.textContent = "Sletter …";
      tsSend(model, "delete", { confirm: true });
      confirm.hidden = true;
      remove.setAttribute("aria-expanded", "false");
      status.focus();
    });
    download.addEventListener("click", () => { status.textContent = "Henter dataene dine …"; tsSend(model, "download"); });
    refresh.addEventListener("click", () => tsSend(model, "refresh"));
    status.setAttribute("tabindex", "-1");

    model.on("msg:custom", (msg, buffers) => {
      if (!msg || msg.type !== "download" || !buffers || !buffers.length) return;
      const blob = new Blob([buffers[0]], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: msg.filename, hidden: true });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    });

    const draw = () => {
      const code = model.get("code");
      codeLine.replaceChildren("Koden din: ", h("strong", { class: "ts-code", text: code || "leses inn …" }));
      const rows = model.get("summary");
      summaryBody.replaceChildren(...rows.map((r) => h("tr", {}, h("th", { scope: "row", text: r.label }),
                                                               h("td", { text: String(r.count) }))));
      summary.hidden = rows.length === 0;
      const events = model.get("events");
      const total = model.get("total");
      eventsSummary.textContent = total > events.length
        ? `Se de ${events.length} nyeste hendelsene (av ${total}; alle er med når du laster ned)`
        : `Se alle hendelsene (${total})`;
      eventsList.replaceChildren(...events.map((e) => h("li", {}, h("span", { class: "ts-meta", text: e.when + " – " }), e.text)));
      eventsDetails.hidden = total === 0;
      const state = model.get("state");
      stateList.replaceChildren(...state.map((s) => h("li", { text: s.text })));
      stateBlock.hidden = state.length === 0;
      empty.hidden = total > 0 || state.length > 0 || !code;
    };

    el.append(h("section", { class: "ts-widget ts-mydata", "aria-labelledby": headingId },
      h("h3", { id: headingId, text: "Mine data" }),
      h("p", { text: "Her ser du alt som er lagret under koden din: det du har gjort i kurset, og det som bare er " +
                     "ditt (fremdrift, det du har skrevet, innstillinger). Du kan laste det ned, eller slette alt." }),
      codeLine, empty, summary, eventsDetails, stateBlock,
      h("div", { class: "ts-row" }, download, refresh, remove),
      confirm, status, tsErrorBox(model)));

    for (const name of ["code", "summary", "events", "total", "state"]) model.on(`change:${name}`, draw);
    model.on("change:status", () => { status.textContent = model.get("status"); });
    draw();
  },
};
