// The client's video call tile: over the stimulation, hidden and shown again, moved by its head.

import { setupCallControls } from "./callui.js";

/** Wire the tile, its hide button and the room bar's `showButton`. */
export function setupCallTile(tile, socket, showButton) {
  setupCallControls(tile, socket, { role: "client", onEnabled: (on) => { if (!on) showButton.hidden = true; } });
  tile.querySelector("#tile-hide").addEventListener("click", () => {
    tile.classList.add("tile-hidden");
    showButton.hidden = false;
  });
  showButton.addEventListener("click", () => {
    tile.classList.remove("tile-hidden");
    showButton.hidden = true;
  });
  dragByHandle(tile, tile.querySelector("#tile-handle"));
}

/** Let the pointer move `box` around the window by its `handle` (not by the handle's buttons). */
function dragByHandle(box, handle) {
  handle.addEventListener("pointerdown", (down) => {
    if (down.target.closest("button")) return;
    const start = box.getBoundingClientRect();
    const dx = down.clientX - start.left;
    const dy = down.clientY - start.top;
    handle.setPointerCapture(down.pointerId);
    const move = (e) => {
      const x = Math.min(Math.max(0, e.clientX - dx), window.innerWidth - start.width);
      const y = Math.min(Math.max(0, e.clientY - dy), window.innerHeight - start.height);
      box.style.left = `${x}px`;
      box.style.top = `${y}px`;
      box.style.right = "auto";
    };
    const up = () => {
      handle.removeEventListener("pointermove", move);
      handle.removeEventListener("pointerup", up);
    };
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", up);
  });
}
