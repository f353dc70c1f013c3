// Back to target after a set (phase 4): the words to read out and the client's SUD, asked on
// their screen as the therapist makes the choice (set:next), shown beside that set.

/** `box`: the #back-to-target part of the between-sets form. Returns `{ chosen(ack), show(data) }`:
 * `chosen` takes set:next's answer (or a new set's number with no choice), `show` the panel's score data (scores.json). */
export function setupBackToTarget(box, socket, showError) {
  const sud = box.querySelector("#back-to-target-sud");
  let setNumber = null; // the set the choice was made after

  box.querySelector("#ask-back-to-target").addEventListener("click", async () => {
    const ack = await socket.timeout(5000)
      .emitWithAck("score:prompt", { kind: "sud", purpose: "back_to_target" }).catch(() => null);
    if (!ack || !ack.ok) showError(ack ? ack.error.message : "The question could not be sent.");
    else sud.textContent = "asked on the client’s screen…";
  });

  function chosen(ack) {
    setNumber = ack.set;
    box.hidden = ack.next !== "back_to_target";
    if (box.hidden) return;
    sud.textContent = ack.asked ? `asked on the client’s screen after set ${ack.set}…` : ack.not_asked;
  }

  function show({ sets, scores }) {
    const last = scores.filter((s) => s.purpose === "back_to_target" && s.kind === "sud").at(-1);
    if (!last) return;
    const after = sets.find((s) => s.id === last.set_id);
    if (setNumber !== null && after && after.number !== setNumber) return; // an older set's
    box.hidden = false;
    sud.textContent = `${last.value}${after ? ` (after set ${after.number})` : ""}`;
    box.dataset.sud = String(last.value);
  }
  return { chosen, show };
}
