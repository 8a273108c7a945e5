// One message on screen: its text (or the tombstone of a deleted one), the "edited" mark, the
// attachment (name, type, size, a download link), reactions with who reacted, and the
// actions the user may take on it. Text goes in as textContent only.

import { el, fileHref } from "../../api.js";

// The server's fixed set (server/messaging/reactions.py), as the page carries it.
export const REACTIONS = (document.getElementById("chat")?.dataset.reactions || "").split(" ").filter(Boolean);

// A message's change counter: 0 for one never changed (or from a server without edits).
export const revOf = (m) => (m && typeof m.rev === "number" ? m.rev : 0);

const fileInfo = new Map(); // attachment url → Promise<{name, type, size}|null>

export function formatSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function dispositionName(header) {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="([^"]*)"/i.exec(header);
  return plain ? plain[1] : null;
}

// There is no metadata route a participant may read, so the file's own download answers:
// a HEAD of PUBLIC_URL/api/files/{id} follows the redirect to the stored object, whose
// Content-Disposition, Content-Type and Content-Length give name, type and size. (Where the
// store is another origin that does not expose those headers, only the type is shown.)
function lookUp(url) {
  if (!fileInfo.has(url)) {
    fileInfo.set(
      url,
      fetch(url, { method: "HEAD", credentials: "same-origin" })
        .then((r) => {
          if (!r.ok) return null;
          const length = r.headers.get("Content-Length");
          return {
            name: dispositionName(r.headers.get("Content-Disposition")),
            type: (r.headers.get("Content-Type") || "").split(";")[0] || null,
            size: length === null ? null : Number(length),
          };
        })
        .catch(() => null),
    );
  }
  return fileInfo.get(url);
}

function fallbackName(url) {
  const id = String(url).split("/").pop();
  return id ? `file ${id.slice(0, 8)}` : "file";
}

function attachmentNode(m) {
  const type = m.attachment_type || "file";
  const isImage = type.startsWith("image/");
  const url = fileHref(m.attachment_url);
  const name = el("span", { class: "file-name", text: fallbackName(m.attachment_url) });
  const details = el("span", { class: "file-meta muted", text: type });
  const download = el(
    "a",
    { class: "file-download", href: url, rel: "noopener nofollow", target: "_blank", download: "" },
    "Download",
  );
  const node = el(
    "div",
    { class: "attachment" },
    isImage
      ? el(
          "a",
          { href: url, rel: "noopener nofollow", target: "_blank", class: "thumb-link" },
          el("img", { class: "thumb", src: url, alt: "Attached image" }),
        )
      : null,
    el("span", { class: "file" }, name, details),
    download,
  );
  lookUp(url).then((info) => {
    if (!info) return;
    if (info.name) {
      name.textContent = info.name;
      download.setAttribute("aria-label", `Download ${info.name}`);
      const img = node.querySelector("img");
      if (img) img.alt = info.name;
    }
    details.textContent = [info.type || type, formatSize(info.size)].filter(Boolean).join(" · ");
  });
  return node;
}

function reactionsNode(m, { me, nameOf }) {
  const items = (m.reactions || []).filter((r) => r.count > 0);
  if (!items.length) return null;
  return el(
    "div",
    { class: "reactions" },
    ...items.map((r) => {
      const mine = r.user_ids.includes(me);
      const who = r.user_ids.map((id) => (id === me ? "You" : nameOf(id))).join(", ");
      return el(
        "button",
        {
          type: "button",
          class: mine ? "reaction mine" : "reaction",
          dataset: { emoji: r.emoji, on: mine ? "false" : "true" },
          "aria-pressed": mine ? "true" : "false",
          title: `${who} reacted ${r.emoji}`,
          "aria-label": `${r.emoji} ${r.count}: ${who}${mine ? " (click to remove yours)" : ""}`,
        },
        el("span", { class: "emoji", text: r.emoji }),
        el("span", { class: "count", text: String(r.count) }),
      );
    }),
  );
}

