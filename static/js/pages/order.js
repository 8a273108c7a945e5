// One order (/orders/{id}), for its buyer or its seller: what was ordered, the payment note,
// requirements, deliveries, the timeline, and the moves the API says the viewer may make now
// (`actions`) as forms. Drawn from GET /api/orders/{id}; drawn again from the answer of each
// move, and fetched again when an order.* notification about it arrives (the other side
// moved, or the platform completed it). After completion: the buyer's review, the seller's
// reply (part C's /api/orders/{id}/review routes).

import { api, ApiError, el, fileHref, toast } from "../api.js";
import { showProblem } from "../forms.js";
import { renderTimes } from "../time.js";
import {
  ago,
  blankRequired,
  clearErrors,
  isOrderNotice,
  money,
  move,
  personName,
  statusBadge,
  textField,
  tierName,
  when,
} from "./order_parts.js";

const root = document.getElementById("order");
const orderId = root.dataset.orderId;
const me = document.body.dataset.userId;
let shown = null; // the order on the page
let review = undefined; // the order's review once asked (null: none yet)

// ---- what each move looks like ------------------------------------------------------------

const VERBS = {
  create: "placed the order",
  created: "placed the order",
  accept: "accepted the order",
  decline: "declined the order",
  deliver: "delivered",
  request_revision: "asked for a revision",
  complete: "accepted the delivery",
  auto_complete: "Completed automatically: no answer to the delivery in time",
  cancel: "cancelled the order",
};

function actorName(order, actorId) {
  if (!actorId) return null;
  if (actorId === order.buyer.id) return actorId === me ? "You" : personName(order.buyer, "The buyer");
  if (actorId === order.seller.id) return actorId === me ? "You" : personName(order.seller, "The freelancer");
  return "Someone";
}

// What the server names a deleted account (docs/privacy.md, "Deleting your account").
const DELETED_USER = "Deleted user";

const normal = (action) => String(action).replaceAll("-", "_");

// ---- the parts of the page --------------------------------------------------------------

function fileList(files) {
  if (!files || !files.length) return null;
  return el(
    "ul",
    { class: "order-files", role: "list" },
    ...files.map((f) =>
      el(
        "li",
        {},
        el("a", { href: fileHref(f.url), target: "_blank", rel: "noopener", text: f.filename || "File" }),
        f.size ? el("span", { class: "small muted", text: ` · ${Math.max(1, Math.round(f.size / 1024))} KB` }) : null,
      ),
    ),
  );
}

function head(order, role) {
  const other = role === "buyer" ? order.seller : order.buyer;
  const otherLabel = role === "buyer" ? "Freelancer" : "Buyer";
  return el(
    "div",
    { class: "page-head" },
    el(
      "div",
      { class: "page-head-text" },
      el("p", { class: "eyebrow", text: role === "seller" ? "Order from a buyer" : "Your order" }),
      el("h1", { id: "order-title", text: order.gig_title }),
      el(
        "p",
        { class: "lead order-status-line" },
        statusBadge(order.status),
        " ",
        el("span", { text: `${tierName(order.tier)} package · ${otherLabel}: ` }),
        // A deleted account has no people page: its name is plain text.
        other.name === DELETED_USER
          ? el("span", { text: other.name })
          : el("a", { href: `/people/${other.id}`, text: personName(other, otherLabel) }),
        order.gig_id ? el("span", { "aria-hidden": "true", text: "·" }) : null,
        order.gig_id ? el("a", { href: `/gigs/${order.gig_id}`, text: "View the gig" }) : null,
      ),
    ),
  );
}

function fact(term, ...value) {
  return [el("dt", { text: term }), el("dd", {}, ...value)];
}

