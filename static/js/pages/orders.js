// The order dashboards: /me/orders?role=seller (a freelancer's "Orders": accept or decline
// new requests, what is due when, what waits for the buyer, what is closed) and
// /me/orders?role=buyer ("My orders"). Drawn from GET /api/me/orders; drawn again when an
// order.* notification for this side arrives (a new order appears live on the seller's).

import { api, ApiError, el, toast } from "../api.js";
import { showProblem } from "../forms.js";
import { renderTimes } from "../time.js";
import { ago, blankRequired, clearErrors, isOrderNotice, money, move, personName, statusBadge, textField, tierName, when } from "./order_parts.js";

const board = document.getElementById("order-board");
const role = board.dataset.role;
const me = document.body.dataset.userId;
const PAGE = 50;
const ACTIVE_PAGES = 5; // 250 open orders at once: more than anyone has
const CLOSED_PAGE = 20;

const SECTIONS = {
  seller: [
    { id: "requested", title: "New requests", statuses: ["requested"], empty: "No new requests." },
    { id: "active", title: "In progress", statuses: ["in_progress", "in_revision"], empty: "Nothing to deliver right now." },
    { id: "delivered", title: "Delivered", statuses: ["delivered"], empty: "No delivery is waiting for a buyer's answer." },
    { id: "closed", title: "Closed", statuses: ["completed", "declined", "cancelled"], empty: "No closed orders yet." },
  ],
  // A buyer's answers first: a delivery left unanswered completes by itself.
  buyer: [
    { id: "delivered", title: "Delivered: your answer", statuses: ["delivered"], empty: "No delivery is waiting for you." },
    { id: "requested", title: "Waiting for the freelancer", statuses: ["requested"], empty: "No order is waiting to be accepted." },
    { id: "active", title: "In progress", statuses: ["in_progress", "in_revision"], empty: "No order is in progress." },
    { id: "closed", title: "Closed", statuses: ["completed", "declined", "cancelled"], empty: "No closed orders yet." },
  ],
}[role];

let known = null; // ids of the orders drawn so far (null before the first drawing)
let closedNext = null;
let closedItems = [];

function dueLine(order) {
  if (order.status === "delivered" && order.auto_complete_at) {
    return el("span", { class: "small" }, "Completes automatically ", when(order.auto_complete_at));
  }
  if ((order.status === "in_progress" || order.status === "in_revision") && order.due_at) {
    const late = Date.parse(order.due_at) < Date.now();
    return el("span", { class: late ? "small danger-text" : "small" }, late ? "Overdue since " : "Due ", when(order.due_at));
  }
  if (order.status === "requested") return el("span", { class: "small muted" }, "Ordered ", ago(order.created_at));
  const at = order.completed_at || order.closed_at || order.status_changed_at;
  return at ? el("span", { class: "small muted" }, `${order.auto_completed ? "Completed automatically" : "Closed"} `, ago(at)) : null;
}

function declineForm(order) {
  const form = el(
    "form",
    { class: "stack", novalidate: true, "aria-label": `Decline the order for ${order.gig_title}` },
    el("div", { class: "form-error", role: "alert", hidden: true }),
    textField("reason", "Reason for declining", { rows: 2, maxlength: 1000 }),
    el("div", { class: "button-row" }, el("button", { type: "submit", class: "danger small", text: "Decline order" })),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const area = form.querySelector("textarea");
    const blank = blankRequired(form);
    if (blank) {
      showProblem(form, blank, new Map([["reason", area]]));
      return;
    }
    try {
      await move(order.id, "decline", { reason: area.value });
      toast("Order declined.", "success");
      load();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409) {
        toast(error.message, "error");
        load();
        return;
      }
      showProblem(form, error, new Map([["reason", area]]));
    }
  });
  return form;
}

function rowActions(order) {
  const actions = new Set((order.actions || []).map((a) => String(a).replaceAll("-", "_")));
  const parts = [];
  if (actions.has("accept")) {
    const accept = el("button", { type: "button", class: "small", text: "Accept" , "aria-label": `Accept the order for ${order.gig_title}` });
    accept.addEventListener("click", async () => {
      accept.disabled = true;
      try {
        await move(order.id, "accept");
        toast("Order accepted.", "success");
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        toast(error.message, "error");
      }
      load();
    });
    parts.push(accept);
  }
  const next = actions.has("deliver") ? "Deliver" : actions.has("complete") ? "Review the delivery" : "Open";
  parts.push(el("a", { class: parts.length ? "button secondary small" : "button small", href: `/orders/${order.id}`, text: next, "aria-label": `${next}: ${order.gig_title}` }));
  if (actions.has("decline")) {
    parts.push(el("details", { class: "order-decline" }, el("summary", { text: "Decline…" }), declineForm(order)));
  }
  return el("div", { class: "order-row-actions" }, ...parts);
}

