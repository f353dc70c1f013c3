// What this browser offers of the APIs the client's pages use, checked before any use: a
// browser without one (an old Safari, an in-app browser, a page not served over HTTPS) gets a
// plain message and a page that goes on without that part, never a script error.

/** The AudioContext constructor (webkitAudioContext in older Safari), or null. */
export function audioContextClass() {
  return window.AudioContext || window.webkitAudioContext || null;
}

/** Can this browser make the video call: a peer connection, and a camera and microphone. */
export function canCall() {
  return typeof window.RTCPeerConnection === "function" && canUseCamera();
}

/** Can this browser ask for the camera and microphone (only on HTTPS or localhost). */
export function canUseCamera() {
  return Boolean(navigator.mediaDevices) && typeof navigator.mediaDevices.getUserMedia === "function";
}

/** Can this browser draw on a canvas (the moving target). */
export function canDraw() {
  const canvas = document.createElement("canvas");
  try {
    return typeof canvas.getContext === "function" && canvas.getContext("2d") !== null;
  } catch {
    return false;
  }
}

/** Next frame: requestAnimationFrame, or a timer at about 60 frames a second without it. */
export const nextFrame = typeof window.requestAnimationFrame === "function"
  ? (callback) => window.requestAnimationFrame(callback)
  : (callback) => window.setTimeout(() => callback(performance.now()), 16);

/**
 * How this browser puts an element full screen: "standard" (requestFullscreen), "webkit"
 * (webkitRequestFullscreen: older Safari on a Mac or an iPad), or null (iPhone Safari: there,
 * only a page added to the Home Screen gets the whole screen).
 */
export function fullscreenKind() {
  const el = document.documentElement;
  if (typeof el.requestFullscreen === "function") return "standard";
  if (typeof el.webkitRequestFullscreen === "function") return "webkit";
  return null;
}

/** Is the page running as a web app opened from the Home Screen (the whole screen already). */
export function standalone() {
  if (navigator.standalone === true) return true; // iPhone Safari's own flag
  if (typeof window.matchMedia !== "function") return false;
  return ["standalone", "fullscreen"].some((mode) => window.matchMedia(`(display-mode: ${mode})`).matches);
}

/** Can this browser keep the screen on (Screen Wake Lock). */
export function canKeepAwake() {
  return "wakeLock" in navigator && Boolean(navigator.wakeLock)
    && typeof navigator.wakeLock.request === "function";
}

/**
 * What the client's page cannot do in this browser, for the therapist (presence `missing`):
 * "canvas" (no moving target), "fullscreen" (no element full screen, not opened from the Home
 * Screen), "video" (no video call). Sound and the wake lock have their own states.
 */
export function missingFeatures() {
  const missing = [];
  if (!canDraw()) missing.push("canvas");
  if (!fullscreenKind() && !standalone()) missing.push("fullscreen");
  if (!canCall()) missing.push("video");
  return missing;
}
