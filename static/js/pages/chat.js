// Live chat over the /chat socket (docs/messaging.md): conversation list with unread counts,
// a conversation view with live messages, typing, read markers, older history on scroll up,
// and a silent catch-up through `sync` after every reconnect. Text goes in as textContent.

import { api, ApiError, el, toast } from "../api.js";
import { call, socket } from "../live.js";

const me = document.body.dataset.userId;
const root = document.getElementById("chat");
const listNode = document.getElementById("conversation-list");
const messagesNode = document.getElementById("messages");
const typingNode = document.getElementById("typing");
const titleNode = document.getElementById("conversation-title");
const input = document.getElementById("message-input");
const composer = document.getElementById("composer");

const conversations = new Map(); // id → conversation as GET /api/conversations shows it
let current = root.dataset.conversationId || null;
const rendered = new Map(); // seq → <li> of the open conversation
const pending = new Map(); // client_msg_id → {conversation_id, content, node}
let oldestSeq = null;
let moreBefore = false;
let loadingOlder = false;
let historyLoaded = false;
const typingTimers = new Map();
let lastTypingSent = 0;

function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "web-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function nameOf(conversation, userId) {
  const p = conversation?.participants.find((x) => x.id === userId);
  return (p && p.full_name) || "Someone";
}

function titleOf(conversation) {
  const others = conversation.participants.filter((p) => p.id !== me);
  const names = others.map((p) => p.full_name || "Someone").join(", ");
  return names || "Just you";
}

function cursorOf(conversation) {
  return conversation.last_seq;
}

// -- the conversation list ------------------------------------------------------------------

function renderList() {
  const items = [...conversations.values()].sort((a, b) =>
    String(b.last_message_at || b.created_at).localeCompare(String(a.last_message_at || a.created_at)),
  );
  if (!items.length) {
    listNode.replaceChildren(el("li", { class: "muted", text: "No conversations yet." }));
    return;
  }
  listNode.replaceChildren(
    ...items.map((c) => {
      const unread = c.id === current ? 0 : c.unread_count;
      const last = c.last_message;
      return el(
        "li",
        { class: c.id === current ? "active" : "", dataset: { conversationId: c.id } },
        el(
          "a",
          { href: `/messages/${c.id}`, "aria-current": c.id === current ? "page" : null },
          el("span", { class: "conv-title", text: titleOf(c) }),
          unread > 0 ? el("span", { class: "badge unread-count", text: String(unread), "aria-label": `${unread} unread` }) : null,
          el("span", {
            class: "conv-last muted",
            text: last ? `${last.sender_id === me ? "You: " : ""}${last.content || "(attachment)"}` : "No messages yet",
          }),
        ),
      );
    }),
  );
}

async function loadList() {
  const page = await api("GET", "/api/conversations?limit=100");
  for (const c of page.items) conversations.set(c.id, c);
  if (current && !conversations.has(current)) {
    try {
      conversations.set(current, await api("GET", `/api/conversations/${current}`));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      current = null;
      document.getElementById("conversation").hidden = true;
      const empty = document.getElementById("no-conversation");
      empty.hidden = false;
      empty.replaceChildren(el("p", { class: "form-error", text: "This conversation does not exist, or you are not in it." }));
    }
  }
  renderList();
}

// -- the open conversation ------------------------------------------------------------------

