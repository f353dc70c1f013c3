// The call's part of both pages: join, leave, mute, camera and device choice; shown while the
// video is on for the session; after a reload, back in the call by itself if it was in it.

import { Call, cameraAllowed, mediaErrorMessage } from "./call.js";

export function setupCallControls(root, socket, { role, onEnabled = () => {} }) {
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
  const inCall = () => root.classList.toggle("in-call", call.joined);

  async function fillDevices() {
    const { audio, video } = await Call.devices();
    for (const [select, list] of [[$("audio"), audio], [$("video"), video]]) {
      const current = select.value;
      select.replaceChildren(...list.map((d, i) => new Option(d.label || `Device ${i + 1}`, d.deviceId)));
      if (current) select.value = current;
    }
  }

  async function join() {
    $("error").hidden = true;
    try {
      await call.join({ audioId: $("audio").value || null, videoId: $("video").value || null });
      await fillDevices();
    } catch (err) {
      $("error").textContent = mediaErrorMessage(err);
      $("error").hidden = false;
    }
    inCall();
  }

  joinButton.addEventListener("click", join);
  $("leave").addEventListener("click", () => { call.leave(); inCall(); });
  $("mute").addEventListener("click", (event) => {
    const muted = event.currentTarget.getAttribute("aria-pressed") !== "true";
    call.setMuted(muted);
    event.currentTarget.setAttribute("aria-pressed", String(muted));
    event.currentTarget.textContent = muted ? "Unmute" : "Mute";
  });
  $("camera").addEventListener("click", (event) => {
    const off = event.currentTarget.getAttribute("aria-pressed") !== "true";
    call.setCameraOff(off);
    event.currentTarget.setAttribute("aria-pressed", String(off));
    event.currentTarget.textContent = off ? "Camera on" : "Camera off";
  });
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
