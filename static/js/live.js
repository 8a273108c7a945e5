// Socket.IO connections (the vendored official client), one per namespace, authenticated by
// the session cookie. While any of them is disconnected, the offline banner shows.

import { io } from "/static/vendor/socket.io/socket.io.esm.min.js";

const sockets = new Map();
const down = new Set();
let leaving = false;

function banner() {
  const node = document.getElementById("offline-banner");
  if (node) node.hidden = down.size === 0;
}

export function socket(namespace) {
  if (sockets.has(namespace)) return sockets.get(namespace);
  const s = io(namespace, {
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
  // "Offline" only after a connection was lost (not while the first one is being made).
  s.on("disconnect", (reason) => {
    down.add(namespace);
    banner();
    // The server let go of us (a restart, a slow-consumer cut): come back on our own. If
    // the session is gone meanwhile, connect_error below sends the user to log in.
    if (reason === "io server disconnect") setTimeout(() => leaving || s.connect(), 1000);
  });
  s.on("connect_error", (error) => {
    // Every namespace hears it; the first one leaves (a second navigation would abort it).
    if (error && error.data && error.data.code === "unauthorized" && !leaving) {
      leaving = true;
      window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    }
  });
  s.on("connect", () => {
    down.delete(namespace);
    banner();
  });
  s.io.on("reconnect_attempt", () => {
    down.add(namespace);
    banner();
  });
  sockets.set(namespace, s);
  return s;
}

// A call whose socket closed before its answer came: log-out, leaving the page, a server
// restart or a lost network. Nothing is wrong with the call itself: a page that needs its
// answer asks again on the next "connect" (every page resyncs there), so callers may ignore
// it, and one that forgets to is kept quiet below instead of raising a script error.
export class Disconnected extends Error {
  constructor() {
    super("the live connection closed before the server answered");
    this.name = "Disconnected";
    this.code = "disconnected";
  }
}

// Socket.IO calls with an ack; rejects on an error ack, with Disconnected when the socket
// closes first (or is not connected), or with code "timeout" when no answer comes in time.
export async function call(s, event, payload, timeoutMs = 10000) {
  if (leaving || !s.connected) throw new Disconnected();
  let answer;
  try {
    answer = await s.timeout(timeoutMs).emitWithAck(event, payload);
  } catch {
    if (leaving || !s.connected) throw new Disconnected();
    const error = new Error("the server did not answer in time");
    error.code = "timeout";
    throw error;
  }
  if (answer && answer.error) {
    const error = new Error(answer.error.message || answer.error.code);
    error.code = answer.error.code;
    throw error;
  }
  return answer;
}

// The page is going away (log-out, a link, closing the tab): no socket reconnects, and calls
// still waiting end as Disconnected when their socket closes (the server drops a logged-out
// session's sockets; leaving the page closes the rest). The sockets are not closed here: a
// WebSocket closed by the page while still opening (the upgrade from polling) is a console
// error in Chromium, so the server or the navigation closes them.
export function leave() {
  leaving = true;
}

// Not going away after all (a refused account deletion, back from the back-forward cache):
// live again.
export function stay() {
  leaving = false;
  for (const s of sockets.values()) if (!s.connected) s.connect();
}

window.addEventListener("pagehide", () => {
  leaving = true;
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) stay();
});
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof Disconnected) event.preventDefault();
});

// When the browser knows it lost the network, drop the transport at once rather than
// waiting for a ping to time out; reconnection (and the catch-up `sync`) starts when it is back.
window.addEventListener("offline", () => {
  down.add("network");
  banner();
  for (const s of sockets.values()) s.io.engine?.close();
});
window.addEventListener("online", () => {
  down.delete("network");
  banner();
  for (const s of sockets.values()) if (!s.connected) s.connect();
});
