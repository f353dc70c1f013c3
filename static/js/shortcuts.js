// The panel's keyboard: shortcuts that work wherever the focus is except while typing, and
// no focus left behind by a mouse click for Space to press again.

const TYPING = "textarea, select, [contenteditable], input:not([type]), "
  + "input[type=text], input[type=number], input[type=email], input[type=password], "
  + "input[type=search], input[type=url], input[type=tel]";
// Controls whose own keys win: Space toggles a checkbox, arrows move a slider.
const OWN_SPACE = "input[type=checkbox], input[type=radio]";
const OWN_ARROWS = "input[type=range]";

/** Route the page's keys to `keys` ({" ": fn, "p": fn, ...}; letters lower-case). */
export function setupShortcuts(keys) {
  let handledSpace = false;
  document.addEventListener("keydown", (event) => {
    const target = event.target instanceof Element ? event.target : document.body;
    if (event.ctrlKey || event.metaKey || event.altKey || target.closest(TYPING)) return;
    if (document.querySelector("dialog[open]")) return; // a dialog has the keys
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (key === " " && target.closest(OWN_SPACE)) return;
    if (key.startsWith("Arrow") && target.closest(OWN_ARROWS)) return;
    const action = keys[key];
    if (!action) return;
    // Space on a focused button would press it too (on keyup): Space is the shortcut only.
    event.preventDefault();
    if (key === " ") handledSpace = true;
    if (event.repeat) return;
    action();
  }, true);
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && handledSpace) {
      handledSpace = false;
      event.preventDefault();
    }
  }, true);
  // A mouse click leaves no focus on the control clicked: the keys go on as shortcuts.
  document.addEventListener("click", (event) => {
    const control = event.target instanceof Element && event.target.closest("button, input[type=checkbox]");
    if (control && event.detail > 0 && !control.closest("dialog")) control.blur();
  });
  document.addEventListener("change", (event) => {
    const control = event.target;
    if (pointerJustUsed && control.matches("select, input[type=range], input[type=color]")) control.blur();
  });
  let pointerJustUsed = false;
  document.addEventListener("pointerdown", () => { pointerJustUsed = true; }, true);
  document.addEventListener("keydown", () => { pointerJustUsed = false; }, true);
}
