// The one way pages talk to /api: JSON in and out, the CSRF header on every change, and
// RFC 9457 problem details turned into an ApiError that forms can show field by field.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `request failed (${status})`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "rizeos_csrf") return decodeURIComponent(rest.join("="));
  }
  return "";
}

// Reads go without the CSRF header unless `csrf` is set: a read that has an effect (a
// recruiter opening an application marks it viewed) then happens only on purpose.
export async function api(method, path, body, { csrf = false, keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", keepalive };
  if (csrf || (method !== "GET" && method !== "HEAD")) {
    headers["X-CSRF-Token"] = csrfToken();
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { detail: "Cannot reach the server. Check your connection and try again." });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// Small DOM helpers: user data only ever goes in through textContent / attributes.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A stored file reference (PUBLIC_URL/api/files/<id>) as a path on this page's host: a page
// opened at another address the server answers on still sends its session cookie (private
// files need it) and stays same-origin (CSP connect-src 'self').
export function fileHref(url) {
  try {
    const parsed = new URL(url, window.location.href);
    if (/^\/api\/files\/[0-9a-f-]{36}$/.test(parsed.pathname)) return parsed.pathname;
  } catch {
    // not a URL: leave it as it is
  }
  return url;
}

// A short message in the corner for 10 s. With `href` the whole toast is a link (a new
// chat message opens its conversation); `title` is a bold first line (the sender).
export function toast(message, kind = "info", { href = null, title = null } = {}) {
  const box = document.getElementById("toasts");
  if (!box) return null;
  // The same news twice (two saves in a row) is one toast, the newest.
  for (const old of [...box.children]) {
    if (old.textContent === (title || "") + message && old.classList.contains(kind)) old.remove();
  }
  const item = href
    ? el("a", { class: `toast ${kind}`, href }, title ? el("strong", { text: title }) : null, el("span", { text: message }))
    : el("div", { class: `toast ${kind}`, text: message });
  box.append(item);
  setTimeout(() => item.remove(), 10000);
  return item;
}