// A system line (an order's transition, posted by the platform): centred and muted, with no
// sender bubble, menu or reactions, since nobody can edit, delete or react to it.
function systemNode(m) {
  const time = new Date(m.sent_at);
  return el(
    "li",
    { class: "message system", dataset: { seq: m.seq, id: m.id, rev: m.rev ?? 0, kind: "system" } },
    el("p", { class: "content", text: m.content || "" }),
    el(
      "span",
      { class: "meta" },
      el("time", { datetime: m.sent_at, class: "muted", text: time.toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) }),
    ),
  );
}

// `editable`: the server has edits, deletions and reactions (messages carry a `rev`).
export function messageNode(m, { me, nameOf, editable }) {
  if (m.kind === "system") return systemNode(m);
  const mine = m.sender_id === me;
  const deleted = Boolean(m.deleted_at);
  const time = new Date(m.sent_at);
  const classes = ["message"];
  if (mine) classes.push("mine");
  if (deleted) classes.push("deleted");
  const actions =
    editable && !deleted
      ? el(
          "div",
          { class: "message-actions" },
          el("button", { type: "button", class: "icon", dataset: { action: "react" }, "aria-label": "React", "aria-expanded": "false", title: "React" }, "☺"),
          mine
            ? el("button", { type: "button", class: "icon", dataset: { action: "edit" }, "aria-label": "Edit message", title: "Edit" }, "✎")
            : null,
          mine ? el("button", { type: "button", class: "icon", dataset: { action: "delete" }, "aria-label": "Delete message", title: "Delete" }, "🗑") : null,
        )
      : null;
  return el(
    "li",
    { class: classes.join(" "), dataset: { seq: m.seq, id: m.id, rev: m.rev ?? 0, clientMsgId: m.client_msg_id || "" } },
    mine ? null : el("span", { class: "sender", text: nameOf(m.sender_id) }),
    deleted ? el("p", { class: "content tombstone", text: "This message was deleted" }) : null,
    !deleted && m.content ? el("p", { class: "content", text: m.content }) : null,
    !deleted && m.attachment_url ? attachmentNode(m) : null,
    deleted ? null : reactionsNode(m, { me, nameOf }),
    el(
      "span",
      { class: "meta" },
      el("time", { datetime: m.sent_at, class: "muted", text: time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
      m.edited_at && !deleted
        ? el("span", { class: "edited muted", title: `Edited ${new Date(m.edited_at).toLocaleString()}`, text: "edited" })
        : null,
    ),
    actions,
  );
}

export function reactionPicker(m, me) {
  const chosen = new Set((m.reactions || []).filter((r) => r.user_ids.includes(me)).map((r) => r.emoji));
  return el(
    "div",
    { class: "reaction-picker", role: "group", "aria-label": "Pick a reaction" },
    ...REACTIONS.map((emoji) =>
      el("button", {
        type: "button",
        class: chosen.has(emoji) ? "reaction mine" : "reaction",
        dataset: { emoji, on: chosen.has(emoji) ? "false" : "true" },
        "aria-pressed": chosen.has(emoji) ? "true" : "false",
        "aria-label": `React ${emoji}`,
        text: emoji,
      }),
    ),
  );
}

// The inline editor that takes the place of a message's text while the sender edits it.
export function editorNode(m) {
  const id = `edit-${m.id}`;
  return el(
    "form",
    { class: "edit-form", novalidate: true },
    el("label", { for: id, class: "visually-hidden", text: "Edit message" }),
    el("textarea", { id, name: "content", rows: "2", maxlength: "10000", "aria-describedby": `${id}-error` }),
    el("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "small", text: "Save" }),
      el("button", { type: "button", class: "small secondary", dataset: { action: "cancel-edit" }, text: "Cancel" }),
    ),
  );
}
