// The conversation list: every conversation the user is in, as GET /api/conversations shows
// it and as live events keep it, newest first with unread counts; and which one is open.

import { api, ApiError, el } from "../../api.js";
import { renderTimes } from "../../time.js";
import { avatar } from "../../avatar.js";

// The list's and the thread header's picture: initials on the colour the title gives.
export function avatarFor(title, size = "md") {
  return avatar(title, { size });
}

export function createConversations(me, openId) {
  const listNode = document.getElementById("conversation-list");
  const conversations = new Map(); // id → conversation as GET /api/conversations shows it
  let current = openId;

  function nameOf(conversation, userId) {
    const p = conversation?.participants.find((x) => x.id === userId);
    return (p && p.full_name) || "Someone";
  }

  // The other participants' names (the avatar's initials, and most conversations' title).
  function namesOf(conversation) {
    const others = conversation.participants.filter((p) => p.id !== me);
    const names = others.map((p) => p.full_name || "Someone").join(", ");
    return names || "Just you";
  }

  // An order's conversation is titled after the order ("Order: <gig title>", as the server
  // names it in `about`); any other after the people in it.
  function titleOf(conversation) {
    const about = conversation.about;
    if (about && about.type === "order" && about.title) return about.title;
    return namesOf(conversation);
  }

  function preview(m) {
    if (m.deleted_at) return "(message deleted)";
    return m.content || "(attachment)";
  }

  // "You: " before the user's own last message; a system line is nobody's words.
  function previewLine(m) {
    const prefix = m.sender_id === me && m.kind !== "system" ? "You: " : "";
    return `${prefix}${preview(m)}`;
  }

  // The seq last seen in each conversation: where the catch-up `sync` starts.
  function cursors() {
    const seen = {};
    for (const c of conversations.values()) seen[c.id] = c.last_seq;
    return seen;
  }

  // The change counter (rev) each conversation's messages are known up to, where the server
  // has one: `sync` sends it back and answers with the messages changed since.
  function revs() {
    const known = {};
    for (const c of conversations.values()) if (typeof c.last_rev === "number") known[c.id] = c.last_rev;
    return known;
  }

  function render() {
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
            avatarFor(namesOf(c)),
            el("span", { class: "conv-title", text: titleOf(c) }),
            c.last_message_at ? el("time", { class: "conv-when muted", datetime: c.last_message_at, dataset: { relative: "" } }) : null,
            unread > 0 ? el("span", { class: "badge unread-count", text: String(unread), "aria-label": `${unread} unread` }) : null,
            el("span", {
              class: "conv-last muted",
              text: last ? previewLine(last) : "No messages yet",
            }),
          ),
        );
      }),
    );
    renderTimes(listNode);
  }

  async function load() {
    const page = await api("GET", "/api/conversations?limit=100");
    for (const c of page.items) {
      // A new conversation's rev cursor is its last_rev as listed (the messages shown are
      // read after this, already changed); a reload keeps a known one's: only `sync` moves
      // it, so no change to a message on screen is skipped.
      const before = conversations.get(c.id);
      if (before) c.last_rev = before.last_rev;
      conversations.set(c.id, c);
    }
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
    render();
  }

  // A message (live, acknowledged or caught up) moves its conversation's last message, seq
  // and unread count. Returns the conversation, or nothing when it is not in the list yet.
  function noteMessage(m) {
    const conversation = conversations.get(m.conversation_id);
    if (!conversation) return undefined;
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
    return conversation;
  }

  // A message changed (edited, deleted, reacted to): the list's preview follows if it is the
  // conversation's last message.
  function noteChange(m) {
    const conversation = conversations.get(m.conversation_id);
    const last = conversation?.last_message;
    if (!last || last.id !== m.id || (m.rev ?? 0) <= (last.rev ?? 0)) return;
    conversation.last_message = m;
    render();
  }

  // Someone's read marker moved. Returns false when that participant is unknown here.
  function noteRead({ conversation_id, user_id, seq }) {
    const conversation = conversations.get(conversation_id);
    const p = conversation?.participants.find((x) => x.id === user_id);
    if (!p) return false;
    p.last_read_seq = Math.max(p.last_read_seq, seq);
    if (user_id === me) {
      conversation.unread_count = Math.max(0, conversation.last_seq - p.last_read_seq);
      render();
    }
    return true;
  }

  return {
    me,
    conversations,
    get current() {
      return current;
    },
    nameOf,
    titleOf,
    namesOf,
    cursors,
    revs,
    render,
    load,
    noteMessage,
    noteChange,
    noteRead,
  };
}
