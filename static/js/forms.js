// Declarative forms and buttons: <form data-api="/api/..." data-method="POST"> is sent as
// JSON through api(); the answer's problem details are shown next to the fields they name.
//
// Field names are paths ("pricing_tiers.basic.price"); data-type on an input converts it:
// list (comma-separated), multi (checked checkboxes), int, money (decimal → minor units),
// bool (checkbox). A blank input is left out, or sent as null with data-empty="null".
// <fieldset data-list="experience"> holds repeated [data-item] groups sent as an array.
// After success: data-redirect (with {field} from the answer), data-reload or data-done.

import { api, ApiError, toast } from "./api.js";

function convert(input) {
  const type = input.dataset.type;
  if (type === "bool") return input.checked;
  const raw = input.value.trim();
  if (type === "list") return raw ? raw.split(",").map((s) => s.trim()).filter(Boolean) : [];
  if (raw === "") return input.dataset.empty === "null" ? null : undefined;
  if (type === "int") return Number.isInteger(Number(raw)) ? Number(raw) : raw;
  if (type === "money") {
    const n = Number(raw);
    return Number.isFinite(n) ? Math.round(n * 100) : raw;
  }
  return raw;
}

function assign(target, path, value) {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = node[part] ?? {};
    node = node[part];
  }
  node[parts[parts.length - 1]] = value;
}

function prune(value) {
  // An optional group left entirely blank (a pricing tier, say) is not sent at all.
  if (Array.isArray(value) || value === null || typeof value !== "object") return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    const kept = prune(item);
    if (kept === undefined) continue;
    if (kept && typeof kept === "object" && !Array.isArray(kept) && !Object.keys(kept).length) continue;
    out[key] = kept;
  }
  return out;
}

function readControls(root, skip) {
  const body = {};
  const paths = new Map();
  for (const input of root.querySelectorAll("input[name], select[name], textarea[name]")) {
    if (skip(input) || input.type === "file") continue;
    const name = input.name;
    if (input.dataset.type === "multi") {
      const list = body[name] ?? [];
      if (input.checked) list.push(input.value);
      body[name] = list;
      paths.set(name, input.closest("[data-field]") || input);
      continue;
    }
    if (input.type === "checkbox" && input.dataset.type !== "bool") continue;
    const value = convert(input);
    if (value !== undefined) assign(body, name, value);
    paths.set(name, input);
  }
  return { body, paths };
}

export function serialize(form) {
  const inList = (input) => input.closest("[data-list]") !== null;
  const { body, paths } = readControls(form, inList);
  for (const list of form.querySelectorAll("[data-list]")) {
    const items = [];
    list.querySelectorAll("[data-items] > [data-item]").forEach((item) => {
      const read = readControls(item, () => false);
      const value = prune(read.body);
      if (!Object.keys(value).length) return;
      for (const [name, input] of read.paths) paths.set(`${list.dataset.list}.${items.length}.${name}`, input);
      items.push(value);
    });
    body[list.dataset.list] = items;
    paths.set(list.dataset.list, list);
  }
  return { body: prune(body), paths };
}

let errorIds = 0;

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  form.querySelectorAll("[aria-invalid]").forEach((n) => {
    n.removeAttribute("aria-invalid");
    const described = (n.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("field-error-"));
    if (described.length) n.setAttribute("aria-describedby", described.join(" "));
    else n.removeAttribute("aria-describedby");
  });
  const general = form.querySelector(".form-error");
  if (general) {
    general.hidden = true;
    general.textContent = "";
  }
}

export function showProblem(form, error, paths = new Map()) {
  const general = form.querySelector(".form-error");
  const fieldErrors = (error.problem && error.problem.errors) || [];
  let placed = 0;
  for (const item of fieldErrors) {
    // "body.pricing_tiers.basic.price" or "body.experience[0].title" → a path we rendered.
    let path = String(item.field || "").replace(/^body\.?/, "").replace(/\[(\d+)\]/g, ".$1");
    while (path && !paths.has(path)) path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    const target = path && paths.get(path);
    if (!target) continue;
    target.setAttribute("aria-invalid", "true");
    const note = document.createElement("p");
    note.className = "field-error";
    note.id = `field-error-${++errorIds}`;
    note.textContent = item.message;
    // Announced with the field when it takes focus, not only seen next to it.
    const described = target.getAttribute("aria-describedby");
    target.setAttribute("aria-describedby", described ? `${described} ${note.id}` : note.id);
    target.insertAdjacentElement("afterend", note);
    placed += 1;
  }
  if (general && (placed < fieldErrors.length || !fieldErrors.length)) {
    general.textContent = error.message;
    general.hidden = false;
  }
  const first = form.querySelector("[aria-invalid]") || general;
  if (first && first.focus) first.focus();
}

function afterSuccess(node, data) {
  const redirect = node.dataset.redirect;
  if (redirect) {
    window.location.assign(redirect.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data?.[key] ?? "")));
  } else if (node.hasAttribute("data-reload")) {
    window.location.reload();
  } else if (node.dataset.done) {
    toast(node.dataset.done, "success");
  }
}

async function submit(form, event) {
  event.preventDefault();
  clearErrors(form);
  const { body, paths } = serialize(form);
  const button = form.querySelector("[type=submit]");
  if (button) button.disabled = true;
  try {
    const data = await api(form.dataset.method || "POST", form.dataset.api, body);
    form.dispatchEvent(new CustomEvent("api:success", { detail: data }));
    afterSuccess(form, data);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showProblem(form, error, paths);
  } finally {
    if (button) button.disabled = false;
  }
}

async function press(button) {
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  button.disabled = true;
  try {
    const body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
    const data = await api(button.dataset.method || "POST", button.dataset.api, body);
    afterSuccess(button, data);
    if (button.dataset.done) button.replaceWith(Object.assign(document.createElement("span"), { className: "success", textContent: button.dataset.done }));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(error.message, "error");
    button.disabled = false;
  }
}

export function bindForms(root = document) {
  for (const form of root.querySelectorAll("form[data-api]")) {
    form.addEventListener("submit", (event) => submit(form, event));
    if (form.hasAttribute("data-autosubmit")) form.requestSubmit();
  }
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-api]");
    if (button && !button.closest("form[data-api]")) press(button);
    const add = event.target.closest("[data-list] [data-add]");
    if (add) {
      const list = add.closest("[data-list]");
      list.querySelector("[data-items]").append(list.querySelector("template").content.cloneNode(true));
    }
    const remove = event.target.closest("[data-item] [data-remove]");
    if (remove) remove.closest("[data-item]").remove();
  });
}
