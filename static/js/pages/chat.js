// Live chat over the /chat socket (docs/messaging.md). This entry wires three parts to the
// socket and the page: the conversation list with unread counts (chat/conversations.js), the
// open conversation with live messages, typing, read markers and older history on scroll up
// (chat/thread.js), and the sends not stored yet (chat/outbox.js). After every reconnect it
// catches up silently through `sync`, then sends again what is still pending.

import { toast } from "../api.js";
import { call, socket } from "../live.js";
import { createConversations } from "./chat/conversations.js";
import { createOutbox } from "./chat/outbox.js";
import { createThread } from "./chat/thread.js";

const root = document.getElementById("chat");
const titleNode = document.getElementById("conversation-title");
const input = document.getElementById("message-input");
const composer = document.getElementById("composer");

const chat = socket("/chat");
const list = createConversations(document.body.dataset.userId, root.dataset.conversationId || null);
const outbox = createOutbox(chat, { show: (node) => thread.showPending(node), onStored: onMessage });
const thread = createThread(chat, list, outbox);

function onMessage(m) {
  if (!list.noteMessage(m)) {
    list.load();
    return;
  }
  thread.receive(m);
  list.render();
}

chat.on("message", onMessage);

chat.on("read", (event) => {
  if (list.noteRead(event) && event.conversation_id === list.current) thread.renderReadMarkers();
});

chat.on("typing", thread.someoneTyping);

chat.on("conversation", () => list.load());

chat.on("connect", async () => {
  try {
    await ready;
    // Catch up silently on whatever happened while we were away: every conversation's
    // messages above the seq we last saw, from PostgreSQL.
    const answer = await call(chat, "sync", { cursors: list.cursors(), limit: 100 });
    let unknown = false;
    for (const conv of answer.conversations) {
      if (!list.conversations.has(conv.conversation_id)) {
        unknown = true;
        continue;
      }
      const c = list.conversations.get(conv.conversation_id);
      for (const r of conv.read) {
        const p = c.participants.find((x) => x.id === r.user_id);
        if (p) p.last_read_seq = Math.max(p.last_read_seq, r.seq);
      }
      conv.messages.forEach(onMessage);
      if (conv.more && conv.conversation_id === list.current) {
        const rest = await call(chat, "history", { conversation_id: list.current, after: c.last_seq, limit: 100 });
        rest.items.forEach(onMessage);
      }
    }
    for (const id of answer.gone) list.conversations.delete(id);
    if (unknown) await list.load();
    list.render();
    await thread.loadHistory();
    if (list.current) thread.renderReadMarkers();
    // Messages typed while offline go out now, with the same ids (a retry is harmless).
    outbox.resendAll();
  } catch (error) {
    // Closed before the answer (log-out, leaving, a restart): the next connect catches up.
    if (error.code !== "disconnected") toast(`Could not catch up: ${error.message}`, "error");
  }
});

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const content = input.value.trim();
  if (!content || !list.current) return;
  input.value = "";
  outbox.queue(list.current, content);
});

composer.addEventListener("upload:done", (event) => {
  const upload = event.detail;
  if (!list.current || upload.purpose !== "message_attachment") return;
  const content = input.value.trim();
  input.value = "";
  outbox.queue(list.current, content || null, { attachment_url: upload.url, attachment_type: upload.content_type });
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

input.addEventListener("input", thread.typing);

const ready = list.load().then(() => {
  const c = list.conversations.get(list.current);
  if (c) titleNode.textContent = list.titleOf(c);
  if (list.current) input.focus();
});
