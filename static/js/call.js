// The video call between the therapist and the client: WebRTC, peer to peer. Socket.IO only
// carries the signalling inside the room. The therapist always makes the offer; the client
// answers. A join (after a reload or a reconnected socket) and, on the therapist's side, a
// failed connection start a fresh negotiation. Each offer has a number n; answers and
// candidates carry the n they belong to, and signalling messages are handled one at a time,
// so a late message from an older negotiation can never be applied to a newer connection.

import { canCall } from "./features.js";
import { t } from "./i18n.js";

/** How often the panel reads the call's stats. */
export const STATS_EVERY_MS = 2000;

/** What join() throws in a browser that cannot make the call (features.js canCall). */
export class CallUnsupported extends Error {
  constructor() {
    super("This browser cannot make video calls.");
    this.name = "CallUnsupported";
  }
}

/** The words to show for a getUserMedia failure. */
export function mediaErrorMessage(err) {
  if (err instanceof CallUnsupported) {
    return t("call.error.unsupported");
  }
  if (err && err.name === "NotAllowedError") {
    return t("call.error.not_allowed");
  }
  if (err && (err.name === "NotFoundError" || err.name === "OverconstrainedError")) {
    return t("call.error.not_found");
  }
  if (err && err.name === "NotReadableError") {
    return t("call.error.in_use");
  }
  return t("call.error.failed");
}

/** getUserMedia's constraints for the chosen microphone and camera (any, when none is chosen). */
export function mediaConstraints({ audioId = null, videoId = null } = {}) {
  return {
    audio: audioId ? { deviceId: { exact: audioId } } : true,
    video: videoId ? { deviceId: { exact: videoId } } : { width: { ideal: 1280 }, height: { ideal: 720 } },
  };
}

export class Call {
  constructor(socket, { role, localVideo, remoteVideo, onStatus = () => {} }) {
    this.socket = socket;
    this.role = role;
    this.localVideo = localVideo;
    this.remoteVideo = remoteVideo;
    this.onStatus = onStatus;
    this.stream = null;
    this.pc = null;
    this.joined = false;
    this.pendingCandidates = [];
    this.n = 0; // the negotiation this page's connection belongs to
    this.queue = Promise.resolve();
    socket.on("rtc:signal", (msg) => this.enqueue(() => this.onSignal(msg)));
    socket.on("connect", () => { if (this.joined) this.signal({ kind: "join" }); });
  }

  /** Run signalling steps strictly one after another, in arrival order. */
  enqueue(step) {
    this.queue = this.queue.then(step).catch((err) => this.onStatus("error", err.message));
    return this.queue;
  }

  signal(message) {
    if (this.socket.connected) this.socket.emit("rtc:signal", message);
  }

  /**
   * Ask for camera and microphone (the browser asks the person) and join the call; called
   * again while a connection is open, it sends the newly chosen devices on that connection.
   */
  async join({ audioId = null, videoId = null } = {}) {
    if (!canCall()) throw new CallUnsupported();
    const stream = await navigator.mediaDevices.getUserMedia(mediaConstraints({ audioId, videoId }));
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = stream;
    this.localVideo.srcObject = stream;
    this.joined = true;
    this.onStatus("waiting", t("call.waiting"));
    if (this.pc) await this.replaceTracks();
    else this.signal({ kind: "join" });
  }

  leave() {
    this.joined = false;
    this.signal({ kind: "leave" });
    this.closePeer();
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.localVideo.srcObject = null;
    this.onStatus("off", t("call.off"));
  }

  setMuted(muted) {
    if (this.stream) this.stream.getAudioTracks().forEach((t) => { t.enabled = !muted; });
  }

  setCameraOff(off) {
    if (this.stream) this.stream.getVideoTracks().forEach((t) => { t.enabled = !off; });
  }

  async replaceTracks() {
    for (const track of this.stream.getTracks()) {
      const sender = this.pc.getSenders().find((s) => s.track && s.track.kind === track.kind);
      if (sender) await sender.replaceTrack(track);
    }
  }

