// The client's state at a glance in the set bar: one compact indicator per fact, its words in
// a bubble on hover and in visually hidden text; one that needs the therapist (red) takes the
// keyboard focus and shows its words on focus too (static/js/panel.js feeds it presence and
// checks).

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
    if (ok === false) li.tabIndex = 0;
    const text = document.createElement("span");
    text.className = "visually-hidden ind-words";
    text.textContent = words;
    li.append(text);
    return li;
  }

  function draw() {
    if (!presence || !presence.connected) return;
    const p = presence;
    const tactile = p.tactile && p.tactile.length;
    const missing = new Set(p.missing || []);
    list.dataset.status = "connected";
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.ind : null;
    list.replaceChildren(
      item("connected", true, "Client", `Client: connected, ${p.width}×${p.height}. `),
      item("sound", SOUND[p.sound][0], "Sound", SOUND[p.sound][1]),
      item("soundcheck", soundcheck === null ? null : soundcheck === "ok", "L/R",
        soundcheck === null ? "Sound check: not done yet. " : `${soundWords(soundcheck)}. `),
      item("screening", screening, "Safety", screeningWords(screening)),
      item("tactile", tactile ? true : null, "Touch",
        tactile ? `tactile: ${p.tactile.join(" and ")}. ` : "tactile off. "),
      item("visible", p.visible, "Seen", p.visible ? "page visible. " : "page hidden. "),
      item("fullscreen", p.fullscreen ? true : null, "Full", fullscreenWords(p)),
      item("wake", WAKE[p.wake_lock][0], "Awake", WAKE[p.wake_lock][1]),
      ...(missing.has("video") ? [item("video", false, "No video", MISSING_WORDS.video)] : []),
      ...(missing.has("canvas") ? [item("canvas", false, "No target", MISSING_WORDS.canvas)] : []),
      item("rtt", p.rtt_ms === null ? null : p.rtt_ms < 300,
        p.rtt_ms === null ? "…" : `${Math.round(p.rtt_ms)} ms`,
        p.rtt_ms === null ? "round trip …" : `round trip ${Math.round(p.rtt_ms)} ms`),
    );
    const again = focused && list.querySelector(`[data-ind="${focused}"][tabindex]`);
    if (again) again.focus(); // redrawn under the therapist's focus: it stays
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
      li.removeAttribute("tabindex");
      list.replaceChildren(li);
    },
  };
}

// Each state of the client's sound and screen wake lock: [ok for the indicator, words].
const SOUND = {
  on: [true, "sound on. "],
  off: [null, "sound off: the client has not turned it on. "],
  failed: [false, "sound failed to start: ask the client to check the device's volume or "
    + "headphones and press Turn on sound again, or go on without sound. "],
  unsupported: [false, "no sound: the client's browser cannot play it. "],
};
const WAKE = {
  on: [true, "screen kept on. "],
  off: [null, "screen not kept on yet: it is asked for at the client's next tap. "],
  refused: [false, "screen may dim: ask the client to tap the screen. "],
  unsupported: [false, "screen may dim: the client's browser cannot keep it on; "
    + "ask the client to set a longer auto-lock. "],
};
const MISSING_WORDS = {
  video: "no video: the client's browser cannot make video calls; the session goes on without. ",
  canvas: "no moving target: the client's browser cannot draw it. ",
};

function fullscreenWords(p) {
  if (p.fullscreen) return "full screen. ";
  if ((p.missing || []).includes("fullscreen")) {
    return "not full screen: the client's browser has none (iPhone); the Full screen button "
      + "shows how to add the page to the Home Screen. ";
  }
  return "not full screen. ";
}

function screeningWords(screening) {
  if (screening === null) return "Safety questions: not answered yet. ";
  return screening ? "Safety questions: clear or talked through. " : "Safety questions: to talk through. ";
}
