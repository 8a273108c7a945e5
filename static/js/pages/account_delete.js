// The danger zone of /settings/account: GET /api/me/deletion says how this account confirms
// (its password, or a recent "Confirm with <provider>" for a password-less one) and what must
// be handed over or finished first; DELETE /api/me erases it, then the home page says so.

import { api, ApiError, el } from "../api.js";
import { clearErrors, showProblem } from "../forms.js";
import { leave, stay } from "../live.js";

const section = document.getElementById("delete-account");
const form = document.getElementById("delete-account-form");
const blockers = document.getElementById("delete-blockers");
const passwordField = document.getElementById("delete-password-field");
const reauth = document.getElementById("delete-reauth");

function reauthHref(provider) {
  return `/api/auth/oidc/${encodeURIComponent(provider)}/start?intent=reauth&next=/settings/account`;
}

function showBlockers(check) {
  const lines = [];
  if (check.last_admin_of.length) {
    lines.push(`You are the last admin of ${check.last_admin_of.map((o) => o.name).join(", ")}: make another member an admin first.`);
  }
  if (check.open_orders.length) {
    lines.push(`You have ${check.open_orders.length} open order(s): complete, decline or cancel them first.`);
  }
  blockers.replaceChildren(...lines.map((line) => el("p", { text: line })));
  blockers.hidden = !lines.length;
}

// labels: the configured providers' names and button labels (GET /api/auth/providers); a
// linked provider no longer configured cannot confirm anything and is not offered.
function showConfirmation(check, labels) {
  const providers = check.providers.filter((p) => labels.has(p));
  const input = passwordField.querySelector("input");
  passwordField.hidden = !check.has_password;
  input.disabled = !check.has_password;
  reauth.hidden = check.has_password;
  if (check.has_password) return;
  const text = document.getElementById("delete-reauth-text");
  const buttons = document.getElementById("delete-reauth-buttons");
  if (check.reauthenticated_until) {
    const until = new Date(check.reauthenticated_until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    text.textContent = `You confirmed it is you. Delete the account before ${until}, or confirm again.`;
  } else {
    text.textContent = providers.length
      ? "Your account has no password: confirm it is you with your identity provider first."
      : "Your account has no password and no identity provider: set a password first.";
  }
  buttons.replaceChildren(
    ...providers.map((p) => el("a", { class: "button secondary", href: reauthHref(p), text: `Confirm with ${labels.get(p)}` })),
  );
}

async function load() {
  try {
    const [check, configured] = await Promise.all([
      api("GET", "/api/me/deletion"),
      api("GET", "/api/auth/providers"),
    ]);
    showConfirmation(check, new Map(configured.items.map((p) => [p.name, p.label])));
    showBlockers(check);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    blockers.replaceChildren(el("p", { text: error.message }));
    blockers.hidden = false;
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const general = form.querySelector(".form-error");
  const confirm = form.elements.confirm;
  const password = form.elements.password;
  const body = { confirm: confirm.value.trim() };
  if (!password.disabled) body.password = password.value;
  const button = document.getElementById("delete-account-button");
  button.disabled = true;
  // The deletion ends this session, so the server drops the page's sockets: none may
  // reconnect, be refused and send the page to log in instead of to the farewell.
  leave();
  try {
    await api("DELETE", "/api/me", body);
    window.location.assign("/?account=deleted");
  } catch (error) {
    stay();
    if (!(error instanceof ApiError)) throw error;
    showProblem(form, error, new Map([["confirm", confirm], ["password", password]]));
    if (error.status === 403) {
      // The API's answer names the route to call; a person gets the button instead.
      general.textContent = "Confirm it is you first with the button below, then delete your account.";
    }
    if (error.status === 409 || error.status === 403) load();
    button.disabled = false;
  }
});

if (section) load();
