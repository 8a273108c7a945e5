// "New conversation": a people picker that offers only whom the start policy lets the user
// message (GET /api/messaging/contacts?q=, each with the context that allows it), then
// POST /api/conversations with that person, that context and a first message. Hidden when the
// server has no contacts route.

import { api, ApiError, el } from "../../api.js";
import { showProblem } from "../../forms.js";

export async function createStart() {
  const button = document.getElementById("new-conversation");
  const form = document.getElementById("new-conversation-form");
  const input = document.getElementById("people-q");
  const results = document.getElementById("people-results");
  const message = document.getElementById("first-message");
  const general = form.querySelector(".form-error");
  let chosen = null; // {user, context, about}
  let timer = null;
  let asked = 0;

  async function contacts(q) {
    return api("GET", `/api/messaging/contacts?q=${encodeURIComponent(q)}`);
  }

  try {
    await contacts("");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return; // not on this server yet
  }
  button.hidden = false;

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach((n) => n.remove());
    form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    general.hidden = true;
    general.textContent = "";
  }

  function fieldError(target, text) {
    target.setAttribute("aria-invalid", "true");
    target.insertAdjacentElement("afterend", el("p", { class: "field-error", text }));
  }

  function render(items) {
    results.replaceChildren(
      ...(items.length
        ? items.map((item, index) => {
            const selected = chosen && chosen.user.id === item.user.id && chosen.context.id === item.context.id;
            return el(
              "li",
              {},
              el(
                "button",
                { type: "button", class: selected ? "person selected" : "person", "aria-pressed": selected ? "true" : "false", dataset: { index } },
                el("strong", { text: item.user.full_name || "Someone" }),
                item.about ? el("span", { class: "muted", text: item.about }) : null,
              ),
            );
          })
        : [el("li", { class: "muted", text: input.value.trim() ? "Nobody you may message by that name." : "Nobody you may message yet." })]),
    );
    results.items = items;
  }

  async function find() {
    const mine = ++asked;
    try {
      const page = await contacts(input.value.trim());
      if (mine === asked) render(page.items);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (mine === asked) render([]);
    }
  }

  function open(show) {
    form.hidden = !show;
    button.setAttribute("aria-expanded", String(show));
    if (show) {
      clearErrors();
      find();
      input.focus();
    } else {
      button.focus();
    }
  }

  button.addEventListener("click", () => open(form.hidden));
  document.getElementById("new-conversation-cancel").addEventListener("click", () => open(false));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") open(false);
  });
  input.addEventListener("input", () => {
    chosen = null;
    clearTimeout(timer);
    timer = setTimeout(find, 200);
  });
  results.addEventListener("click", (event) => {
    const pick = event.target.closest("button[data-index]");
    if (!pick) return;
    chosen = results.items[Number(pick.dataset.index)];
    input.value = chosen.user.full_name || "";
    render([chosen]);
    clearErrors();
    message.focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const content = message.value.trim();
    if (!chosen) fieldError(input, "Pick someone from the list.");
    if (!content) fieldError(message, "Write a first message.");
    if (!chosen || !content) {
      form.querySelector("[aria-invalid]").focus();
      return;
    }
    const submit = form.querySelector("[type=submit]");
    submit.disabled = true;
    try {
      const conversation = await api("POST", "/api/conversations", {
        participant_ids: [chosen.user.id],
        context: { type: chosen.context.type, id: chosen.context.id },
        message: { content, client_msg_id: `web-start-${[...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, "0")).join("")}` },
      });
      window.location.assign(`/messages/${conversation.id}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showProblem(form, error, new Map([["participant_ids", input], ["context", input], ["message.content", message], ["message", message]]));
      submit.disabled = false;
    }
  });
}
