// JSON requests to the app's own URLs, with the CSRF header the server asks of every POST.

const csrfToken = () => document.querySelector('meta[name="csrf-token"]').content;

/**
 * Send a request and read its JSON answer: `{ ok, status, body }` (body null where the answer
 * is not JSON). A POST when `body` is given, a GET otherwise; `keepalive` lets a POST outlive
 * the page; `background` marks a request the page makes by itself (it does not count as the
 * person's activity for the idle timeout). Rejects only when the request could not be made.
 */
export async function requestJson(url, { body, keepalive = false, background = false } = {}) {
  const post = body !== undefined;
  const headers = post
    ? { "X-CSRFToken": csrfToken(), "Content-Type": "application/json", Accept: "application/json" }
    : { Accept: "application/json" };
  if (background) headers["X-Background"] = "1";
  const response = await fetch(url, {
    method: post ? "POST" : "GET",
    keepalive,
    credentials: "same-origin",
    headers,
    body: post ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, body: answer };
}

/** The server's words for a refused request, or `fallback` where it said none. */
export function errorMessage(answer, fallback = "The request failed.") {
  return answer.body && answer.body.error ? answer.body.error.message : fallback;
}