function row(order, fresh) {
  const other = role === "seller" ? order.buyer : order.seller;
  return el(
    "li",
    { class: "list-item order-row", dataset: { orderId: order.id, status: order.status } },
    el(
      "div",
      { class: "media-body" },
      el("span", {}, el("a", { class: "card-title", href: `/orders/${order.id}`, text: order.gig_title }), fresh ? el("span", { class: "new-badge", text: " New" }) : null),
      el(
        "span",
        { class: "small muted" },
        `${tierName(order.tier)} · ${money(order.price, order.currency)} · ${role === "seller" ? "from" : "by"} ${personName(other, role === "seller" ? "a buyer" : "a freelancer")}`,
      ),
      dueLine(order),
    ),
    statusBadge(order.status),
    rowActions(order),
  );
}

function section(spec, items, fresh) {
  const list = items.length
    ? el("ul", { class: "list card", role: "list" }, ...items.map((o) => row(o, fresh.has(o.id))))
    : el("p", { class: "muted", text: spec.empty });
  const more =
    spec.id === "closed" && closedNext
      ? el("button", { type: "button", class: "secondary small", id: "closed-more", text: "Show more" })
      : null;
  more?.addEventListener("click", () => loadMoreClosed(more));
  return el(
    "section",
    { id: `orders-${spec.id}`, "aria-labelledby": `orders-${spec.id}-title`, dataset: { section: spec.id } },
    el("h2", { class: "h3", id: `orders-${spec.id}-title` }, spec.title, " ", el("span", { class: "muted small", text: `(${items.length}${spec.id === "closed" && closedNext ? "+" : ""})` })),
    list,
    more,
  );
}

function draw(active) {
  const all = [...active, ...closedItems];
  const fresh = new Set(known ? all.filter((o) => !known.has(o.id)).map((o) => o.id) : []);
  known = new Set([...(known || []), ...all.map((o) => o.id)]);
  const open = new Set([...board.querySelectorAll("details[open]")].map((d) => d.closest("[data-order-id]")?.dataset.orderId));
  board.replaceChildren(
    ...SECTIONS.map((spec) => section(spec, (spec.id === "closed" ? closedItems : active).filter((o) => spec.statuses.includes(o.status)), fresh)),
  );
  // A decline form being filled in stays open across a redraw.
  for (const id of open) board.querySelector(`[data-order-id="${CSS.escape(id || "")}"] details`)?.setAttribute("open", "");
  renderTimes(board);
  board.setAttribute("aria-busy", "false");
}

async function fetchPage(status, limit, cursor) {
  const query = new URLSearchParams({ role, status, limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  return api("GET", `/api/me/orders?${query}`);
}

let asked = 0;
let lastActive = [];

async function load() {
  const mine = ++asked;
  try {
    const active = [];
    let cursor = null;
    for (let i = 0; i < ACTIVE_PAGES; i++) {
      const page = await fetchPage("active", PAGE, cursor);
      active.push(...page.items);
      cursor = page.next;
      if (!cursor) break;
    }
    const closed = await fetchPage("closed", CLOSED_PAGE, null);
    if (mine !== asked) return;
    lastActive = active;
    closedItems = closed.items;
    closedNext = closed.next;
    draw(active);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(`Could not load your orders: ${error.message}`, "error");
  }
}

async function loadMoreClosed(button) {
  button.disabled = true;
  try {
    const page = await fetchPage("closed", CLOSED_PAGE, closedNext);
    closedItems = [...closedItems, ...page.items];
    closedNext = page.next;
    draw(lastActive);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(error.message, "error");
    button.disabled = false;
  }
}

// Many notifications at once (a catch-up after reconnecting) make one fetch, not many.
let pending = null;
document.addEventListener("rizeos:notification", (event) => {
  const n = event.detail;
  if (!isOrderNotice(n) || n.payload[`${role}_id`] !== me) return;
  clearTimeout(pending);
  pending = setTimeout(load, 100);
});

load();
