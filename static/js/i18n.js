// The words of the client's pages in the client's language: one catalogue, rendered by the
// server into the page (telehealth/client/messages.py), read once.

let catalogue = null;

/** The message `key`, with `{name}` placeholders filled from `vars`; the key when unknown. */
export function t(key, vars = {}) {
  if (catalogue === null) {
    try {
      catalogue = JSON.parse(document.getElementById("messages").textContent);
    } catch {
      catalogue = {};
    }
  }
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export const lang = document.documentElement.lang || "en";
