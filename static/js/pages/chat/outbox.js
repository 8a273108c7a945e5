// Sends not stored yet. Each shows as "sending…" until its message comes back (in the
// answer, a live event or a catch-up) and keeps its client_msg_id for every retry: the
// server stores an id once, so a send that goes twice is harmless. Refused for now (over the
// send limit, the server busy or its database unreachable): it goes again after a growing pause. No answer (a timeout,
// or the socket closed first): it goes again after the next (re)connect, via resendAll.

import { el } from "../../api.js";
import { call } from "../../live.js";

// show(node): put a pending message on screen; onStored(message): a send's stored message.
export function createOutbox(chat, { show, onStored }) {
  const pending = new Map(); // client_msg_id → {conversation_id, content, attachment, node}

  function newId() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return "web-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function send(conversationId, content, clientMsgId, attachment = null) {
    const payload = { conversation_id: conversationId, client_msg_id: clientMsgId };
    if (content) payload.content = content;
    if (attachment) Object.assign(payload, attachment);
    try {
      const answer = await call(chat, "send", payload);
      onStored(answer.message);
    } catch (error) {
      const waiting = pending.get(clientMsgId);
      if (!waiting) return;
      if (["rate_limited", "busy", "unavailable"].includes(error.code)) {
        // Over the send limit, the server's queue of sends to store full, or its database
        // unreachable for a moment: the message stays pending and goes again with the same id after a growing pause (a retry of
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

  function queue(conversationId, content, attachment = null) {
    const clientMsgId = newId();
    const node = el(
      "li",
      { class: "message mine pending", dataset: { clientMsgId } },
      content ? el("p", { class: "content", text: content }) : null,
      attachment ? el("span", { class: "attachment", text: "Attachment" }) : null,
      el("span", { class: "muted", text: "sending…" }),
    );
    show(node);
    pending.set(clientMsgId, { conversation_id: conversationId, content, attachment, node });
    if (chat.connected) send(conversationId, content, clientMsgId, attachment);
  }

  // Messages typed while offline (or unanswered) go out now, with the same ids.
  function resendAll() {
    for (const [clientMsgId, p] of pending) send(p.conversation_id, p.content, clientMsgId, p.attachment);
  }

  // Its message is shown (stored): the pending copy goes.
  function settle(clientMsgId) {
    const waiting = pending.get(clientMsgId);
    if (!waiting) return;
    waiting.node.remove();
    pending.delete(clientMsgId);
  }

  function nodes() {
    return [...pending.values()].map((p) => p.node);
  }

  return { queue, resendAll, settle, nodes };
}
