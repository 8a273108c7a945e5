// Live chat over the /chat socket (docs/messaging.md, "In the browser"). This entry wires the
// parts to the socket and the page: the conversation list with unread counts
// (chat/conversations.js), the open conversation with live messages, edits, deletions,
// reactions, typing, read markers and paging (chat/thread.js), the sends not stored yet
// (chat/outbox.js), message search (chat/search.js) and "New conversation" (chat/start.js).
// The socket is the page's one /chat socket, shared with the alerts every page shows.
// After every reconnect it catches up silently through `sync` (new messages by seq, changed
// ones by rev), then sends again what is still pending.

import { api, ApiError, el, toast } from "../api.js";
import { call, socket } from "../live.js";
import { avatarFor, createConversations } from "./chat/conversations.js";
import { createOutbox } from "./chat/outbox.js";
import { createSearch } from "./chat/search.js";
import { createStart } from "./chat/start.js";
import { createThread } from "./chat/thread.js";

const root = document.getElementById("chat");
const titleNode = document.getElementById("conversation-title");
const aboutNode = document.getElementById("conversation-about");
const muteButton = document.getElementById("mute");
const input = document.getElementById("message-input");
const composer = document.getElementById("composer");
const openAt = /^\d+$/.test(root.dataset.openAt || "") ? Number(root.dataset.openAt) : null;

const chat = socket("/chat");
const list = createConversations(document.body.dataset.userId, root.dataset.conversationId || null);
const outbox = createOutbox(chat, { show: (node) => thread.showPending(node), onStored: onMessage });
const thread = createThread(chat, list, outbox, { openAt });
const MAX_SYNC_ROUNDS = 20;

function onMessage(m) {
  if (!list.noteMessage(m)) {
    list.load();
    return;
  }
  thread.receive(m);
  list.render();
}

// An edit, deletion or reaction (live, or caught up by `sync`): the thread applies it only if
// it is newer than what it shows; the list's preview follows.
function onChange(m) {
  list.noteChange(m);
  thread.applyChange(m);
}

chat.on("message", onMessage);

chat.on("message_changed", (event) => {
  if (event && event.message) onChange(event.message);
});

chat.on("read", (event) => {
  if (list.noteRead(event) && event.conversation_id === list.current) thread.renderReadMarkers();
});

chat.on("typing", thread.someoneTyping);

chat.on("conversation", () => list.load());

// One round of `sync`: new messages above each seq cursor, changed ones up to it above each
// rev cursor. Returns whether a conversation has more changes to fetch.
async function syncOnce() {
  const payload = { cursors: list.cursors(), limit: 100 };
  const revs = list.revs();
  if (Object.keys(revs).length) payload.revs = revs;
  const answer = await call(chat, "sync", payload);
  let unknown = false;
  let again = false;
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
    if (typeof conv.last_rev !== "number") continue; // a server without edits
    if (typeof revs[c.id] !== "number") {
      // No cursor yet (first connect): what is shown is loaded after this, already changed.
      c.last_rev = conv.last_rev;
      continue;
    }
    const changed = conv.changed || [];
    changed.forEach(onChange);
    if (conv.changed_more && changed.length) {
      c.last_rev = Math.max(c.last_rev, ...changed.map((m) => m.rev));
      again = true;
    } else {
      c.last_rev = Math.max(c.last_rev, conv.last_rev);
    }
  }
  for (const id of answer.gone) list.conversations.delete(id);
  if (unknown) await list.load();
  return again;
}

async function catchUp() {
  try {
    await ready;
    // Catch up silently on whatever happened while we were away, from PostgreSQL.
    for (let round = 0; round < MAX_SYNC_ROUNDS && (await syncOnce()); round += 1);
    list.render();
    await thread.loadHistory();
    if (list.current) thread.renderReadMarkers();
    // Messages typed while offline go out now, with the same ids (a retry is harmless).
    outbox.resendAll();
  } catch (error) {
    // Closed before the answer (log-out, leaving, a restart): the next connect catches up.
    if (error.code !== "disconnected") toast(`Could not catch up: ${error.message}`, "error");
  }
}

chat.on("connect", catchUp);

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
  // The upload's progress bar has done its job.
  composer.querySelectorAll("progress.upload-progress").forEach((bar) => (bar.hidden = true));
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

// The header: who, what the conversation is about (with a link), and mute where the server
// has it.
function showHeader(c) {
  titleNode.textContent = list.titleOf(c);
  document.getElementById("conversation-avatar").replaceChildren(avatarFor(list.namesOf(c)));
  const about = c.about;
  if (about && about.type === "order") {
    // The title names the order already: link to it (first, so a phone never cuts the link
    // off), and say who it is with.
    aboutNode.replaceChildren(
      about.url ? el("a", { href: about.url, text: "View the order" }) : "",
      `${about.url ? " · with" : "With"} ${list.namesOf(c)}`,
    );
    aboutNode.hidden = false;
  } else if (about && about.title) {
    const label = { application: "Application", gig: "Gig", organization: "Organization" }[about.type] || "About";
    aboutNode.replaceChildren(
      `${label}: `,
      about.url ? el("a", { href: about.url, text: about.title }) : el("span", { text: about.title }),
    );
    aboutNode.hidden = false;
  }
  if (typeof c.muted === "boolean") {
    muteButton.hidden = false;
    showMuted(c.muted);
  }
}

function showMuted(muted) {
  muteButton.setAttribute("aria-pressed", String(muted));
  muteButton.textContent = muted ? "Muted" : "Mute";
  muteButton.title = muted ? "No alerts or emails for this conversation: click to unmute" : "Stop alerts and emails for this conversation";
}

muteButton.addEventListener("click", async () => {
  const c = list.conversations.get(list.current);
  if (!c) return;
  const mute = muteButton.getAttribute("aria-pressed") !== "true";
  muteButton.disabled = true;
  try {
    const answer = await api(mute ? "PUT" : "DELETE", `/api/conversations/${c.id}/mute`);
    c.muted = answer.muted;
    showMuted(c.muted);
    document.dispatchEvent(new CustomEvent("rizeos:conversation", { detail: c }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(`Could not ${mute ? "mute" : "unmute"}: ${error.message}`, "error");
  } finally {
    muteButton.disabled = false;
  }
});

createSearch(list, () => ready);
createStart();

const ready = list.load().then(() => {
  const c = list.conversations.get(list.current);
  if (c) showHeader(c);
  if (!list.current) {
    root.classList.remove("has-conversation");
    root.dataset.conversationId = "";
  }
  if (list.current && openAt === null) input.focus();
});

// The socket is shared with the alerts every page shows: it may be connected already.
if (chat.connected) catchUp();
