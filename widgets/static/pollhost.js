// The facilitator's poll panel: start a session, show the code, put a question to the room, draw the answers live.
// Everything a participant wrote arrives scrubbed and is set with textContent only.

function tsPollBase() {
  let base = "/";
  const cfg = document.getElementById("jupyter-config-data");
  if (cfg) { try { base = JSON.parse(cfg.textContent).baseUrl || "/"; } catch (e) { /* keep "/" */ } }
  return base.endsWith("/") ? base : base + "/";
}

// A bar chart as a table: readable by screen readers, and the bars are only decoration.
function tsPollChart(question, results) {
  const total = results.total || 0;
  if (question.kind === "text") {
    const texts = results.texts || [];
    return h("div", { class: "ts-poll-texts" },
      texts.length ? h("ul", { class: "ts-poll-textlist" }, texts.map((t) => h("li", {},
        h("span", { text: t.text }), t.count > 1 ? h("span", { class: "ts-poll-times", text: ` × ${t.count}` }) : null)))
        : h("p", { class: "ts-muted", text: "Ingen svar ennå." }));
  }
  const bars = results.bars || [];
  const max = Math.max(1, ...bars.map((b) => b.count));
  const correct = new Set(question.correct || []);
  return h("table", { class: "ts-poll-bars" },
    h("caption", { class: "ts-visually-hidden", text: `Svar på: ${question.text}` }),
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: question.kind === "rating" ? "Verdi" : "Svar" }),
      h("th", { scope: "col", text: "Antall" }))),
    h("tbody", {}, bars.map((b, i) => {
      const pct = total ? Math.round((100 * b.count) / total) : 0;
      const right = correct.has(i);
      return h("tr", { class: right ? "ts-poll-right" : "" },
        h("th", { scope: "row" }, question.kind === "choice" ? `${"ABCDEFGH"[i]}. ${b.label}` : b.label,
          right ? h("strong", { class: "ts-right", text: " ✓ riktig svar" }) : null),
        h("td", {}, h("div", { class: "ts-poll-cell" },
          h("span", { class: "ts-poll-track", "aria-hidden": "true" },
            h("span", { class: "ts-poll-bar", style: `width: ${Math.round((100 * b.count) / max)}%` })),
          h("span", { class: "ts-poll-count", text: `${b.count} (${pct} %)` }))));
    })));
}

