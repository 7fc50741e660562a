// A participant's poll page: the code, then the question on the screen. No name is asked for; answers are anonymous.

export default {
  render({ model, el }) {
    const root = h("div", { class: "ts-widget ts-poll ts-pollvote" });
    const status = h("p", { class: "ts-status", role: "status" });

    const codeId = tsId("code");
    const codeInput = h("input", { type: "text", id: codeId, class: "ts-input ts-poll-codeinput", maxlength: "6",
      autocomplete: "off", autocapitalize: "characters", spellcheck: "false", value: model.get("code") || "" });
    const joinForm = h("form", { class: "ts-poll-joinform" },
      h("label", { for: codeId, text: "Koden på skjermen" }),
      h("div", { class: "ts-row" }, codeInput, h("button", { type: "submit", class: "ts-button", text: "Bli med" })));
    joinForm.addEventListener("submit", (event) => {
      event.preventDefault();
      status.textContent = "Kobler til …";
      tsSend(model, "join", { code: codeInput.value });
    });

    const intro = h("p", { class: "ts-muted", text: "Du er anonym: vi spør ikke om navn, og kursholderen ser bare summen av svarene." });
    const waiting = h("p", { class: "ts-poll-waiting" });
    const form = h("div", { class: "ts-poll-form" });
    let shownId = null;

    const send = (question, value) => {
      status.textContent = "Sender …";
      tsSend(model, "answer", { question: question.id, value });
    };

    const drawQuestion = (q) => {
      shownId = q.id;
      const name = tsId("a");
      const submit = h("button", { type: "submit", class: "ts-button", text: "Send svaret" });
      let body; let read;
      if (q.kind === "text") {
        const id = `${name}-text`;
        const input = h("input", { type: "text", id, class: "ts-input ts-input-wide", maxlength: "200", autocomplete: "off" });
        body = h("div", {}, h("label", { for: id, class: "ts-poll-qtext", text: q.text }), input,
          h("p", { class: "ts-muted", text: "Skriv noen få ord. Ikke skriv navn eller andre personopplysninger." }));
        read = () => input.value;
      } else {
        const labels = q.kind === "choice" ? q.options : Array.from({ length: q.scale }, (_, i) => String(i + 1));
        const inputs = labels.map((label, i) => {
          const id = `${name}-${i}`;
          const value = q.kind === "choice" ? i : i + 1;
          const input = h("input", { type: "radio", name, id, value: String(value) });
          return { input, value, row: h("div", { class: q.kind === "rating" ? "ts-scale-point" : "ts-option" }, input, h("label", { for: id, text: label })) };
        });
        body = h("fieldset", { class: "ts-quiz-item" },
          h("legend", { class: "ts-legend ts-poll-qtext", text: q.text }),
          q.kind === "rating" ? h("p", { class: "ts-muted", text: `1 = lite, ${q.scale} = mye` }) : null,
          h("div", { class: q.kind === "rating" ? "ts-scale" : "" }, inputs.map((x) => x.row)));
        read = () => { const chosen = inputs.find((x) => x.input.checked); return chosen ? chosen.value : null; };
      }
      const f = h("form", {}, body, h("div", { class: "ts-row" }, submit));
      f.addEventListener("submit", (event) => {
        event.preventDefault();
        const value = read();
        if (value === null || value === "") { status.textContent = q.kind === "text" ? "Skriv et svar først." : "Velg et svar først."; return; }
        send(q, value);
      });
      form.replaceChildren(f);
    };

    const draw = () => {
      const joined = model.get("joined");
      joinForm.hidden = joined;
      if (!joined) { form.replaceChildren(); waiting.textContent = ""; return; }
      if (model.get("closed")) {
        form.replaceChildren(); shownId = null;
        waiting.textContent = `Avstemningen ${model.get("code")} er avsluttet. Takk for at du var med!`;
        return;
      }
      const q = model.get("question") || {};
      if (!q.id) {
        form.replaceChildren(); shownId = null;
        waiting.textContent = `Du er med i avstemningen ${model.get("code")}. Vent til kursholderen stiller et spørsmål.`;
        return;
      }
      if (!q.open) {
        form.replaceChildren(); shownId = null;
        waiting.textContent = "Spørsmålet er stengt. Vent på neste spørsmål.";
        return;
      }
      waiting.textContent = "";
      if (shownId !== q.id) { drawQuestion(q); status.textContent = ""; }
    };
    model.on("change:my_answer", () => {
      const a = model.get("my_answer");
      if (a && a.question) status.textContent = "Takk! Svaret ditt er registrert. Du kan endre det så lenge spørsmålet er åpent.";
    });
    model.on("change:error", () => { if (model.get("error")) status.textContent = ""; });
    for (const name of ["joined", "closed", "question", "code"]) model.on(`change:${name}`, draw);
    draw();
    root.append(intro, joinForm, waiting, form, status, tsErrorBox(model));
    el.append(root);

    const timer = setInterval(() => { if (model.get("joined") && !model.get("closed")) tsSend(model, "tick"); }, 1500);
    return () => clearInterval(timer);
  },
};
