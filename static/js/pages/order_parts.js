// What the order page and the order dashboards draw alike: status badges, prices, dates,
// a textarea with its label and error slot, and the one way an order move is sent.

import { api, ApiError, el } from "../api.js";

export const STATUS_LABELS = {
  requested: "Requested",
  in_progress: "In progress",
  delivered: "Delivered",
  in_revision: "In revision",
  completed: "Completed",
  declined: "Declined",
  cancelled: "Cancelled",
};

export const CLOSED = new Set(["completed", "declined", "cancelled"]);

export function statusBadge(status) {
  return el("span", { class: `status status-${status}`, dataset: { status }, text: STATUS_LABELS[status] || status });
}

// Minor units as the gig page shows them: 2500 EUR → "25.00 EUR".
export function money(amount, currency) {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

export function tierName(tier) {
  return tier ? tier.charAt(0).toUpperCase() + tier.slice(1) : "";
}

export function personName(person, fallback) {
  return (person && person.name) || fallback;
}

// A date the reader plans by (due, completes automatically): their own local date and time.
export function when(value, { seconds = false } = {}) {
  const date = new Date(value);
  const options = { dateStyle: "medium", timeStyle: seconds ? "medium" : "short" };
  return el("time", { datetime: value, title: date.toString(), text: date.toLocaleString(undefined, options) });
}

export function ago(value) {
  return el("time", { datetime: value, "data-relative": true, text: new Date(value).toLocaleString() });
}

let fieldIds = 0;

// A labelled textarea, named as the API's body field (so a problem's "body.reason" finds it).
export function textField(name, label, { rows = 4, required = true, help = null, maxlength = 5000 } = {}) {
  const id = `order-field-${++fieldIds}`;
  return el(
    "div",
    { class: "field" },
    el("label", { for: id }, label, required ? el("span", { "aria-hidden": "true", text: " *" }) : null),
    el("textarea", { id, name, rows: String(rows), maxlength: String(maxlength), required }),
    help ? el("small", { class: "help", text: help }) : null,
  );
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  form.querySelectorAll("[aria-invalid]").forEach((n) => {
    n.removeAttribute("aria-invalid");
    n.removeAttribute("aria-describedby");
  });
  const general = form.querySelector(".form-error");
  if (general) {
    general.hidden = true;
    general.textContent = "";
  }
}

// POST /api/orders/{id}/{action}: the order as it is after the move.
export function move(orderId, action, body = {}) {
  return api("POST", `/api/orders/${orderId}/${action}`, body);
}

// Every order.* notification names its order and both parties (server/orders/events.py).
export function isOrderNotice(notification) {
  return Boolean(notification && String(notification.type || "").startsWith("order.") && notification.payload);
}

// A required text left blank is flagged beside itself before anything is sent (as the API
// would refuse it, in plainer words); null when every required text is filled in.
export function blankRequired(form) {
  const errors = [...form.querySelectorAll("textarea[required]")]
    .filter((area) => !area.value.trim())
    .map((area) => ({ field: `body.${area.name}`, message: "Write something here first." }));
  return errors.length ? new ApiError(422, { detail: "Some fields need your attention.", errors }) : null;
}
