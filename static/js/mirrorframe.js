// The therapist's mirror takes the shape of the client's screen: the stage where the client's
// stage is, and outlines of what else is on that screen (the dock, the video, the question, the
// dual-attention task), so the therapist sees the client's layout as well as the target.

const PARTS = ["dock", "video", "question", "task"];

/** Place `rect` ([x, y, width, height] in the client's pixels) in the frame, in percent. */
function place(element, rect, width, height) {
  element.hidden = !rect;
  if (!rect) return;
  const [x, y, w, h] = rect;
  element.style.left = `${(100 * x) / width}%`;
  element.style.top = `${(100 * y) / height}%`;
  element.style.width = `${(100 * w) / width}%`;
  element.style.height = `${(100 * h) / height}%`;
}

/** Show presence `p` (presence:state) in `frame`; the canvas inside is the mirror's stage. */
export function showClientLayout(frame, p) {
  frame.style.setProperty("--ratio", String(p.width / p.height));
  const layout = p.layout || {};
  const whole = [0, 0, p.width, p.height];
  place(frame.querySelector("canvas"), layout.stage || whole, p.width, p.height);
  for (const part of PARTS) {
    const outline = frame.querySelector(`[data-part=${part}]`);
    if (outline) place(outline, layout[part] || null, p.width, p.height);
  }
  frame.dataset.phase = p.phase || "session";
}
