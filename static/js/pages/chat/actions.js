// The user's own actions on a message of the open conversation: edit inline (the sender),
// delete after a confirmation (the sender), react from the server's fixed set (anyone). Each
// goes over the /chat socket; its ack carries the message in its latest state, applied by rev
// like any other change.

import { toast } from "../../api.js";
import { call } from "../../live.js";
import { editorNode, reactionPicker, revOf } from "./message.js";

// thread: what the open conversation shows (shown, rendered: seq → message / <li>) and how to
// redraw a message (rerender) or apply a changed one (applyChange).
export function createActions(chat, list, thread) {
  const { me } = list;
  const { shown, rendered, rerender, applyChange } = thread;
  const messagesNode = document.getElementById("messages");
  let editing = null; // the seq whose text is in the inline editor

  function failed(error, what) {
    const why = error.code === "disconnected" ? "you are offline; try again when the connection is back" : error.message;
    toast(`Could not ${what}: ${why}`, "error");
  }

  function closeEditor() {
    const seq = editing;
    editing = null;
    if (seq !== null) rerender(seq);
  }

  function startEdit(seq) {
    if (editing !== null) closeEditor();
    const m = shown.get(seq);
    const node = rendered.get(seq);
    if (!m || !node || m.deleted_at) return;
    editing = seq;
    const form = editorNode(m);
    const box = form.querySelector("textarea");
    const error = form.querySelector(".field-error");
    box.value = m.content || "";
    const text = node.querySelector(".content");
    if (text) text.replaceWith(form);
    else node.querySelector(".sender, .attachment, .meta").before(form);
    node.querySelector(".message-actions")?.remove();
    node.classList.add("editing");
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);

    const complain = (message) => {
      error.textContent = message;
      error.hidden = false;
      box.setAttribute("aria-invalid", "true");
      box.focus();
    };
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeEditor();
        rendered.get(seq)?.querySelector("[data-action=edit]")?.focus();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const content = box.value.trim();
      if (!content) return complain("Write something, or delete the message instead.");
      const latest = shown.get(seq);
      if (content === (latest.content || "")) return closeEditor();
      const save = form.querySelector("[type=submit]");
      save.disabled = true;
      try {
        const answer = await call(chat, "edit", { conversation_id: list.current, message_id: m.id, content });
        editing = null;
        if (revOf(answer.message) > revOf(shown.get(seq))) shown.set(seq, answer.message);
        rerender(seq);
        list.noteChange(answer.message);
      } catch (error) {
        save.disabled = false;
        complain(error.code === "disconnected" ? "You are offline: save again when the connection is back." : error.message);
      }
    });
  }

  async function remove(seq) {
    const m = shown.get(seq);
    if (!m || !window.confirm("Delete this message for everyone?")) return;
    try {
      const answer = await call(chat, "delete", { conversation_id: list.current, message_id: m.id });
      if (answer && answer.message) {
        applyChange(answer.message);
        list.noteChange(answer.message);
      }
    } catch (error) {
      failed(error, "delete the message");
    }
  }

  function closePicker() {
    const open = messagesNode.querySelector(".reaction-picker");
    if (!open) return;
    open.closest(".message")?.querySelector("[data-action=react]")?.setAttribute("aria-expanded", "false");
    open.remove();
  }

  function togglePicker(seq, button) {
    const node = rendered.get(seq);
    const wasOpen = node.querySelector(".reaction-picker");
    closePicker();
    if (wasOpen) return;
    const picker = reactionPicker(shown.get(seq), me);
    node.querySelector(".message-actions").after(picker);
    button.setAttribute("aria-expanded", "true");
    picker.querySelector("button")?.focus();
  }

  async function react(seq, emoji, on) {
    const m = shown.get(seq);
    if (!m) return;
    closePicker();
    try {
      const answer = await call(chat, "react", { conversation_id: list.current, message_id: m.id, emoji, on });
      if (answer && answer.message) applyChange(answer.message);
    } catch (error) {
      failed(error, "react");
    }
  }

  messagesNode.addEventListener("click", (event) => {
    const node = event.target.closest(".message[data-seq]");
    if (!node || !rendered.has(Number(node.dataset.seq))) return;
    const seq = Number(node.dataset.seq);
    const action = event.target.closest("[data-action]");
    const reaction = event.target.closest("button[data-emoji]");
    if (reaction) react(seq, reaction.dataset.emoji, reaction.dataset.on === "true");
    else if (action?.dataset.action === "edit") startEdit(seq);
    else if (action?.dataset.action === "cancel-edit") closeEditor();
    else if (action?.dataset.action === "delete") remove(seq);
    else if (action?.dataset.action === "react") togglePicker(seq, action);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && messagesNode.querySelector(".reaction-picker")) closePicker();
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".reaction-picker, [data-action=react]")) closePicker();
  });

  return {
    // While the sender edits a message, changes to it wait for the editor to close.
    editing: (seq) => editing === seq,
    closeEditor,
  };
}
