export default {
  render({ model, el }) {
    const film = model.get("film");
    const id = tsId("film");
    const video = h("video", { controls: true, preload: "metadata", playsinline: true,
                               poster: film.poster ? tsMediaUrl(film.poster) : null, "aria-labelledby": id + "-h",
                               "aria-describedby": id + "-keys" });
    const status = h("p", { role: "status", class: "ts-status" });
    const captionsBtn = h("button", { type: "button", class: "ts-toggle" });
    const describedBtn = h("button", { type: "button", class: "ts-toggle" });
    const transcriptBtn = h("button", { type: "button", class: "ts-toggle", "aria-controls": id + "-transcript", "aria-expanded": "false", text: "Vis tekstversjon" });
    const transcript = h("div", { id: id + "-transcript", class: "ts-transcript", hidden: true },
      h("h4", { text: "Tekstversjon av filmen" }),
      film.transcript ? h("div", { class: "ts-transcript-text", tabindex: "0", role: "document", "aria-label": "Tekstversjon", text: film.transcript })
                      : h("a", { href: tsMediaUrl(film.transcript_url), text: "Åpne tekstversjonen" }));

    let watched = 0; let lastTime = 0; let lastSaved = 0; let resumed = false; let switching = null;

    const load = () => {
      const v = model.get("described") ? film.described : film;
      video.replaceChildren(
        ...v.sources.map((s) => h("source", { src: tsMediaUrl(s.src), type: s.type })),
        h("track", { kind: "captions", srclang: "nb", label: "Norsk", src: tsMediaUrl(v.captions), default: true }),
        h("p", { text: "Nettleseren din kan ikke spille av filmen. Bruk tekstversjonen under." }));
      video.load();
    };
    const applyCaptions = () => {
      for (const track of video.textTracks) track.mode = model.get("captions_on") ? "showing" : "hidden";
      captionsBtn.setAttribute("aria-pressed", String(model.get("captions_on")));
      captionsBtn.textContent = model.get("captions_on") ? "Teksting: på" : "Teksting: av";
    };
    const drawDescribed = () => {
      describedBtn.setAttribute("aria-pressed", String(model.get("described")));
      describedBtn.textContent = model.get("described") ? "Synstolket versjon: på" : "Synstolket versjon: av";
    };
    const tryResume = () => {
      const at = model.get("resume_at");
      if (!resumed && at > 2 && video.duration && at < video.duration - 2) {
        video.currentTime = at; resumed = true;
        status.textContent = `Fortsetter der du slapp (${tsFormatTime(at)}).`;
      }
    };

    video.addEventListener("loadedmetadata", () => {
      applyCaptions();
      if (switching) {
        video.currentTime = Math.min(video.duration * switching.share, Math.max(0, video.duration - 1));
        if (switching.playing) video.play().catch(() => {});
        switching = null;
      } else { tryResume(); }
    });
    video.addEventListener("play", () => tsSend(model, "play", { position: video.currentTime }));
    video.addEventListener("pause", () => { if (!video.ended) tsSend(model, "pause", { position: video.currentTime }); });
    video.addEventListener("seeked", () => { tsSend(model, "seeked", { position: video.currentTime, from: lastTime }); });
    video.addEventListener("timeupdate", () => {
      const t = video.currentTime;
      if (!video.seeking && t > lastTime && t - lastTime < 1.5) watched += t - lastTime;
      lastTime = t;
      if (Math.abs(t - lastSaved) > 10) { lastSaved = t; tsSend(model, "position", { position: t }); }
    });
    video.addEventListener("ended", () => tsSend(model, "ended", { position: video.duration, duration: video.duration, watched: watched + 1 }));
    video.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === " " || e.key === "k") { e.preventDefault(); video.paused ? video.play().catch(() => {}) : video.pause(); }
      else if (e.key === "ArrowRight") { e.preventDefault(); video.currentTime = Math.min(video.duration || 0, video.currentTime + 5); }
      else if (e.key === "ArrowLeft") { e.preventDefault(); video.currentTime = Math.max(0, video.currentTime - 5); }
      else if (e.key === "c") { e.preventDefault(); captionsBtn.click(); }
    });

    captionsBtn.addEventListener("click", () => { tsSend(model, "preferences", { captions: !model.get("captions_on") }); });
    describedBtn.addEventListener("click", () => { tsSend(model, "preferences", { described: !model.get("described") }); });
    transcriptBtn.addEventListener("click", () => {
      const open = transcript.hidden;
      transcript.hidden = !open;
      transcriptBtn.setAttribute("aria-expanded", String(open));
      transcriptBtn.textContent = open ? "Skjul tekstversjon" : "Vis tekstversjon";
    });
    model.on("change:captions_on", applyCaptions);
    model.on("change:described", () => {
      switching = { share: video.duration ? video.currentTime / video.duration : 0, playing: !video.paused };
      drawDescribed(); load();
      status.textContent = model.get("described") ? "Viser den synstolkede versjonen." : "Viser vanlig versjon.";
    });
    model.on("change:resume_at", tryResume);

    el.append(h("section", { class: "ts-widget ts-video", "aria-labelledby": id + "-h" },
      h("h3", { id: id + "-h", text: film.title }),
      film.demo ? h("p", { class: "ts-demo-label", text: "Demofilm – erstattes av en ekte film" }) : null,
      h("div", { class: "ts-description", html: film.description_html }),
      h("div", { class: "ts-video-frame" }, video),
      h("p", { id: id + "-keys", class: "ts-muted", text: "Tastatur: mellomrom spiller og pauser, piltastene hopper 5 sekunder, C slår teksting av og på." }),
      h("div", { class: "ts-row", role: "group", "aria-label": "Valg for filmen" }, captionsBtn, describedBtn, transcriptBtn),
      status, transcript, tsErrorBox(model)));
    drawDescribed(); load(); applyCaptions();
  },
};
