// The client's video call tile, docked beside the stimulation: its body hidden and shown again
// by the client, the call itself ended with the session.

import { setupCallControls } from "./callui.js";

/** Wire the tile, its hide button and the dock's `showButton`; `onChange` hears the tile change
 * size (hidden, shown, in the call or not). Returns the Call. */
export function setupCallTile(tile, socket, showButton, { onChange = () => {} } = {}) {
  const call = setupCallControls(tile, socket, {
    role: "client",
    onEnabled: (on) => {
      if (!on) showButton.hidden = true;
      onChange();
    },
    onInCall: onChange,
  });
  const hideButton = tile.querySelector("#tile-hide");
  hideButton.addEventListener("click", () => {
    tile.classList.add("tile-hidden");
    hideButton.hidden = true;
    showButton.hidden = false;
    onChange();
  });
  showButton.addEventListener("click", () => {
    tile.classList.remove("tile-hidden");
    hideButton.hidden = false;
    showButton.hidden = true;
    onChange();
  });
  return call;
}
