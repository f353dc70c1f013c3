// The panel's client link card: a join link made on request and shown once with a copy
// button (only its hash is stored), and the button that revokes every link of the session.

import { askFirst } from "./dialogs.js";
import { errorMessage, requestJson } from "./http.js";

/** Wire the card; `showError(message)` reports a failure on the panel; `askDialog` asks first. */
export function setupJoinLink(card, { linkUrl, revokeUrl, showError, askDialog }) {
  const box = card.querySelector("#link-box");
  const url = card.querySelector("#link-url");
  const expiry = card.querySelector("#link-expiry");

  card.querySelector("#make-link").addEventListener("click", async () => {
    const answer = await requestJson(linkUrl, { body: {} });
    if (!answer.ok) {
      showError(errorMessage(answer));
      return;
    }
    url.value = answer.body.url;
    expiry.textContent = new Date(answer.body.expires_at).toLocaleString();
    box.hidden = false;
  });
  card.querySelector("#revoke-links").addEventListener("click", async () => {
    const sure = await askFirst(askDialog, "The client is disconnected and needs a new link to come back.", {
      title: "Revoke the join links?",
      ok: "Revoke links",
    });
    if (!sure) return;
    const answer = await requestJson(revokeUrl, { body: {} });
    if (!answer.ok) showError("The links could not be revoked. Please try again.");
    box.hidden = true;
    url.value = "";
  });
  card.querySelector("#copy-link").addEventListener("click", async (event) => {
    url.select();
    try {
      await navigator.clipboard.writeText(url.value);
      event.target.textContent = "Copied";
    } catch {
      event.target.textContent = "Press Ctrl+C";
    }
  });
}
