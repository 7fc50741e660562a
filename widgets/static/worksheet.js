export default {
  render({ model, el }) {
    const status = h("p", { role: "status", class: "ts-status" });
    const button = h("button", { type: "button", class: "ts-button", text: `Last ned arbeidsark for «${model.get("title")}» (PDF)` });
    button.addEventListener("click", () => { status.textContent = "Lager arbeidsarket …"; tsSend(model, "download"); });
    model.on("msg:custom", (msg, buffers) => {
      if (!msg || msg.type !== "pdf" || !buffers || !buffers.length) return;
      const blob = new Blob([buffers[0]], { type: "application/pdf" });
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: msg.filename, hidden: true });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = `Arbeidsarket er lastet ned (${msg.filename}).`;
    });
    el.append(h("div", { class: "ts-widget ts-worksheet" }, button, status, tsErrorBox(model)));
  },
};