  closePeer() {
    if (this.pc) this.pc.close();
    this.pc = null;
    this.pendingCandidates = [];
    if (this.remoteVideo.srcObject) this.remoteVideo.srcObject = null;
  }

  async newPeer() {
    this.closePeer();
    let iceServers = [];
    try {
      const reply = await this.socket.timeout(5000).emitWithAck("rtc:ice");
      if (reply.ok) iceServers = reply.ice_servers;
    } catch {
      // no answer: same-network calls still work without ICE servers
    }
    const pc = new RTCPeerConnection({ iceServers });
    const n = this.n;
    this.pc = pc;
    if (this.stream) this.stream.getTracks().forEach((t) => pc.addTrack(t, this.stream));
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) {
        this.signal({
          kind: "candidate",
          n,
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
        });
      }
    };
    pc.ontrack = ({ streams }) => {
      if (this.remoteVideo.srcObject !== streams[0]) this.remoteVideo.srcObject = streams[0];
    };
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === "connected") this.onStatus("connected", t("call.connected"));
      else if (state === "disconnected") this.onStatus("reconnecting", t("call.reconnecting"));
      else if (state === "failed" && this.role === "therapist" && this.joined && this.pc === pc) {
        this.enqueue(() => this.offer());
      }
    };
    return pc;
  }

  async offer() {
    this.n = this.n ? (this.n % 2147483646) + 1 : 1 + Math.floor(Math.random() * 1e9);
    const pc = await this.newPeer();
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.signal({ kind: "offer", n: this.n, sdp: offer.sdp });
  }

  async onSignal(msg) {
    if (msg.kind === "join") {
      if (!this.joined) return;
      if (this.role === "therapist") await this.offer();
      else this.signal({ kind: "join" }); // tell the therapist we are here: they offer
    } else if (msg.kind === "leave") {
      this.closePeer();
      if (this.joined) this.onStatus("waiting", t("call.other_left"));
    } else if (msg.kind === "offer" && this.joined && this.role === "client") {
      this.n = msg.n;
      const pc = await this.newPeer();
      await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.signal({ kind: "answer", n: msg.n, sdp: answer.sdp });
      await this.flushCandidates();
    } else if (msg.n !== this.n || !this.pc) {
      // an answer or candidate of an older negotiation, or no call open here: drop it
    } else if (msg.kind === "answer" && this.pc.signalingState === "have-local-offer") {
      await this.pc.setRemoteDescription({ type: "answer", sdp: msg.sdp });
      await this.flushCandidates();
    } else if (msg.kind === "candidate") {
      const candidate = { candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex };
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(candidate);
      else this.pendingCandidates.push(candidate);
    }
  }

  async flushCandidates() {
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of queued) await this.pc.addIceCandidate(c);
  }

  /** Round trip, packet loss, the incoming picture's size and frame rate, from getStats. */
  async stats() {
    if (!this.pc) return null;
    const report = await this.pc.getStats();
    const out = { rttMs: null, lossPct: null, width: null, height: null, fps: null };
    report.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) {
        out.rttMs = s.currentRoundTripTime * 1000;
      }
      if (s.type === "inbound-rtp" && s.kind === "video") {
        out.width = s.frameWidth ?? null;
        out.height = s.frameHeight ?? null;
        out.fps = s.framesPerSecond ?? null;
        const total = (s.packetsReceived || 0) + (s.packetsLost || 0);
        out.lossPct = total ? (100 * (s.packetsLost || 0)) / total : 0;
      }
    });
    return out;
  }

  /** The microphones and cameras the browser lists (their labels only after permission). */
  static async devices() {
    const media = navigator.mediaDevices;
    const all = media && typeof media.enumerateDevices === "function" ? await media.enumerateDevices() : [];
    return {
      audio: all.filter((d) => d.kind === "audioinput"),
      video: all.filter((d) => d.kind === "videoinput"),
    };
  }
}

/** Whether the person already allowed the camera here (then a reload rejoins by itself). */
export async function cameraAllowed() {
  try {
    const status = await navigator.permissions.query({ name: "camera" });
    return status.state === "granted";
  } catch {
    return false;
  }
}
