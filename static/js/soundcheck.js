// The sound check with left and right: a tone on the left, then one on the right; the client
// taps where each came from, and hears in plain words what to fix when stereo is wrong.

const LEFT = -1;
const RIGHT = 1;

/**
 * What the two answers say ("left" | "right" | "both" | "none" for the left tone, then the
 * right one): "ok" both right, "swapped" both reversed, "none" one or both not heard, "mono"
 * anything else (both ears, or the same side twice: the sides cannot be told apart).
 */
export function classify(first, second) {
  if (first === "none" || second === "none") return "none";
  if (first === "left" && second === "right") return "ok";
  if (first === "right" && second === "left") return "swapped";
  return "mono";
}

/**
 * Run the sound step in `card` (its markup in templates/client/_checks.html); resolves with
 * the result once the client goes on. `report(result)` hears every result as it is found.
 */
export function soundStep(card, { tones, report }) {
  const $ = (name) => card.querySelector(`[data-sound=${name}]`);
  const prompt = card.querySelector(".check-prompt");
  const parts = { intro: $("intro"), ask: $("ask"), result: $("result") };
  let answers = [];

  function showPart(name) {
    for (const [key, part] of Object.entries(parts)) part.hidden = key !== name;
  }

  function side() {
    return answers.length === 0 ? LEFT : RIGHT;
  }

  async function play() {
    answers = [];
    try {
      await tones.enable(); // a press is a user gesture: the page's sound may start now
    } catch {
      // no sound on this device: the client will answer that they heard nothing
    }
    askNext();
  }

  function askNext() {
    for (const line of prompt.querySelectorAll("[data-tone]")) {
      line.hidden = Number(line.dataset.tone) !== answers.length + 1;
    }
    showPart("ask");
    prompt.focus();
    tones.playTestTone(side());
  }

  function showResult(result) {
    for (const hint of card.querySelectorAll("[data-hint]")) hint.hidden = hint.dataset.hint !== result;
    $("continue").hidden = result !== "ok";
    $("retry").hidden = result === "ok";
    $("anyway").hidden = result === "ok";
    showPart("result");
    card.querySelector(`[data-hint=${result}]`).focus();
  }

  return new Promise((resolve) => {
    let result = null;
    const done = () => resolve(result);
    showPart("intro");
    $("play").onclick = play;
    $("retry").onclick = play;
    $("again").onclick = () => tones.playTestTone(side());
    $("skip").onclick = () => {
      result = "none";
      report(result);
      done();
    };
    for (const button of card.querySelectorAll("[data-answer]")) {
      button.onclick = () => {
        answers.push(button.dataset.answer);
        if (answers.length < 2) {
          askNext();
          return;
        }
        result = classify(answers[0], answers[1]);
        report(result);
        showResult(result);
      };
    }
    $("continue").onclick = done;
    $("anyway").onclick = done;
  });
}
