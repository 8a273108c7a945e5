// Message search (GET /api/messages/search): results replace the conversation list while
// searching, newest first, with the server's highlights; a result opens its conversation at
// that message (/messages/<id>?m=<seq>, the page around it). The highlight is the message's
// text HTML-escaped with <mark>…</mark> around the matches: it is split on those two tags
// only, the escapes are undone, and every piece goes in as text, so nothing in a message can
// become markup (and no HTML parser ever sees it).

import { api, ApiError, el } from "../../api.js";

const OPEN = "<mark>";
const CLOSE = "</mark>";
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

function unescape(text) {
  return text.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (entity) => ENTITIES[entity]);
}

export function highlighted(text) {
  const nodes = [];
  let rest = String(text || "");
  while (rest) {
    const start = rest.indexOf(OPEN);
    if (start < 0) break;
    const end = rest.indexOf(CLOSE, start + OPEN.length);
    if (end < 0) break;
    if (start) nodes.push(document.createTextNode(unescape(rest.slice(0, start))));
    nodes.push(el("mark", { text: unescape(rest.slice(start + OPEN.length, end)) }));
    rest = rest.slice(end + CLOSE.length);
  }
  if (rest) nodes.push(document.createTextNode(unescape(rest)));
  return nodes;
}

// whenReady(): resolves once the conversation list is loaded (results name conversations).
export function createSearch(list, whenReady) {
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-q");
  const box = document.getElementById("search-results");
  const results = document.getElementById("search-list");
  const summary = document.getElementById("search-summary");
  const more = document.getElementById("search-more");
  const conversationList = document.getElementById("conversation-list");
  let next = null;
  let query = "";
  let found = 0;
  const others = new Map(); // conversations of results that are not in the loaded list

  // Results may come from conversations beyond the list's first page: fetch those once.
  async function know(ids) {
    await whenReady();
    const missing = [...new Set(ids)].filter((id) => !list.conversations.has(id) && !others.has(id));
    await Promise.all(
      missing.map((id) =>
        api("GET", `/api/conversations/${id}`).then(
          (c) => others.set(id, c),
          () => others.set(id, null),
        ),
      ),
    );
  }

  function close() {
    box.hidden = true;
    conversationList.hidden = false;
    results.replaceChildren();
    input.removeAttribute("aria-invalid");
    form.querySelector(".field-error")?.remove();
  }

  function complain(message) {
    form.querySelector(".field-error")?.remove();
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "search-error");
    form.append(el("p", { class: "field-error", id: "search-error", text: message }));
    input.focus();
  }

  function resultNode(item) {
    const m = item.message;
    const conversation = list.conversations.get(item.conversation_id) || others.get(item.conversation_id);
    const where = conversation ? list.titleOf(conversation) : "A conversation";
    const who = m.sender_id === list.me ? "You" : list.nameOf(conversation, m.sender_id);
    const when = new Date(m.sent_at).toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" });
    return el(
      "li",
      {},
      el(
        "a",
        { href: `/messages/${item.conversation_id}?m=${m.seq}`, class: "search-result" },
        el("span", { class: "result-where" }, el("strong", { text: where }), el("span", { class: "muted", text: ` · ${who} · ${when}` })),
        el("span", { class: "result-text" }, ...(item.highlight ? highlighted(item.highlight) : [m.content || ""])),
      ),
    );
  }

  async function run(cursor) {
    const params = new URLSearchParams({ q: query, limit: "20" });
    if (cursor) params.set("cursor", cursor);
    more.disabled = true;
    try {
      const page = await api("GET", `/api/messages/search?${params}`);
      await know(page.items.map((item) => item.conversation_id));
      if (!cursor) {
        results.replaceChildren();
        found = 0;
      }
      results.append(...page.items.map(resultNode));
      found += page.items.length;
      next = page.next ?? null;
      more.hidden = next === null;
      summary.textContent = found ? `${found}${next ? "+" : ""} message${found === 1 ? "" : "s"} with “${query}”` : `No messages with “${query}”.`;
      box.hidden = false;
      conversationList.hidden = true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const field = (error.problem.errors || []).find((e) => String(e.field || "").endsWith("q"));
      complain(error.status === 404 ? "Search is not available yet." : field ? field.message : error.message);
    } finally {
      more.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    form.querySelector(".field-error")?.remove();
    input.removeAttribute("aria-invalid");
    query = input.value.trim();
    if (!query) {
      close();
      return;
    }
    run(null);
  });
  input.addEventListener("search", () => {
    if (!input.value.trim()) close();
  });
  more.addEventListener("click", () => next && run(next));
  document.getElementById("search-clear").addEventListener("click", () => {
    input.value = "";
    close();
    input.focus();
  });
}