function summary(order, role) {
  const facts = [
    ...fact("Status", statusBadge(order.status)),
    ...fact("Package", `${tierName(order.tier)}`),
    ...fact("Price", el("span", { class: "price", text: money(order.price, order.currency) })),
    ...fact("Delivery", `${order.delivery_days} day${order.delivery_days === 1 ? "" : "s"}`),
    ...fact("Revisions", `${order.revisions_used} of ${order.revisions_allowed} used`),
    ...fact("Ordered", ago(order.created_at)),
  ];
  if (order.due_at && !["completed", "declined", "cancelled", "delivered"].includes(order.status)) {
    facts.push(...fact("Due", when(order.due_at)));
  }
  if (order.auto_complete_at) {
    // Within the hour (a short setting), to the second.
    const soon = Date.parse(order.auto_complete_at) - Date.now() < 60 * 60 * 1000;
    facts.push(...fact("Completes automatically", when(order.auto_complete_at, { seconds: soon })));
  }
  if (order.completed_at) facts.push(...fact("Completed", ago(order.completed_at), order.auto_completed ? " (automatically)" : ""));
  if (order.closed_at && order.status !== "completed") facts.push(...fact(order.status === "declined" ? "Declined" : "Cancelled", ago(order.closed_at)));
  const payee = role === "buyer" ? "the freelancer" : "the buyer";
  return el(
    "section",
    { class: "panel stack", id: "order-summary", "aria-labelledby": "summary-title" },
    el("h2", { id: "summary-title", text: "Summary" }),
    el("dl", { class: "order-facts" }, ...facts),
    el(
      "p",
      { class: "banner info payment-note", id: "payment-note" },
      el("strong", { text: "No payment is taken on RizeOS: " }),
      `arrange payment with ${payee} directly.`,
    ),
    order.conversation_id
      ? el("a", { class: "button secondary", id: "order-chat", href: `/messages/${order.conversation_id}`, text: "Open the order's conversation" })
      : null,
  );
}

function requirements(order) {
  return el(
    "section",
    { class: "panel stack", id: "order-requirements", "aria-labelledby": "requirements-title" },
    el("h2", { id: "requirements-title", text: "Requirements" }),
    order.tier_description ? el("p", { class: "small muted", text: `The ${tierName(order.tier)} package: ${order.tier_description}` }) : null,
    el("div", { class: "prose", text: order.requirements }),
    order.attachments.length ? el("h3", { class: "h4", text: "Attachments" }) : null,
    fileList(order.attachments),
  );
}

function deliveries(order) {
  if (!order.deliveries || !order.deliveries.length) return null;
  return el(
    "section",
    { class: "panel stack", id: "order-deliveries", "aria-labelledby": "deliveries-title" },
    el("h2", { id: "deliveries-title", text: "Deliveries" }),
    el(
      "ol",
      { class: "plain order-deliveries", role: "list" },
      ...order.deliveries.map((d) =>
        el(
          "li",
          { class: "stack tight", dataset: { delivery: d.number } },
          el("h3", { class: "h4" }, `Delivery ${d.number} `, el("span", { class: "small muted" }, ago(d.created_at))),
          el("div", { class: "prose", text: d.message }),
          fileList(d.files),
          d.revision_request
            ? el(
                "div",
                { class: "revision-request" },
                el("p", { class: "small" }, el("strong", { text: "Revision requested " }), ago(d.revision_requested_at)),
                el("div", { class: "prose", text: d.revision_request }),
              )
            : null,
        ),
      ),
    ),
  );
}

function timeline(order) {
  return el(
    "section",
    { class: "panel stack", id: "order-timeline", "aria-labelledby": "timeline-title" },
    el("h2", { id: "timeline-title", text: "Timeline" }),
    el(
      "ol",
      { class: "plain timeline", role: "list" },
      ...order.events.map((e) => {
        const who = actorName(order, e.actor_id);
        const verb = VERBS[normal(e.action)] || normal(e.action).replaceAll("_", " ");
        return el(
          "li",
          { dataset: { action: normal(e.action) } },
          el("span", { class: "small muted" }, ago(e.created_at)),
          " ",
          el("span", { text: who ? `${who} ${verb}` : verb }),
          e.to_status ? el("span", { text: " → " }) : null,
          e.to_status ? statusBadge(e.to_status) : null,
          e.note ? el("p", { class: "small prose timeline-note", text: e.note }) : null,
        );
      }),
    ),
  );
}

// ---- the moves ------------------------------------------------------------------------

function actionForm(action, { title, button, danger = false, secondary = false, fields = [], help = null, body }) {
  const form = el(
    "form",
    { class: "stack order-action", dataset: { action }, novalidate: true, "aria-label": title },
    el("div", { class: "form-error", role: "alert", hidden: true }),
    help ? el("p", { class: "small muted", text: help }) : null,
    ...fields,
    el("div", { class: "button-row" }, el("button", { type: "submit", class: danger ? "danger" : secondary ? "secondary" : "", text: button })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, action, body(form));
  });
  return form;
}

