// The client's "Full screen" button: element full screen where the browser has it (standard,
// or webkit-prefixed in older Safari); where it has none (iPhone Safari) the button shows plain
// steps to add the page to the Home Screen and open it from there, which gives the whole screen.

import { fullscreenKind, standalone } from "./features.js";

function fullscreenElement() {
  return document.fullscreenElement || document.webkitFullscreenElement || null;
}

/** Is the page on the whole screen: full screen, or opened from the Home Screen. */
export function onWholeScreen() {
  return Boolean(fullscreenElement()) || standalone();
}

/** Wire `button` and the Home Screen steps `help` (with its [data-help=close] button);
 * `onChange` hears the page enter or leave full screen and the steps open or close. */
export function setupFullscreen(button, help, { onChange = () => {} } = {}) {
  const kind = fullscreenKind();
  const closeButton = help.querySelector("[data-help=close]");

  function showHelp(show) {
    help.hidden = !show;
    document.body.dataset.help = String(show); // the dock gives the steps more room
    button.setAttribute("aria-expanded", String(show));
    if (show) help.focus();
    onChange();
  }

  function update() {
    button.hidden = onWholeScreen();
    if (button.hidden && !help.hidden) showHelp(false);
    else onChange();
  }

  button.setAttribute("aria-controls", help.id);
  if (!kind) button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", async () => {
    if (!kind) {
      showHelp(help.hidden);
      return;
    }
    try {
      if (kind === "standard") await document.documentElement.requestFullscreen({ navigationUI: "hide" });
      else await document.documentElement.webkitRequestFullscreen(); // no promise in older Safari
    } catch {
      showHelp(true); // refused: the Home Screen is the other way to the whole screen
    }
  });
  closeButton.addEventListener("click", () => {
    showHelp(false);
    button.focus();
  });
  document.addEventListener("fullscreenchange", update);
  document.addEventListener("webkitfullscreenchange", update);
  // older Safari tells of a refusal by an event only
  document.addEventListener("webkitfullscreenerror", () => showHelp(true));
  update();
}
