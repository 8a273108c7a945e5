// Chat alerts on every signed-in page (docs/messaging.md, "In the browser"): one /chat socket
// (the chat page shares it: live.js keeps one per namespace) keeps the unread-conversations
// badge on *Messages* and the "(N) " in the tab title right, and shows a toast for a new
// message from someone else in a conversation this page is not showing and the user has not
// muted. The count is always the server's (GET /api/me/unread, the `unread` event): asked on
// load and on every (re)connect, and again after a `message` or `read` event, so it is right
// across tabs and instances whatever order events arrive in.

import { api, ApiError, toast } from "./api.js";
import { socket } from "./live.js";

const badge = document.getElementById("messages-count");
const link = document.getElementById("messages-link");
const me = document.body.dataset.userId;
const baseTitle = document.title;
const conversations = new Map(); // id → {at, conversation} fetched for a toast (names, muted)
const CONVERSATION_TTL_MS = 30_000;
let refreshTimer = null;
let refreshing = null;
let useList = false; // no GET /api/me/unread on this server: count from the conversation list

export function showUnread(n) {
  const count = Math.max(0, Number(n) || 0);
  document.title = count ? `(${count}) ${baseTitle}` : baseTitle;
  if (!badge) return;
  badge.textContent = String(count);
  badge.hidden = count === 0;
  link?.setAttribute("aria-label", count ? `Messages, ${count} unread conversation${count === 1 ? "" : "s"}` : "Messages");
}

async function countFromList() {
  const page = await api("GET", "/api/conversations?limit=100");
  return page.items.filter((c) => c.unread_count > 0 && !c.muted).length;
}

async function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      if (!useList) {
        try {
          showUnread((await api("GET", "/api/me/unread")).conversations);
          return;
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 404) throw error;
          useList = true;
        }
      }
      showUnread(await countFromList());
    } catch {
      // Offline or a restart: the next (re)connect asks again.
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// Several events in a burst (a sync, a read in every tab) make one request.
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 100);
}

async function conversation(id, fresh = false) {
  const cached = conversations.get(id);
  if (cached && !fresh && performance.now() - cached.at < CONVERSATION_TTL_MS) return cached.conversation;
  const value = await api("GET", `/api/conversations/${id}`);
  conversations.set(id, { at: performance.now(), conversation: value });
  return value;
}

// The conversation this page shows (the chat page's open one), if any.
function viewing() {
  return document.getElementById("chat")?.dataset.conversationId || null;
}

function firstLine(m) {
  if (m.content) return m.content.split("\n").find((line) => line.trim()) || m.content;
  return m.attachment_url ? "Sent an attachment" : "New message";
}

async function alert(m) {
  if (!m || m.sender_id === me || m.conversation_id === viewing()) return;
  // A system line (an order's transition) has its own notification, toasted by app.js; the
  // badge still counts it.
  if (m.kind === "system") return;
  let c;
  try {
    c = await conversation(m.conversation_id);
  } catch {
    return; // Gone or unreachable: the badge still counts it.
  }
  if (c.muted) return;
  const sender = c.participants.find((p) => p.id === m.sender_id);
  const name = (sender && sender.full_name) || "Someone";
  toast(firstLine(m), "chat-alert", { href: `/messages?c=${encodeURIComponent(m.conversation_id)}`, title: name });
}

export function startAlerts() {
  const chat = socket("/chat");
  // body[data-chat=live]: alerts are live (connected, and the badge counted since).
  const live = async () => {
    await refresh();
    if (chat.connected) document.body.dataset.chat = "live";
  };
  chat.on("connect", live);
  chat.on("disconnect", () => {
    document.body.dataset.chat = "offline";
  });
  chat.on("message", (m) => {
    refreshSoon();
    alert(m);
  });
  chat.on("read", refreshSoon);
  chat.on("conversation", refreshSoon);
  chat.on("unread", (event) => {
    // Sent on a mute or unmute too (maybe in another tab): names and mutes are asked afresh.
    conversations.clear();
    if (event && typeof event.conversations === "number") {
      clearTimeout(refreshTimer);
      showUnread(event.conversations);
    }
  });
  // The chat page muted or unmuted a conversation: its toasts follow at once.
  document.addEventListener("rizeos:conversation", (event) => {
    const c = event.detail;
    if (c && c.id) conversations.set(c.id, { at: performance.now(), conversation: c });
    refreshSoon();
  });
  // The chat page may have opened the shared socket first, and it may be connected already.
  if (chat.connected) live();
  else refresh();
  return chat;
}