function messageNode(m) {
  const conversation = conversations.get(m.conversation_id);
  const mine = m.sender_id === me;
  const time = new Date(m.sent_at);
  return el(
    "li",
    { class: mine ? "message mine" : "message", dataset: { seq: m.seq, clientMsgId: m.client_msg_id || "" } },
    mine ? null : el("span", { class: "sender", text: nameOf(conversation, m.sender_id) }),
    m.content ? el("p", { class: "content", text: m.content }) : null,
    m.attachment_url
      ? el(
          "a",
          { class: "attachment", href: m.attachment_url, rel: "noopener nofollow", target: "_blank" },
          String(m.attachment_type || "").startsWith("image/")
            ? el("img", { class: "thumb", src: m.attachment_url, alt: "Attached image" })
            : `Attachment (${m.attachment_type || "file"})`,
        )
      : null,
    el("time", { datetime: m.sent_at, class: "muted", text: time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
  );
}

function insertMessage(m) {
  if (rendered.has(m.seq)) return false;
  const node = messageNode(m);
  const waiting = m.client_msg_id && pending.get(m.client_msg_id);
  if (waiting) {
    waiting.node.remove();
    pending.delete(m.client_msg_id);
  }
  // Keep the list in seq order whatever order events and pages arrive in.
  const after = [...rendered.keys()].filter((s) => s < m.seq).sort((a, b) => b - a)[0];
  const before = [...rendered.keys()].filter((s) => s > m.seq).sort((a, b) => a - b)[0];
  if (before !== undefined) rendered.get(before).before(node);
  else if (after !== undefined) rendered.get(after).after(node);
  else messagesNode.prepend(node);
  // Pending (unsent) messages stay at the bottom.
  for (const p of pending.values()) messagesNode.append(p.node);
  rendered.set(m.seq, node);
  if (oldestSeq === null || m.seq < oldestSeq) oldestSeq = m.seq;
  return true;
}

function atBottom() {
  return messagesNode.scrollHeight - messagesNode.scrollTop - messagesNode.clientHeight < 80;
}

function scrollToBottom() {
  messagesNode.scrollTop = messagesNode.scrollHeight;
}

function renderReadMarkers() {
  const conversation = conversations.get(current);
  if (!conversation) return;
  messagesNode.querySelectorAll(".read-marker").forEach((n) => n.remove());
  const others = conversation.participants.filter((p) => p.id !== me);
  const seen = Math.max(0, ...others.map((p) => p.last_read_seq));
  const mine = [...rendered.entries()]
    .filter(([seq, node]) => seq <= seen && node.classList.contains("mine"))
    .sort((a, b) => b[0] - a[0])[0];
  if (!mine) return;
  const who = others.filter((p) => p.last_read_seq >= mine[0]).map((p) => p.full_name || "Someone");
  mine[1].append(el("span", { class: "read-marker", text: `Seen by ${who.join(", ")}` }));
}

async function markRead() {
  const conversation = conversations.get(current);
  if (!conversation || document.visibilityState !== "visible") return;
  const top = Math.max(0, ...rendered.keys());
  const mine = conversation.participants.find((p) => p.id === me);
  if (!top || (mine && mine.last_read_seq >= top)) return;
  if (mine) mine.last_read_seq = top;
  conversation.unread_count = Math.max(0, conversation.last_seq - top);
  renderList();
  try {
    await call(chat, "read", { conversation_id: current, seq: top });
  } catch {
    // The next message or reconnect marks it again.
  }
}

async function loadHistory() {
  if (!current || historyLoaded) return;
  const answer = await call(chat, "history", { conversation_id: current, limit: 30 });
  historyLoaded = true;
  answer.items.forEach(insertMessage);
  moreBefore = answer.next !== null;
  renderReadMarkers();
  scrollToBottom();
  markRead();
}

async function loadOlder() {
  if (!moreBefore || loadingOlder || oldestSeq === null) return;
  loadingOlder = true;
  const height = messagesNode.scrollHeight;
  try {
    const answer = await call(chat, "history", { conversation_id: current, before: oldestSeq, limit: 30 });
    answer.items.forEach(insertMessage);
    moreBefore = answer.next !== null;
    messagesNode.scrollTop += messagesNode.scrollHeight - height; // keep the reader's place
  } catch (error) {
    // Scrolling up again asks again.
    if (error.code !== "disconnected") toast(`Could not load older messages: ${error.message}`, "error");
  } finally {
    loadingOlder = false;
  }
}

function showTyping() {
  const conversation = conversations.get(current);
  const names = [...typingTimers.keys()].map((id) => nameOf(conversation, id));
  typingNode.textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
}

// -- live events ---------------------------------------------------------------------------

function onMessage(m) {
  let conversation = conversations.get(m.conversation_id);
  if (!conversation) {
    loadList();
    return;
  }
  if (m.seq > conversation.last_seq) {
    conversation.unread_count += m.sender_id === me ? 0 : m.seq - conversation.last_seq;
    conversation.last_seq = m.seq;
    conversation.last_message = m;
    conversation.last_message_at = m.sent_at;
  }
  if (m.sender_id === me) {
    const self = conversation.participants.find((p) => p.id === me);
    if (self) self.last_read_seq = Math.max(self.last_read_seq, m.seq);
    conversation.unread_count = Math.max(0, conversation.last_seq - (self ? self.last_read_seq : 0));
  }
  if (m.conversation_id === current && historyLoaded) {
    const stick = atBottom();
    if (insertMessage(m)) {
      if (m.sender_id !== me) typingTimers.delete(m.sender_id), showTyping();
      renderReadMarkers();
      if (stick || m.sender_id === me) scrollToBottom();
      markRead();
    }
  }
  renderList();
}

const chat = socket("/chat");

chat.on("message", onMessage);

chat.on("read", ({ conversation_id, user_id, seq }) => {
  const conversation = conversations.get(conversation_id);
  const p = conversation?.participants.find((x) => x.id === user_id);
  if (!p) return;
  p.last_read_seq = Math.max(p.last_read_seq, seq);
  if (user_id === me) {
    conversation.unread_count = Math.max(0, conversation.last_seq - p.last_read_seq);
    renderList();
  }
  if (conversation_id === current) renderReadMarkers();
});

chat.on("typing", ({ conversation_id, user_id, expires_in_ms }) => {
  if (conversation_id !== current || user_id === me) return;
  clearTimeout(typingTimers.get(user_id));
  typingTimers.set(
    user_id,
    setTimeout(() => {
      typingTimers.delete(user_id);
      showTyping();
    }, expires_in_ms || 5000),
  );
  showTyping();
});

chat.on("conversation", () => loadList());

chat.on("connect", async () => {
  try {
    await ready;
    // Catch up silently on whatever happened while we were away: every conversation's
    // messages above the seq we last saw, from PostgreSQL.
    const cursors = {};
    for (const c of conversations.values()) cursors[c.id] = cursorOf(c);
    const answer = await call(chat, "sync", { cursors, limit: 100 });
    let unknown = false;
    for (const conv of answer.conversations) {
      if (!conversations.has(conv.conversation_id)) {
        unknown = true;
        continue;
      }
      const c = conversations.get(conv.conversation_id);
      for (const r of conv.read) {
        const p = c.participants.find((x) => x.id === r.user_id);
        if (p) p.last_read_seq = Math.max(p.last_read_seq, r.seq);
      }
      conv.messages.forEach(onMessage);
      if (conv.more && conv.conversation_id === current) {
        const rest = await call(chat, "history", { conversation_id: current, after: c.last_seq, limit: 100 });
        rest.items.forEach(onMessage);
      }
    }
    for (const id of answer.gone) conversations.delete(id);
    if (unknown) await loadList();
    renderList();
    await loadHistory();
    if (current) renderReadMarkers();
    // Messages typed while offline go out now, with the same ids (a retry is harmless).
    for (const [clientMsgId, p] of pending) send(p.conversation_id, p.content, clientMsgId, p.attachment);
  } catch (error) {
    // Closed before the answer (log-out, leaving, a restart): the next connect catches up.
    if (error.code !== "disconnected") toast(`Could not catch up: ${error.message}`, "error");
  }
});

// -- sending ------------------------------------------------------------------------------

async function send(conversationId, content, clientMsgId, attachment = null) {
  const payload = { conversation_id: conversationId, client_msg_id: clientMsgId };
  if (content) payload.content = content;
  if (attachment) Object.assign(payload, attachment);
  try {
    const answer = await call(chat, "send", payload);
    onMessage(answer.message);
  } catch (error) {
    const waiting = pending.get(clientMsgId);
    if (!waiting) return;
    if (["rate_limited", "busy", "unavailable"].includes(error.code)) {
      // Over the send limit, or the server's queue of sends to store is full: the message
      // stays pending and goes again with the same id after a growing pause (a retry of
      // an id already stored is answered with that message, never stored twice).
      waiting.retries = (waiting.retries || 0) + 1;
      const delay = Math.min(1000 * 2 ** (waiting.retries - 1), 15000);
      setTimeout(() => {
        if (pending.has(clientMsgId) && chat.connected) {
          send(waiting.conversation_id, waiting.content, clientMsgId, waiting.attachment);
        }
      }, delay);
    } else if (error.code !== "disconnected" && error.code !== "timeout") {
      waiting.node.classList.add("failed");
      waiting.node.append(el("span", { class: "form-error", text: error.message }));
      pending.delete(clientMsgId);
    }
    // No answer (a timeout, or the socket closed first): it stays pending and goes again,
    // with the same id, after the next (re)connect.
  }
}

function queue(content, attachment = null) {
  const clientMsgId = newId();
  const node = el(
    "li",
    { class: "message mine pending", dataset: { clientMsgId } },
    content ? el("p", { class: "content", text: content }) : null,
    attachment ? el("span", { class: "attachment", text: "Attachment" }) : null,
    el("span", { class: "muted", text: "sending…" }),
  );
  messagesNode.append(node);
  scrollToBottom();
  pending.set(clientMsgId, { conversation_id: current, content, attachment, node });
  if (chat.connected) send(current, content, clientMsgId, attachment);
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content || !current) return;
  input.value = "";
  queue(content);
});

composer.addEventListener("upload:done", (event) => {
  const upload = event.detail;
  if (!current || upload.purpose !== "message_attachment") return;
  const content = input.value.trim();
  input.value = "";
  queue(content || null, { attachment_url: upload.url, attachment_type: upload.content_type });
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

input.addEventListener("input", () => {
  const now = Date.now();
  if (!current || !chat.connected || now - lastTypingSent < 2000) return;
  lastTypingSent = now;
  chat.emit("typing", { conversation_id: current });
});

messagesNode.addEventListener("scroll", () => {
  if (messagesNode.scrollTop < 60) loadOlder();
});

document.addEventListener("visibilitychange", markRead);
window.addEventListener("focus", markRead);

const ready = loadList().then(() => {
  const c = conversations.get(current);
  if (c) titleNode.textContent = titleOf(c);
  if (current) input.focus();
});
