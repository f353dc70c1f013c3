// The sound check with left and right: a tone on the left, then one on the right; the client
// taps where each came from, and hears in plain words what to fix when stereo is wrong. When
// the sound does not start at all (no audio output, no Web Audio), the client is told what to
// do and can try again or go on without sound.

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
  const parts = { intro: $("intro"), ask: $("ask"), result: $("result"), failed: $("failed") };
  let answers = [];

  function showPart(name) {
    for (const [key, part] of Object.entries(parts)) part.hidden = key !== name;
  }

  function side() {
    return answers.length === 0 ? LEFT : RIGHT;
  }

  async function play(event) {
    answers = [];
    const button = event && event.currentTarget;
    if (button) button.disabled = true; // one start at a time (it may take a few seconds)
    const status = await tones.enable(); // a press is a user gesture: the sound may start now
    if (button) button.disabled = false;
    if (status === "on") askNext();
    else showFailed(status);
  }

  /** The sound did not start ("failed": try again) or cannot ("unsupported"): say what to do. */
  function showFailed(status) {
    for (const why of card.querySelectorAll("[data-why]")) why.hidden = why.dataset.why !== status;
    $("start-again").hidden = status !== "failed";
    showPart("failed");
    card.querySelector(`[data-why=${status}]`).focus();
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
    $("start-again").onclick = play;
    $("again").onclick = () => tones.playTestTone(side());
    $("skip").onclick = () => {
      result = "none";
      report(result);
      done();
    };
    $("without").onclick = $("skip").onclick;
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
