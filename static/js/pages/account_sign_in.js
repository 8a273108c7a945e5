// Account settings, "How you sign in" (issue 17): the password and each identity provider,
// linked or not, with Link (a trip to the provider) and Unlink (refused while it is the
// account's last way to sign in).
import { api, ApiError, el, toast } from "../api.js";

const section = document.getElementById("sign-in");
const list = document.getElementById("sign-in-ways");
const status = document.getElementById("sign-in-status");

function dateText(value) {
  return new Date(value).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function passwordRow(hasPassword) {
  const text = hasPassword ? "Set: you can sign in with your email and password." : "Not set: you sign in only with a provider.";
  const action = el("a", { class: "button secondary small", href: "#password", text: hasPassword ? "Change password" : "Set a password" });
  return el("li", { dataset: { way: "password" } }, el("div", { class: "way" }, el("strong", { text: "Password" }), el("span", { class: "muted small", text })), action);
}

function providerRow(provider, identity) {
  const start = `/api/auth/oidc/${encodeURIComponent(provider.name)}/start?intent=link`;
  if (!identity) {
    return el(
      "li",
      { dataset: { way: provider.name } },
      el("div", { class: "way" }, el("strong", { text: provider.label }), el("span", { class: "muted small", text: "Not linked" })),
      el("a", { class: "button secondary small", href: start, text: `Link ${provider.label}` }),
    );
  }
  const detail = `Linked${identity.email ? ` as ${identity.email}` : ""} since ${dateText(identity.created_at)}`;
  const unlink = el("button", { type: "button", class: "secondary small", text: `Unlink ${provider.label}` });
  unlink.addEventListener("click", async () => {
    unlink.disabled = true;
    try {
      await api("DELETE", `/api/me/identities/${encodeURIComponent(provider.name)}`);
      toast(`${provider.label} is no longer linked.`, "success");
      await load();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.className = "form-error";
      status.textContent = error.message;
      unlink.disabled = false;
    }
  });
  return el(
    "li",
    { dataset: { way: provider.name, linked: "true" } },
    el("div", { class: "way" }, el("strong", { text: provider.label }), el("span", { class: "muted small", text: detail })),
    unlink,
  );
}

async function load() {
  try {
    const [mine, providers] = await Promise.all([api("GET", "/api/me/identities"), api("GET", "/api/auth/providers")]);
    const linked = new Map(mine.items.map((identity) => [identity.provider, identity]));
    const known = providers.items.map((p) => p.name);
    const rows = [passwordRow(mine.has_password)];
    for (const provider of providers.items) rows.push(providerRow(provider, linked.get(provider.name)));
    // A provider no longer configured here still shows, so it can be unlinked.
    for (const identity of mine.items) {
      if (!known.includes(identity.provider)) rows.push(providerRow({ name: identity.provider, label: identity.label }, identity));
    }
    list.replaceChildren(...rows);
    status.className = "muted";
    status.textContent = providers.items.length
      ? "Sign in with your password or any provider linked here."
      : "Sign in with your email and password.";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.className = "form-error";
    status.textContent = `Could not load how you sign in: ${error.message}`;
  }
}

if (section) {
  const linked = new URLSearchParams(window.location.search).get("linked");
  if (linked) toast("Linked: you can now sign in with it.", "success");
  load();
}
