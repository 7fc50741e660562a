const STORAGE_KEY = "trygge-samtaler.kode";
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_RE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

function newCode() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  const s = Array.from(bytes, (b) => ALPHABET[b % 32]).join("");
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
function storedCode() {
  try { return localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
}
function store(code) {
  try { localStorage.setItem(STORAGE_KEY, code); } catch (e) { /* private mode: code lives for this page */ }
}

export default {
  render({ model, el }) {
    let code = storedCode();
    if (!code || !CODE_RE.test(code)) { code = newCode(); store(code); }
    const shown = h("strong", { class: "ts-code", text: code });
    const inputId = tsId("code");
    const input = h("input", { id: inputId, type: "text", autocomplete: "off", spellcheck: "false",
                               inputmode: "text", maxlength: "12", class: "ts-input" });
    const status = h("p", { role: "status", class: "ts-status" });
    const use = () => tsSend(model, "use_code", { code: input.value });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); use(); } });
    const box = h("section", { class: "ts-widget ts-learner", "aria-labelledby": inputId + "-h" },
      h("h2", { id: inputId + "-h", class: "ts-visually-hidden", text: "Din kode" }),
      h("p", {}, "Din kode: ", shown),
      h("p", { class: "ts-muted", text: "Koden er tilfeldig og lagres bare i denne nettleseren. Vi spør aldri om navn eller e-post. " +
        "Skriv ned koden hvis du vil fortsette på en annen enhet." }),
      h("details", {},
        h("summary", { text: "Har du en kode fra før?" }),
        h("label", { for: inputId, text: "Skriv inn koden din" }),
        h("div", { class: "ts-row" }, input, h("button", { type: "button", class: "ts-button", onclick: use, text: "Bruk koden" })),
      ),
      status,
      tsErrorBox(model),
    );
    el.append(box);
    model.on("change:code", () => {
      const c = model.get("code");
      if (CODE_RE.test(c)) { shown.textContent = c; store(c); }
    });
    model.on("change:status", () => { status.textContent = model.get("status"); });
    model.on("msg:custom", (msg) => {
      if (msg && msg.type === "regenerate") { const c = newCode(); store(c); model.set("code", c); model.save_changes(); }
    });
    model.set("code", code);
    model.save_changes();
  },
};
