// The call's part of both pages: join, leave, mute, camera and device choice; shown while the
// video is on for the session; after a reload, back in the call by itself if it was in it.

import { Call, CallUnsupported, cameraAllowed, mediaErrorMessage } from "./call.js";
import { canCall } from "./features.js";
import { t } from "./i18n.js";

/** Wire the call part `root` of a page; `onEnabled(enabled)` hears the session's video switch. */
export function setupCallControls(root, socket, { role, onEnabled = () => {}, onInCall = () => {} }) {
  const $ = (name) => root.querySelector(`[data-call=${name}]`);
  const call = new Call(socket, {
    role,
    localVideo: $("local"),
    remoteVideo: $("remote"),
    onStatus(state, text) {
      $("status").textContent = text;
      root.dataset.callState = state;
    },
  });
  const joinButton = $("join");
  const inCall = () => {
    root.classList.toggle("in-call", call.joined);
    onInCall(call.joined);
  };

  async function join() {
    $("error").hidden = true;
    try {
      await call.join({ audioId: $("audio").value || null, videoId: $("video").value || null });
      await fillDevices($("audio"), $("video"));
    } catch (err) {
      $("error").textContent = mediaErrorMessage(err);
      $("error").hidden = false;
    }
    inCall();
  }

  joinButton.addEventListener("click", join);
  if (!canCall()) { // say so once, and go on without the call
    $("error").textContent = mediaErrorMessage(new CallUnsupported());
    $("error").hidden = false;
    joinButton.hidden = true;
    root.dataset.callState = "unsupported";
  }
  $("leave").addEventListener("click", () => { call.leave(); inCall(); });
  setupToggle($("mute"), [t("call.mute"), t("call.unmute")], (muted) => call.setMuted(muted));
  setupToggle($("camera"), [t("call.camera_off"), t("call.camera_on")], (off) => call.setCameraOff(off));
  for (const name of ["audio", "video"]) $(name).addEventListener("change", () => { if (call.joined) join(); });

  socket.on("video:state", async ({ enabled, rejoin }) => {
    root.hidden = !enabled;
    onEnabled(enabled);
    if (!enabled && call.joined) {
      call.leave();
      inCall();
    } else if (enabled && rejoin && !call.joined && (await cameraAllowed())) {
      join(); // this person was in the call before a reload: back in it by itself
    }
  });
  return call;
}

/** Fill the two <select>s with the microphones and cameras, keeping what each had chosen. */
export async function fillDevices(audioSelect, videoSelect) {
  const { audio, video } = await Call.devices();
  for (const [select, list] of [[audioSelect, audio], [videoSelect, video]]) {
    const current = select.value;
    select.replaceChildren(...list.map((d, i) => new Option(d.label || t("call.device", { n: i + 1 }), d.deviceId)));
    if (current) select.value = current;
  }
}

/** A button that is pressed or not (aria-pressed); `labels` are [when not pressed, when pressed]. */
function setupToggle(button, labels, apply) {
  button.addEventListener("click", () => {
    const pressed = button.getAttribute("aria-pressed") !== "true";
    apply(pressed);
    button.setAttribute("aria-pressed", String(pressed));
    button.textContent = labels[Number(pressed)];
  });
}