function fileUpload() {
  const id = "deliver-files";
  return el(
    "div",
    { class: "field order-upload" },
    el("label", { for: id, text: "Files (documents, images, videos; up to 10)" }),
    el("input", { id, type: "file", multiple: true, dataset: { upload: "order_file", uploadList: "files" } }),
    el("span", { class: "small muted", dataset: { uploadStatus: "" } }),
    el(
      "div",
      { dataset: { list: "files" } },
      el("ul", { class: "order-files", role: "list", dataset: { items: "" } }),
      templateOf(
        el(
          "li",
          { dataset: { item: "" } },
          el("span", { dataset: { preview: "" } }),
          el("input", { type: "hidden", name: "url" }),
          " ",
          el("button", { type: "button", class: "link small", dataset: { remove: "" }, text: "Remove" }),
        ),
      ),
    ),
  );
}

function templateOf(node) {
  const template = document.createElement("template");
  template.content.append(node);
  return template;
}

const valueOf = (form, name) => form.querySelector(`[name="${name}"]`)?.value ?? "";
const files = (form) => [...form.querySelectorAll("[data-list=files] [data-items] input[name=url]")].map((i) => i.value).filter(Boolean);

const WAITING = {
  buyer: {
    requested: "Waiting for the freelancer to accept your order.",
    in_progress: "The freelancer is working on it.",
    in_revision: "The freelancer is working on your revision.",
  },
  seller: {
    delivered: "Waiting for the buyer to accept the delivery or ask for a revision.",
  },
};

function actionsPanel(order, role) {
  const actions = new Set((order.actions || []).map(normal));
  const waiting = WAITING[role][order.status];
  if (!actions.size && !waiting) return null;
  const left = order.revisions_allowed - order.revisions_used;
  const parts = [];
  if (actions.has("accept")) {
    parts.push(
      actionForm("accept", {
        title: "Accept the order",
        button: "Accept order",
        help: `The due date is set ${order.delivery_days} day${order.delivery_days === 1 ? "" : "s"} from now.`,
        body: () => ({}),
      }),
    );
  }
  if (actions.has("deliver")) {
    parts.push(
      el("h3", { class: "h4", text: order.status === "in_revision" ? "Deliver the revision" : "Deliver your work" }),
      actionForm("deliver", {
        title: "Deliver",
        button: "Deliver",
        fields: [textField("message", "Message to the buyer"), fileUpload()],
        body: (form) => ({ message: valueOf(form, "message"), files: files(form) }),
      }),
    );
  }
  if (actions.has("complete")) {
    parts.push(
      actionForm("complete", {
        title: "Accept the delivery",
        button: "Accept delivery",
        help: "Accepting completes the order.",
        body: () => ({}),
      }),
    );
  }
  if (actions.has("request_revision")) {
    parts.push(
      el("h3", { class: "h4", text: "Ask for a revision" }),
      actionForm("request-revision", {
        title: "Ask for a revision",
        button: "Ask for a revision",
        secondary: true, // one primary move: accepting the delivery
        help: `${left} of ${order.revisions_allowed} revision${order.revisions_allowed === 1 ? "" : "s"} left.`,
        fields: [textField("message", "What should change?")],
        body: (form) => ({ message: valueOf(form, "message") }),
      }),
    );
  } else if (role === "buyer" && order.status === "delivered" && left <= 0) {
    parts.push(el("p", { class: "small muted", id: "no-revisions-left", text: "No revisions left on this package." }));
  }
  for (const [action, label, button] of [
    ["decline", "Reason for declining", "Decline order"],
    ["cancel", "Reason for cancelling", "Cancel order"],
  ]) {
    if (!actions.has(action)) continue;
    parts.push(
      el(
        "details",
        { class: "order-more", dataset: { for: action } },
        el("summary", { text: action === "decline" ? "Decline…" : "Cancel the order…" }),
        actionForm(action, {
          title: button,
          button,
          danger: true,
          fields: [textField("reason", label, { rows: 3, maxlength: 1000 })],
          body: (form) => ({ reason: valueOf(form, "reason") }),
        }),
      ),
    );
  }
  return el(
    "section",
    { class: "panel stack order-actions", id: "order-actions", "aria-labelledby": "actions-title" },
    el("h2", { id: "actions-title", text: waiting ? "Next step" : "Your next step" }),
    waiting ? el("p", { class: "muted", id: "order-waiting", text: waiting }) : null,
    ...parts,
  );
}

const DONE = {
  accept: "Order accepted.",
  decline: "Order declined.",
  deliver: "Delivered.",
  "request-revision": "Revision requested.",
  complete: "Delivery accepted: the order is complete.",
  cancel: "Order cancelled.",
};