export default {
  render({ model, el }) {
    const root = h("div", { class: "ts-widget ts-poll ts-pollhost" });
    const status = h("p", { class: "ts-status", role: "status" });

    // 1. Start, and the code for the room.
    const start = h("button", { type: "button", class: "ts-button", text: "Start en avstemning" });
    start.addEventListener("click", () => { status.textContent = "Starter …"; tsSend(model, "start"); });
    const join = h("div", { class: "ts-poll-join" });

    // 2. Ready-made questions for this step, and a question of one's own.
    const suggestions = h("div", { class: "ts-poll-suggestions" });
    const kindName = tsId("kind");
    const kinds = [["choice", "Flervalg"], ["rating", "Skala 1–5"], ["text", "Fritekst (noen få ord)"]].map(([value, label], i) => {
      const id = `${kindName}-${value}`;
      const input = h("input", { type: "radio", name: kindName, id, value, checked: i === 0 });
      return { input, row: h("span", { class: "ts-option" }, input, h("label", { for: id, text: label })) };
    });
    const textId = tsId("qtext");
    const optionsId = tsId("qopts");
    const qText = h("input", { type: "text", id: textId, class: "ts-input ts-input-wide", maxlength: "300", autocomplete: "off" });
    const qOptions = h("textarea", { id: optionsId, class: "ts-textarea", rows: "4" });
    const optionsRow = h("div", {}, h("label", { for: optionsId, text: "Svaralternativer (ett per linje)" }), qOptions);
    const own = h("details", { class: "ts-poll-own" },
      h("summary", { text: "Still et eget spørsmål" }),
      h("fieldset", { class: "ts-poll-kinds" }, h("legend", { text: "Type spørsmål" }), kinds.map((k) => k.row)),
      h("div", {}, h("label", { for: textId, text: "Spørsmålet" }), qText),
      optionsRow,
      h("div", { class: "ts-row" }, h("button", { type: "button", class: "ts-button", text: "Still spørsmålet",
        onclick: () => {
          const kind = kinds.find((k) => k.input.checked).input.value;
          tsSend(model, "ask", { custom: { kind, text: qText.value, options: qOptions.value.split("\n"), scale: 5 } });
        } })));
    kinds.forEach((k) => k.input.addEventListener("change", () => {
      optionsRow.hidden = kinds.find((x) => x.input.checked).input.value !== "choice";
    }));

    // 3. The question on the screen and its answers.
    const board = h("section", { class: "ts-poll-board", "aria-label": "Spørsmålet og svarene" });
    const total = h("p", { class: "ts-poll-total", "aria-live": "polite" });
    const chart = h("div", { class: "ts-poll-chart" });
    const stop = h("button", { type: "button", class: "ts-button ts-secondary", text: "Steng spørsmålet" });
    const reveal = h("button", { type: "button", class: "ts-button ts-secondary", text: "Vis riktig svar" });
    const close = h("button", { type: "button", class: "ts-button ts-secondary", text: "Avslutt avstemningen" });
    stop.addEventListener("click", () => tsSend(model, "stop"));
    reveal.addEventListener("click", () => tsSend(model, "reveal"));
    close.addEventListener("click", () => tsSend(model, "close"));
    const explanation = h("div", { class: "ts-explanation", hidden: true });

    const drawJoin = () => {
      const code = model.get("code");
      start.hidden = Boolean(code) && !model.get("closed");
      start.textContent = model.get("closed") ? "Start en ny avstemning" : "Start en avstemning";
      if (!code || model.get("closed")) {
        join.replaceChildren(model.get("closed") ? h("p", { text: `Avstemningen ${code} er avsluttet.` }) : "");
        return;
      }
      const address = `${window.location.origin}${tsPollBase()}voila/render/${model.get("join_path")}`;
      join.replaceChildren(
        h("p", { class: "ts-poll-howto" }, "Bli med på mobilen eller PC-en: gå til ",
          h("a", { href: `${address}?kode=${code}`, target: "_blank", rel: "noopener", text: address }),
          " og skriv koden"),
        h("p", { class: "ts-poll-code", "aria-label": `Koden er ${code.split("").join(" ")}`, text: code }),
        h("p", { class: "ts-muted", text: "Svarene er anonyme: ingen navn, og skjermen viser bare summen." }));
    };
    // Ready-made questions fold away while a question is on the screen, so the room sees the question and the chart.
    let suggestedFor = null;
    const drawSuggestions = () => {
      const list = model.get("suggestions");
      const asked = Boolean((model.get("question") || {}).id);
      const key = JSON.stringify(list.map((s) => s.label));
      if (key === suggestedFor) { const d = suggestions.querySelector("details"); if (d && asked) d.open = false; return; }
      suggestedFor = key;
      suggestions.replaceChildren(list.length ? h("details", { open: !asked },
        h("summary", { text: `Spørsmål til dette steget (${list.length})` }),
        h("ul", { class: "ts-poll-suggestion-list" }, list.map((s) => h("li", {},
          h("button", { type: "button", class: "ts-choice", onclick: () => tsSend(model, "ask", { key: s.key }) },
            h("span", { class: "ts-poll-kind", text: `${s.kind_name}: ` }), s.label))))) : "");
    };
    const drawBoard = () => {
      const q = model.get("question");
      if (!q || !q.id) { board.hidden = true; return; }
      board.hidden = false;
      const r = model.get("results") || {};
      const n = r.total || 0;
      total.textContent = `${n} ${n === 1 ? "svar" : "svar"}${q.open ? "" : " – spørsmålet er stengt"}`
        + (q.kind === "rating" && r.mean != null ? `. Gjennomsnitt ${String(r.mean).replace(".", ",")} av ${q.scale}.` : "");
      chart.replaceChildren(tsPollChart(q, r));
      stop.hidden = !q.open;
      reveal.hidden = !q.can_reveal || Boolean(q.correct);
      explanation.hidden = !q.explanation_html;
      if (q.explanation_html) explanation.replaceChildren(h("strong", { text: "Forklaring: " }), h("div", { html: q.explanation_html }));
      board.querySelector(".ts-poll-qtext").textContent = q.text;
    };
    board.append(h("h3", { class: "ts-poll-qtext" }), total, chart, explanation, h("div", { class: "ts-row" }, stop, reveal));

    const draw = () => {
      drawJoin();
      const running = Boolean(model.get("code")) && !model.get("closed");
      suggestions.hidden = !running; own.hidden = !running; close.hidden = !running;
      drawSuggestions();
      drawBoard();
      if (running || model.get("closed")) status.textContent = "";
    };
    for (const name of ["code", "closed", "suggestions", "question", "results"]) model.on(`change:${name}`, draw);
    draw();
    root.append(h("div", { class: "ts-row" }, start), join, suggestions, own, board, h("div", { class: "ts-row" }, close),
      status, tsErrorBox(model));
    el.append(root);

    // Ask the kernel to read the answers again every second while a session runs.
    const timer = setInterval(() => {
      if (model.get("code") && !model.get("closed") && (model.get("question") || {}).id) tsSend(model, "tick");
    }, 1000);
    return () => clearInterval(timer);
  },
};
