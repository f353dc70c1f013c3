// The re-evaluation card: where the target worked on now stood after the last session on it,
// and the SUD it has now (asked first, before going on).

const dash = "–";

/** Fill `card` from the work state's `review` (null: no earlier session, the card hides). */
export function showReview(card, review) {
  card.hidden = !review;
  if (!review) return;
  const put = (key, text) => { card.querySelector(`[data-review="${key}"]`).textContent = text; };
  put("date", review.date);
  put("scores", `SUD ${review.latest.sud ?? dash} · VOC ${review.latest.voc ?? dash}`);
  put("closure", review.closure_name);
  put("resume_note", review.resume_note || dash);
  const noticed = card.querySelector('[data-review="noticed"]');
  if (review.noticed.length) {
    const list = document.createElement("ul");
    for (const item of review.noticed) {
      const li = document.createElement("li");
      li.textContent = `Set ${item.set}: ${item.text}`;
      list.append(li);
    }
    noticed.replaceChildren(list);
  } else {
    noticed.textContent = dash;
  }
  const now = review.reevaluation_sud;
  put("reevaluation", now === null ? "not asked yet" : `SUD ${now}`);
  card.dataset.reevaluated = String(now !== null);
}
