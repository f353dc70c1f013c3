// Every staff page: the idle timeout's warning (the page's data comes from base.html).
import { setupIdleWarning } from "./idle.js";

const dialog = document.getElementById("idle-warning");
if (dialog) {
  setupIdleWarning(dialog, {
    timeoutS: Number(dialog.dataset.timeoutS),
    activeUrl: dialog.dataset.activeUrl,
    logoutUrl: dialog.dataset.logoutUrl,
    loginUrl: dialog.dataset.loginUrl,
  });
}
