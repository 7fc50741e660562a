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
    const services = model.get("services");
    const referral = services.length ? h("section", { class: "ts-services", "aria-labelledby": tsId("svc") },
      h("h3", { text: "Hvor kan du henvise?" }),
      h("p", { class: "ts-muted", text: "Sjekk alltid at tjenesten passer personens behov og alder, og at den er åpen." }),
      h("ul", {}, services.map((s) => h("li", {},
        h("strong", { text: s.name }),
        s.phone ? ` – telefon ${s.phone}` : "",
        s.chat ? h("span", {}, " – ", h("a", { href: s.chat, target: "_blank", rel: "noopener noreferrer", text: "chat" })) : "",
        h("br"), `Åpent: ${s.hours}. For: ${s.target}.`,
        s.note ? h("br") : null, s.note ? h("span", { class: "ts-muted", text: s.note }) : null,
        h("br"), h("span", { class: "ts-muted" }, "Kilde: ",
          /^https?:/.test(s.source) ? h("a", { href: s.source, target: "_blank", rel: "noopener noreferrer", text: s.source }) : s.source,
          `, sjekket ${s.checked}.`))))) : null;
    el.append(h("div", { class: "ts-widget ts-learnmore" }, list, referral, h("div", { class: "ts-row" }, done), status, tsErrorBox(model)));
  },
};
