// The words the client's page scripts show, in the page's language: read once from the JSON
// block the server renders (templates/client/_messages.html, from telehealth/client/messages.py).

/** The document's language ("en", "es", ...), as the server chose it. */
export const lang = document.documentElement.lang || "en";

let catalogue = null;

// Object.hasOwn is missing in Safari before 15.4
const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

function messages() {
  if (catalogue === null) {
    try {
      const parsed = JSON.parse(document.getElementById("messages")?.textContent ?? "{}");
      catalogue = parsed && typeof parsed === "object" ? parsed : {};
    } catch {
      catalogue = {}; // no block, or a broken one: every key stands for itself
    }
  }
  return catalogue;
}

/**
 * The text of `key` with its `{name}` placeholders filled from `vars`; the key itself when the
 * catalogue has no text for it. Never throws.
 */
export function t(key, vars = {}) {
  try {
    const found = hasOwn(messages(), key) ? messages()[key] : null;
    const text = typeof found === "string" ? found : String(key);
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      vars && hasOwn(vars, name) ? String(vars[name]) : whole);
  } catch {
    return typeof key === "string" ? key : ""; // a value that cannot become text
  }
}
