// The client's checks on the therapist's panel: the safety screening's answers, the warning to
// confirm before the first set (the server refuses stim:start until screening:seen), and the
// sound check's result (the client's page tells it again when the panel connects), and asking
// for the sound check again between sets.

/** Wire the card `card` (templates/therapist/_screening.html); `offline()` says when not sent. */
export function setupScreening(card, socket, { offline }) {
  const $ = (name) => card.querySelector(`[data-screening=${name}]`);
  const seenButton = $("seen");

  socket.on("screening:state", ({ answered, flags, seen }) => {
    const flagged = flags.length > 0;
    $("pending").hidden = answered;
    $("clear").hidden = !answered || flagged;
    $("flagged").hidden = !flagged;
    for (const item of card.querySelectorAll("[data-flag]")) item.hidden = !flags.includes(item.dataset.flag);
    $("warning").hidden = !flagged || seen;
    $("confirmed").hidden = !flagged || !seen;
    card.dataset.warning = flagged && !seen ? "unseen" : "none";
    seenButton.disabled = false;
  });

  const again = card.querySelector("[data-soundcheck=again]");
  const againStatus = card.querySelector("[data-soundcheck=status]");
  socket.on("soundcheck:state", ({ result }) => {
    for (const line of card.querySelectorAll("[data-sound]")) line.hidden = line.dataset.sound !== result;
    again.hidden = false; // once done, it may be done again (headphones swapped, say)
    againStatus.textContent = "";
  });
  card.querySelector("[data-soundcheck=ask]").addEventListener("click", async () => {
    if (offline()) return;
    const ack = await socket.timeout(5000).emitWithAck("soundcheck:ask").catch(() => null);
    againStatus.textContent = ack && ack.ok
      ? "Asked: the client sees the sound check now."
      : (ack ? ack.error.message : "Not sent: check the connection and try again.");
  });

  // Start was refused for it: bring the warning and its button into view.
  socket.on("error", (err) => {
    if (err.code !== "screening_unseen") return;
    $("warning").hidden = false;
    card.scrollIntoView({ block: "nearest" });
    seenButton.focus();
  });

  seenButton.addEventListener("click", () => {
    if (offline()) return;
    seenButton.disabled = true;
    socket.emit("screening:seen");
  });
}