function textPaths(form) {
  const paths = new Map();
  for (const input of form.querySelectorAll("textarea[name], input[name]:not([type=hidden])")) paths.set(input.name, input);
  return paths;
}

async function send(form, action, body) {
  clearErrors(form);
  const blank = blankRequired(form);
  if (blank) {
    showProblem(form, blank, textPaths(form));
    return;
  }
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const order = await move(orderId, action, body);
    toast(DONE[action] || "Done.", "success");
    show(order, { force: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 409 || error.status === 404) {
      // The order moved on meanwhile (the other side, or the platform): say why, show it as it is.
      toast(error.message, "error");
      await refresh();
      return;
    }
    const paths = textPaths(form);
    const list = form.querySelector("[data-list=files]");
    if (list) paths.set("files", form.querySelector("#deliver-files"));
    showProblem(form, error, paths);
  } finally {
    button.disabled = false;
  }
}

// ---- the review (after completion) ----------------------------------------------------

function stars(rating) {
  return el("span", { class: "order-stars", role: "img", "aria-label": `${rating} out of 5 stars` }, "★".repeat(rating) + "☆".repeat(5 - rating));
}

function starPicker() {
  const fieldset = el(
    "fieldset",
    { class: "field star-picker", id: "review-rating" },
    el("legend", { text: "Rating" }),
    el(
      "div",
      { class: "star-row" },
      ...[1, 2, 3, 4, 5].map((n) =>
        el(
          "label",
          { class: "star-choice" },
          el("input", { type: "radio", name: "rating", value: String(n) }),
          el("span", { class: "visually-hidden", text: `${n} star${n === 1 ? "" : "s"}` }),
        ),
      ),
    ),
  );
  fieldset.addEventListener("change", () => {
    const chosen = Number(fieldset.querySelector("input:checked")?.value || 0);
    fieldset.querySelectorAll(".star-choice").forEach((label, i) => label.classList.toggle("on", i < chosen));
  });
  return fieldset;
}

// The buyer's review: written once (POST), changed while editable_until lasts (PATCH).
function reviewForm(existing = null) {
  const picker = starPicker();
  const text = textField("text", existing ? "Your review (edit)" : "Your review", { required: false, help: "What was it like to work with this freelancer?" });
  const form = el(
    "form",
    { class: "stack", id: existing ? "review-edit-form" : "review-form", novalidate: true, "aria-label": existing ? "Edit your review" : "Review this order" },
    el("div", { class: "form-error", role: "alert", hidden: true }),
    picker,
    text,
    el("div", { class: "button-row" }, el("button", { type: "submit", text: existing ? "Save review" : "Post review" })),
  );
  if (existing) {
    picker.querySelector(`input[value="${existing.rating}"]`).checked = true;
    picker.dispatchEvent(new Event("change"));
    text.querySelector("textarea").value = existing.text || "";
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=rating]:checked");
    const body = { rating: chosen ? Number(chosen.value) : null, text: valueOf(form, "text") };
    await sendReview(form, existing ? "PATCH" : "POST", `/api/orders/${orderId}/review`, body, { rating: picker });
  });
  return form;
}

function replyForm() {
  const form = el(
    "form",
    { class: "stack", id: "reply-form", novalidate: true, "aria-label": "Reply to the review" },
    el("div", { class: "form-error", role: "alert", hidden: true }),
    textField("text", "Your reply", { rows: 3 }),
    el("div", { class: "button-row" }, el("button", { type: "submit", text: "Post reply" })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReview(form, "POST", `/api/orders/${orderId}/review/reply`, { text: valueOf(form, "text") });
  });
  return form;
}

async function sendReview(form, method, path, body, extraPaths = {}) {
  clearErrors(form);
  const blank = blankRequired(form);
  if (blank) {
    showProblem(form, blank, textPaths(form));
    return;
  }
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    review = await api(method, path, body);
    toast(path.endsWith("/reply") ? "Reply posted." : method === "PATCH" ? "Review saved." : "Review posted.", "success");
    drawReview();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const paths = new Map(Object.entries(extraPaths));
    for (const input of form.querySelectorAll("textarea[name]")) paths.set(input.name, input);
    showProblem(form, error, paths);
  } finally {
    button.disabled = false;
  }
}

