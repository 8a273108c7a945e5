// The data export section of /settings/account (templates/partials/account_export.html):
// where the latest export stands (GET /api/me/export/status), a button to ask for one
// (POST /api/me/export), and the download link once it is ready. Drawn again when the
// account.export_ready notification arrives (app.js announces each as "rizeos:notification"),
// so the page turns from "Preparing…" to the download by itself.

import { api, ApiError, el } from "../api.js";
import { exactTime } from "../time.js";

const section = document.getElementById("account-export");
const statusLine = document.getElementById("account-export-status");
const errorLine = document.getElementById("account-export-error");
const download = document.getElementById("account-export-download");
const requestButton = document.getElementById("account-export-request");

function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function date(iso) {
  const when = new Date(iso);
  const text = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return el("time", { datetime: iso, title: exactTime(when), text });
}

function show(exp) {
  section.dataset.status = exp.status;
  statusLine.removeAttribute("aria-busy");
  download.hidden = exp.status !== "ready";
  requestButton.hidden = false;
  requestButton.disabled = false;
  requestButton.className = exp.status === "ready" ? "secondary" : "";
  requestButton.textContent = exp.status === "ready" ? "Request a new export" : "Request a data export";
  switch (exp.status) {
    case "none":
      statusLine.replaceChildren("You have not asked for an export yet.");
      break;
    case "queued":
    case "building":
      statusLine.setAttribute("aria-busy", "true");
      statusLine.replaceChildren(
        el("strong", { text: "Preparing your export…" }),
        " You will be notified when it is ready; you may leave this page.",
      );
      requestButton.disabled = true;
      requestButton.textContent = "Preparing…";
      break;
    case "ready":
      statusLine.replaceChildren(
        el("strong", { text: "Ready" }),
        ` (${size(exp.size)}), prepared `,
        date(exp.ready_at),
        ". Available until ",
        date(exp.expires_at),
        ".",
      );
      break;
    case "expired":
      statusLine.replaceChildren("Your last export expired on ", date(exp.expires_at), " and was deleted. Ask for a new one.");
      break;
    default:
      statusLine.replaceChildren("Your last export could not be prepared. Please ask again.");
  }
}

function fail(error, what) {
  errorLine.hidden = false;
  errorLine.textContent = `${what}: ${error instanceof ApiError ? error.message : "try again"}`;
}

async function refresh() {
  try {
    show(await api("GET", "/api/me/export/status"));
    errorLine.hidden = true;
  } catch (error) {
    fail(error, "Could not load your data export");
  }
}

requestButton.addEventListener("click", async () => {
  requestButton.disabled = true;
  errorLine.hidden = true;
  try {
    show(await api("POST", "/api/me/export"));
  } catch (error) {
    requestButton.disabled = false;
    fail(error, "Could not ask for an export");
  }
});

document.addEventListener("rizeos:notification", (event) => {
  if (event.detail?.type === "account.export_ready") refresh();
});

refresh();
