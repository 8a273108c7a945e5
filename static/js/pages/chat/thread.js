// The open conversation: its messages in seq order (the latest page, live ones, older pages
// when scrolling up), who has seen the user's messages, who is typing, and the user's own
// read marker. Text goes in as textContent.

import { el, toast } from "../../api.js";
import { call } from "../../live.js";

export function createThread(chat, list, outbox) {
  const { me, conversations } = list;
  const messagesNode = document.getElementById("messages");
  const typingNode = document.getElementById("typing");
  const rendered = new Map(); // seq → <li> of the open conversation
  let oldestSeq = null;
  let moreBefore = false;
  let loadingOlder = false;
  let historyLoaded = false;
  const typingTimers = new Map();
  let lastTypingSent = 0;

  function messageNode(m) {
    const conversation = conversations.get(m.conversation_id);
    const mine = m.sender_id === me;
    const time = new Date(m.sent_at);
    return el(
      "li",
      { class: mine ? "message mine" : "message", dataset: { seq: m.seq, clientMsgId: m.client_msg_id || "" } },
      mine ? null : el("span", { class: "sender", text: list.nameOf(conversation, m.sender_id) }),
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
    if (oldestSeq === null || m.seq < oldestSeq) oldestSeq = m.seq;
    return true;
  }

  function atBottom() {
    return messagesNode.scrollHeight - messagesNode.scrollTop - messagesNode.clientHeight < 80;
  }

  function scrollToBottom() {
    messagesNode.scrollTop = messagesNode.scrollHeight;
  }

  // A send not stored yet shows at the bottom, as the user's latest message.
  function showPending(node) {
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

  async function loadHistory() {
    const current = list.current;
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
      const answer = await call(chat, "history", { conversation_id: list.current, before: oldestSeq, limit: 30 });
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
    const conversation = conversations.get(list.current);
    const names = [...typingTimers.keys()].map((id) => list.nameOf(conversation, id));
    typingNode.textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
  }

  // A message of a conversation in the list (see list.noteMessage): shown if it is the open
  // one, and read at once if the reader is looking.
  function receive(m) {
    if (m.conversation_id !== list.current || !historyLoaded) return;
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

  messagesNode.addEventListener("scroll", () => {
    if (messagesNode.scrollTop < 60) loadOlder();
  });
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);

  return { receive, showPending, renderReadMarkers, loadHistory, someoneTyping, typing };
}
