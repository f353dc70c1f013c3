// The client's state at a glance in the set bar: one compact indicator per fact, its words in
// a tooltip and in visually hidden text (static/js/panel.js feeds it presence and checks).

/** Indicators drawn into the list `list`; `soundWords(result)` gives a sound check's words. */
export function setupIndicators(list, { soundWords }) {
  let presence = null;
  let soundcheck = null;
  let screening = null;

  function item(name, ok, short, words) {
    const li = document.createElement("span");
    li.dataset.ind = name;
    li.dataset.ok = ok === null ? "unknown" : String(ok);
    li.dataset.short = short;
    li.title = words;
    const text = document.createElement("span");
    text.className = "visually-hidden";
    text.textContent = words;
    li.append(text);
    return li;
  }

  function draw() {
    if (!presence || !presence.connected) return;
    const p = presence;
    const tactile = p.tactile && p.tactile.length;
    list.dataset.status = "connected";
    list.replaceChildren(
      item("connected", true, "Client", `Client: connected, ${p.width}×${p.height}. `),
      item("sound", p.sound, "Sound", p.sound ? "sound on. " : "sound off. "),
      item("soundcheck", soundcheck === null ? null : soundcheck === "ok", "L/R",
        soundcheck === null ? "Sound check: not done yet. " : `${soundWords(soundcheck)}. `),
      item("screening", screening, "Safety", screeningWords(screening)),
      item("tactile", tactile ? true : null, "Touch",
        tactile ? `tactile: ${p.tactile.join(" and ")}. ` : "tactile off. "),
      item("visible", p.visible, "Seen", p.visible ? "page visible. " : "page hidden. "),
      item("fullscreen", p.fullscreen ? true : null, "Full", p.fullscreen ? "full screen. " : "not full screen. "),
      item("rtt", p.rtt_ms === null ? null : p.rtt_ms < 300,
        p.rtt_ms === null ? "…" : `${Math.round(p.rtt_ms)} ms`,
        p.rtt_ms === null ? "round trip …" : `round trip ${Math.round(p.rtt_ms)} ms`),
    );
  }

  return {
    presence(p) { presence = p; draw(); },
    soundcheck(result) { soundcheck = result; draw(); },
    screening({ answered, flags, seen }) {
      screening = !answered ? null : flags.length === 0 || seen;
      draw();
    },
    /** One line instead of the indicators: the client is not (yet) there. */
    only(status, words) {
      presence = null;
      list.dataset.status = status;
      const li = item("connected", false, "", words);
      li.firstChild.className = "words"; // the words themselves show: no short form
      list.replaceChildren(li);
    },
  };
}

function screeningWords(screening) {
  if (screening === null) return "Safety questions: not answered yet. ";
  return screening ? "Safety questions: clear or talked through. " : "Safety questions: to talk through. ";
}
