// The camera and microphone step: the devices by name, a live preview, and a clear choice to
// join with video or without. The preview is stopped on leaving; the call asks again itself.

import { CallUnsupported, mediaConstraints, mediaErrorMessage } from "./call.js";
import { fillDevices } from "./callui.js";
import { canCall } from "./features.js";

/** The chosen devices' ids from a live stream (what the browser picked when none was chosen). */
function devicesOf(stream) {
  const id = (track) => (track ? track.getSettings().deviceId || null : null);
  return { audioId: id(stream.getAudioTracks()[0]), videoId: id(stream.getVideoTracks()[0]) };
}

/**
 * Run the camera step in `card` (its markup in templates/client/_checks.html); resolves with
 * `{ join, audioId, videoId }`, or "back" when the client returns to the sound check, or null
 * when `signal` aborts (the session ended).
 */
export function cameraStep(card, signal) {
  const $ = (name) => card.querySelector(`[data-camera=${name}]`);
  const preview = $("preview");
  const audioSelect = $("audio");
  const videoSelect = $("video");
  let stream = null;
  let attempt = 0; // the newest start of the preview; an older or late one is let go
  let left = false;

  function stopPreview() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    preview.srcObject = null;
  }

  async function startPreview(chosen) {
    const mine = ++attempt;
    $("error").hidden = true;
    stopPreview();
    let started;
    try {
      started = await navigator.mediaDevices.getUserMedia(mediaConstraints(chosen));
    } catch (err) {
      if (mine !== attempt || left) return;
      $("error").textContent = mediaErrorMessage(err);
      $("error").hidden = false;
      $("join").hidden = true;
      return;
    }
    if (mine !== attempt || left) {
      started.getTracks().forEach((track) => track.stop());
      return;
    }
    stream = started;
    preview.srcObject = stream;
    // the devices' names are listed only once the camera is allowed
    await fillDevices(audioSelect, videoSelect);
    const live = devicesOf(stream);
    if (live.audioId) audioSelect.value = live.audioId;
    if (live.videoId) videoSelect.value = live.videoId;
    $("preview-box").hidden = false;
    $("on").hidden = true;
    $("join").hidden = false;
  }

  const chosen = () => ({ audioId: audioSelect.value || null, videoId: videoSelect.value || null });

  $("preview-box").hidden = true; // as at first, also when back here from the sound check
  $("error").hidden = true;
  $("on").hidden = false;
  $("join").hidden = true;
  if (!canCall()) { // no video call in this browser: say so; the way on is without video
    $("error").textContent = mediaErrorMessage(new CallUnsupported());
    $("error").hidden = false;
    $("on").hidden = true;
  }
  return new Promise((resolve) => {
    const leave = (answer) => {
      left = true;
      stopPreview();
      resolve(answer);
    };
    $("on").onclick = () => startPreview({});
    audioSelect.onchange = () => startPreview(chosen());
    videoSelect.onchange = () => startPreview(chosen());
    $("join").onclick = () => leave({ join: true, ...chosen() });
    $("without").onclick = () => leave({ join: false, audioId: null, videoId: null });
    $("back").onclick = () => leave("back");
    if (signal.aborted) leave(null);
    else signal.addEventListener("abort", () => leave(null), { once: true });
  });
}
