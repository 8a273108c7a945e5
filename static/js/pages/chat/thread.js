// The open conversation: its messages in seq order (the latest page, or the page around a
// search result; live ones; older and newer pages on scrolling), changes to them (edits,
// deletions, reactions) applied by rev (the user's own actions are in chat/actions.js), who
// has seen the user's messages, who is typing, and the user's own read marker.

import { api, ApiError, el, toast } from "../../api.js";
import { call } from "../../live.js";
import { createActions } from "./actions.js";
import { messageNode, revOf } from "./message.js";

const PAGE = 30;

export function createThread(chat, list, outbox, { openAt = null } = {}) {
  const { me, conversations } = list;
  const messagesNode = document.getElementById("messages");
  const typingNode = document.getElementById("typing");
  const rendered = new Map(); // seq → <li> of the open conversation
  const shown = new Map(); // seq → the message as shown (its rev decides what is newer)
  const early = new Map(); // message id → a change that came before its message was shown
  let oldestSeq = null;
  let moreBefore = false;
  let moreAfter = false; // opened around a message: newer ones are not loaded yet
  let loadingOlder = false;
  let loadingNewer = false;
  let historyLoaded = false;
  let editable = false; // the server has edits, deletions and reactions (messages carry a rev)
  let target = openAt; // a seq to open at (a search result), once
  const typingTimers = new Map();
  let lastTypingSent = 0;

  function context() {
    const conversation = conversations.get(list.current);
    return { me, nameOf: (id) => list.nameOf(conversation, id), editable };
  }

  function render(m) {
    return messageNode(m, context());
  }

  function insertMessage(m) {
    if (rendered.has(m.seq)) {
      applyChange(m);
      return false;
    }
    const held = early.get(m.id);
    if (held) {
      early.delete(m.id);
      if (revOf(held) > revOf(m)) m = held;
    }
    if (typeof m.rev === "number") editable = true;
    const node = render(m);
    if (m.client_msg_id) outbox.settle(m.client_msg_id);
    // Keep the list in seq order whatever order events and pages arrive in.
    const after = [...rendered.keys()].filter((s) => s < m.seq).sort((a, b) => b - a)[0];
    const before = [...rendered.keys()].filter((s) => s > m.seq).sort((a, b) => a - b)[0];
    if (before !== undefined) rendered.get(before).before(node);
    else if (after !== undefined) rendered.get(after).after(node);
    else messagesNode.prepend(node);
    // Pending (unsent) messages stay at the bottom.
    for (const pendingNode of outbox.nodes()) messagesNode.append(pendingNode);
    rendered.set(m.seq, node);
    shown.set(m.seq, m);
    if (oldestSeq === null || m.seq < oldestSeq) oldestSeq = m.seq;
    return true;
  }

  function rerender(seq) {
    const old = rendered.get(seq);
    if (!old) return;
    const node = render(shown.get(seq));
    if (old.classList.contains("found")) node.classList.add("found");
    old.replaceWith(node);
    rendered.set(seq, node);
    renderReadMarkers();
  }

  // A changed message (a live `message_changed`, an action's answer, a catch-up): applied
  // only when its rev is newer than the one shown. One not shown yet is kept until it is.
  function applyChange(m) {
    if (m.conversation_id !== list.current) return;
    const current = shown.get(m.seq);
    if (!current) {
      if (revOf(m) > revOf(early.get(m.id))) early.set(m.id, m);
      return;
    }
    if (revOf(m) <= revOf(current)) return;
    shown.set(m.seq, m);
    if (actions.editing(m.seq)) {
      if (m.deleted_at) actions.closeEditor();
      return; // the editor shows it when it closes
    }
    rerender(m.seq);
  }

  function atBottom() {
    return messagesNode.scrollHeight - messagesNode.scrollTop - messagesNode.clientHeight < 80;
  }

  function scrollToBottom() {
    messagesNode.scrollTop = messagesNode.scrollHeight;
  }

  // A send not stored yet shows at the bottom, as the user's latest message.
  function showPending(node) {
    if (moreAfter) jumpToLatest();
    messagesNode.append(node);
    scrollToBottom();
  }

  function renderReadMarkers() {
    const conversation = conversations.get(list.current);
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
    const current = list.current;
    const conversation = conversations.get(current);
    if (!conversation || document.visibilityState !== "visible") return;
    const top = Math.max(0, ...rendered.keys());
    const mine = conversation.participants.find((p) => p.id === me);
    if (!top || (mine && mine.last_read_seq >= top)) return;
    if (mine) mine.last_read_seq = top;
    conversation.unread_count = Math.max(0, conversation.last_seq - top);
    list.render();
    try {
      await call(chat, "read", { conversation_id: current, seq: top });
    } catch {
      // The next message or reconnect marks it again.
    }
  }

  // The page around a seq (GET …/messages?around=): a search result opens there. False when
  // the server cannot (no such route yet, or the message is gone): the latest page then.
  async function loadAround(seq) {
    let page;
    try {
      page = await api("GET", `/api/conversations/${list.current}/messages?around=${seq}&limit=${PAGE}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return false;
    }
    page.items.forEach(insertMessage);
    moreBefore = (page.older ?? page.next ?? null) !== null;
    moreAfter = (page.newer ?? null) !== null;
    return true;
  }

  function highlight(seq) {
    const node = rendered.get(seq);
    if (!node) return;
    node.classList.add("found");
    node.setAttribute("tabindex", "-1");
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
  }

  async function loadHistory() {
    const current = list.current;
    if (!current || historyLoaded) return;
    const at = target;
    target = null;
    if (at !== null && (await loadAround(at))) {
      historyLoaded = true;
      renderReadMarkers();
      highlight(at);
      markRead();
      return;
    }
    const answer = await call(chat, "history", { conversation_id: current, limit: PAGE });
    historyLoaded = true;
    answer.items.forEach(insertMessage);
    moreBefore = answer.next !== null;
    renderReadMarkers();
    if (at !== null && rendered.has(at)) highlight(at);
    else scrollToBottom();
    markRead();
  }

  // Opened around an old message, the user sends one: show the latest page instead.
  function jumpToLatest() {
    for (const node of rendered.values()) node.remove();
    rendered.clear();
    shown.clear();
    oldestSeq = null;
    moreAfter = false;
    historyLoaded = false;
    loadHistory().catch(() => {});
  }

  async function loadOlder() {
    if (!moreBefore || loadingOlder || oldestSeq === null) return;
    loadingOlder = true;
    const height = messagesNode.scrollHeight;
    try {
      const answer = await call(chat, "history", { conversation_id: list.current, before: oldestSeq, limit: PAGE });
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

  async function loadNewer() {
    if (!moreAfter || loadingNewer) return;
    loadingNewer = true;
    try {
      const newest = Math.max(0, ...rendered.keys());
      const answer = await call(chat, "history", { conversation_id: list.current, after: newest, limit: PAGE });
      answer.items.forEach(insertMessage);
      moreAfter = answer.next !== null;
      renderReadMarkers();
      markRead();
    } catch (error) {
      if (error.code !== "disconnected") toast(`Could not load newer messages: ${error.message}`, "error");
    } finally {
      loadingNewer = false;
    }
  }

  function showTyping() {
    const conversation = conversations.get(list.current);
    const names = [...typingTimers.keys()].map((id) => list.nameOf(conversation, id));
    typingNode.textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
  }

  // A message of a conversation in the list (see list.noteMessage): shown if it is the open
  // one, and read at once if the reader is looking.
  function receive(m) {
    if (m.conversation_id !== list.current || !historyLoaded) return;
    if (moreAfter && !rendered.has(m.seq)) return; // not next to what is shown: scrolling down loads it
    const stick = atBottom();
    if (insertMessage(m)) {
      if (m.sender_id !== me) typingTimers.delete(m.sender_id), showTyping();
      renderReadMarkers();
      if (stick || m.sender_id === me) scrollToBottom();
      markRead();
    }
  }

  function someoneTyping({ conversation_id, user_id, expires_in_ms }) {
    if (conversation_id !== list.current || user_id === me) return;
    clearTimeout(typingTimers.get(user_id));
    typingTimers.set(
      user_id,
      setTimeout(() => {
        typingTimers.delete(user_id);
        showTyping();
      }, expires_in_ms || 5000),
    );
    showTyping();
  }

  // The user is typing: tell the others, at most every 2 s.
  function typing() {
    const now = Date.now();
    if (!list.current || !chat.connected || now - lastTypingSent < 2000) return;
    lastTypingSent = now;
    chat.emit("typing", { conversation_id: list.current });
  }

  const actions = createActions(chat, list, { shown, rendered, rerender, applyChange });

  messagesNode.addEventListener("scroll", () => {
    if (messagesNode.scrollTop < 60) loadOlder();
    if (moreAfter && atBottom()) loadNewer();
  });
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);

  return { receive, applyChange, showPending, renderReadMarkers, loadHistory, someoneTyping, typing };
}