function reviewSection(order) {
  const role = order.buyer.id === me ? "buyer" : "seller";
  const parts = [];
  if (review) {
    parts.push(
      el(
        "figure",
        { class: "review", id: "order-review" },
        el("p", {}, stars(review.rating), " ", el("span", { class: "small muted" }, `${personName(review.buyer, "The buyer")} · `, ago(review.created_at))),
        review.text ? el("blockquote", { class: "prose", text: review.text }) : null,
        review.reply
          ? el(
              "div",
              { class: "review-reply" },
              el("p", { class: "small" }, el("strong", { text: `Reply from ${personName(order.seller, "the freelancer")} ` }), ago(review.replied_at)),
              el("p", { class: "prose", text: review.reply }),
            )
          : null,
      ),
    );
    if (role === "seller" && !review.reply) parts.push(replyForm());
    if (role === "buyer" && review.editable_until && Date.parse(review.editable_until) > Date.now()) {
      parts.push(
        el(
          "details",
          { class: "order-more" },
          el("summary", {}, "Edit your review (until ", when(review.editable_until), ")"),
          reviewForm(review),
        ),
      );
    }
  } else if (role === "buyer") {
    parts.push(el("p", { class: "muted", text: "How did it go? Your review helps other buyers." }), reviewForm());
  } else {
    parts.push(el("p", { class: "muted", text: "The buyer has not reviewed this order yet." }));
  }
  return el(
    "section",
    { class: "panel stack", id: "order-review-section", "aria-labelledby": "review-title" },
    el("h2", { id: "review-title", text: "Review" }),
    ...parts,
  );
}

function drawReview() {
  const old = document.getElementById("order-review-section");
  if (!old || review === undefined) return;
  const fresh = reviewSection(shown);
  old.replaceWith(fresh);
  renderTimes(fresh);
}

async function loadReview() {
  try {
    review = await api("GET", `/api/orders/${orderId}/review`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 404) {
      toast(`Could not load the review: ${error.message}`, "error");
      return;
    }
    review = null;
  }
  drawReview();
}

// ---- drawing, and keeping it current -------------------------------------------------

// What the viewer is writing in a form that survives a redraw (the same move still offered).
function drafts() {
  const kept = new Map();
  for (const form of root.querySelectorAll("form[data-action]")) {
    const texts = [...form.querySelectorAll("textarea")].map((t) => [t.name, t.value]);
    const items = form.querySelector("[data-list=files] [data-items]");
    kept.set(form.dataset.action, { texts, items: items ? [...items.children] : [] });
  }
  return kept;
}

function restore(kept) {
  for (const form of root.querySelectorAll("form[data-action]")) {
    const draft = kept.get(form.dataset.action);
    if (!draft) continue;
    for (const [name, value] of draft.texts) {
      const area = form.querySelector(`textarea[name="${name}"]`);
      if (area) area.value = value;
    }
    form.querySelector("[data-list=files] [data-items]")?.append(...draft.items);
  }
}

function show(order, { force = false } = {}) {
  if (!force && shown && shown.version === order.version && shown.status === order.status) return;
  const kept = force ? new Map() : drafts();
  const role = order.buyer.id === me ? "buyer" : "seller";
  shown = order;
  root.dataset.status = order.status;
  root.dataset.version = String(order.version);
  const completed = order.status === "completed";
  root.replaceChildren(
    head(order, role),
    el(
      "div",
      { class: "split order-split" },
      el(
        "div",
        { class: "stack" },
        actionsPanel(order, role),
        completed ? reviewSection(order) : null,
        requirements(order),
        deliveries(order),
        timeline(order),
      ),
      el("aside", { class: "stack" }, summary(order, role)),
    ),
  );
  restore(kept);
  renderTimes(root);
  root.setAttribute("aria-busy", "false");
  if (completed) {
    if (review === undefined) loadReview();
    else drawReview();
  }
}

let asked = 0;

async function refresh() {
  const mine = ++asked;
  let order;
  try {
    order = await api("GET", `/api/orders/${orderId}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(`Could not load the order: ${error.message}`, "error");
    return;
  }
  if (mine !== asked) return; // a newer answer is on its way
  show(order);
}

document.addEventListener("rizeos:notification", (event) => {
  const n = event.detail;
  if (!isOrderNotice(n) || n.payload.order_id !== orderId) return;
  if (n.type === "order.reviewed" || n.type === "order.review_replied") {
    if (shown && shown.status === "completed") loadReview();
    return;
  }
  refresh();
});

refresh();
