// The panel's own dialogs (<dialog>, never window.confirm): asking before a step, and the
// shortcut list; a button with value="cancel" closes the dialog it is in.

/** Wire every panel dialog's Cancel / Close buttons. */
export function setupDialogs(root = document) {
  for (const dialog of root.querySelectorAll("dialog")) {
    for (const button of dialog.querySelectorAll("button[value=cancel]")) {
      button.addEventListener("click", () => dialog.close("cancel"));
    }
  }
}

/** Show `dialog` with `message` (and, when given, its `title` and the `ok` button's words);
 * resolves true when its OK button is pressed, false otherwise. */
export function askFirst(dialog, message, { title = null, ok: okLabel = null } = {}) {
  dialog.querySelector("[data-ask-first=message]").textContent = message;
  const ok = dialog.querySelector("button[value=ok]");
  const heading = dialog.querySelector("[data-ask-first=title]");
  heading.textContent = title ?? heading.dataset.default;
  ok.textContent = okLabel ?? ok.dataset.default;
  return new Promise((resolve) => {
    const pressed = () => dialog.close("ok");
    ok.addEventListener("click", pressed, { once: true });
    dialog.addEventListener("close", () => {
      ok.removeEventListener("click", pressed);
      resolve(dialog.returnValue === "ok");
    }, { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus(); // the safe choice has the focus
  });
}
