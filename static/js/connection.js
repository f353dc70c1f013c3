// The Socket.IO connection of a page, with the room state it keeps (newest rev wins).

const { io } = window; // set by static/js/vendor/socket.io-4.8.1.min.js

export function connect(auth, handlers) {
  const socket = io({ auth, transports: ["websocket", "polling"] });
  // Nothing said while offline is replayed on reconnect: stale commands must not fire late.
  // (Pages check socket.connected before a command; this drops what raced the drop.)
  socket.on("disconnect", () => { socket.sendBuffer = []; });
  let rev = -1;
  socket.on("stim:state", (state) => {
    if (state.rev < rev) return; // an older state than the one we hold
    rev = state.rev;
    handlers.state(state);
  });
  socket.on("error", (err) => handlers.error && handlers.error(err));
  socket.on("access:ended", (info) => handlers.ended && handlers.ended(info));
  socket.on("connect", () => handlers.status && handlers.status("connected"));
  socket.on("disconnect", () => handlers.status && handlers.status("reconnecting"));
  socket.on("connect_error", (err) => {
    if (handlers.status) handlers.status(err.message === "unauthorized" ? "refused" : "reconnecting");
  });
  return socket;
}
