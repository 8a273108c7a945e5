// Account settings, your sessions, password and email (issue 17): the sessions list, live
// from /api/me/sessions, with a "Sign out" per device and "Sign out everywhere else"; the
// pending email change (rendered by the server) kept current. The password and email forms
// are declarative (static/js/forms.js); this refreshes what they change.
import { api, ApiError, el, toast } from "../api.js";
import { exactTime, formatRelative } from "../time.js";

const list = document.getElementById("sessions");
const status = document.getElementById("sessions-status");
const revokeOthers = document.getElementById("revoke-others");

function method(name) {
  if (name === "password") return "email and password";
  if (name.startsWith("oidc:")) {
    const provider = name.slice(5);
    return provider.charAt(0).toUpperCase() + provider.slice(1);
  }
  return name;
}

function when(iso) {
  return el("time", { datetime: iso, title: exactTime(iso), text: formatRelative(iso) });
}

function row(session) {
  const details = el(
    "span",
    { class: "muted small" },
    "Signed in ",
    when(session.created_at),
    ` with ${method(session.sign_in_method)} · last seen `,
    when(session.last_seen_at),
  );
  const name = el("strong", { text: session.device });
  const head = el("div", { class: "session-head" }, name);
  if (session.current) head.append(el("span", { class: "status status-active", text: "This device" }));
  const body = el("div", { class: "media-body" }, head, details);
  const item = el("li", { class: "list-item", dataset: { session: session.id, current: session.current ? "true" : "false" } }, body);
  if (!session.current) {
    const button = el("button", { type: "button", class: "secondary small", text: "Sign out", "aria-label": `Sign out ${session.device}, last seen ${formatRelative(session.last_seen_at)}` });
    button.addEventListener("click", () => signOut(session, button));
    item.append(el("div", { class: "button-row" }, button));
  }
  return item;
}

async function load() {
  try {
    const { items } = await api("GET", "/api/me/sessions");
    list.replaceChildren(...items.map(row));
    const others = items.filter((s) => !s.current).length;
    status.textContent = others ? `Signed in on ${items.length} devices.` : "Signed in on this device only.";
    revokeOthers.hidden = others === 0;
  } catch (error) {
    status.textContent = error instanceof ApiError ? error.message : "Could not load your sessions.";
  }
}

async function signOut(session, button) {
  button.disabled = true;
  try {
    await api("DELETE", `/api/me/sessions/${session.id}`);
    toast(`Signed out ${session.device}.`, "success");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 404) {
      toast(error.message, "error");
      button.disabled = false;
      return;
    }
  }
  await load();
}

revokeOthers?.addEventListener("click", async () => {
  if (!window.confirm("Sign out every other device? Their open pages stop at once.")) return;
  revokeOthers.disabled = true;
  try {
    const { revoked } = await api("POST", "/api/me/sessions/revoke-others");
    toast(revoked === 1 ? "Signed out 1 other device." : `Signed out ${revoked} other devices.`, "success");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(error.message, "error");
  } finally {
    revokeOthers.disabled = false;
  }
  await load();
});

const passwordForm = document.getElementById("password-form");
passwordForm?.addEventListener("api:success", (event) => {
  passwordForm.reset();
  const ended = event.detail.revoked;
  toast(ended ? `Password saved. ${ended} other ${ended === 1 ? "session was" : "sessions were"} signed out.` : "Password saved.", "success");
  // A new password voids an email change waiting for confirmation (server/auth/security.py).
  showPending(null);
  load();
});

const pending = document.getElementById("email-pending");
const pendingAddress = document.getElementById("email-pending-address");
const emailForm = document.getElementById("email-form");

function showPending(change) {
  pending.hidden = !change;
  pendingAddress.textContent = change ? change.new_email : "";
}

emailForm?.addEventListener("api:success", (event) => {
  emailForm.reset();
  showPending(event.detail);
  toast(`We sent a confirmation link to ${event.detail.new_email}.`, "success");
});

document.getElementById("email-cancel")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api("DELETE", "/api/me/email-change");
    toast("Email change cancelled.", "success");
    showPending(null);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 404) showPending(null);
    else toast(error.message, "error");
  } finally {
    button.disabled = false;
  }
});

if (list) load();
