// A candidate's pages (their applications, a job they applied to): statuses change live,
// with when they changed (never back to an older status the page already shows). On a job's apply form, a resume uploaded there joins the resume
// picker and is chosen.

import { el } from "../api.js";
import { renderTimes } from "../time.js";

document.addEventListener("rizeos:notification", (event) => {
  const n = event.detail;
  if (n.type !== "application.status") return;
  const id = n.payload.application_id;
  for (const holder of document.querySelectorAll(`[data-application-id="${CSS.escape(id)}"]`)) {
    const badge = holder.querySelector("[data-status]");
    if (!badge) continue;
    // A replayed notification older than the status the page was rendered with is stale
    // (a reload right after withdrawing replays the "viewed" before it).
    const shown = Date.parse(holder.dataset.changedAt || "");
    if (Date.parse(n.payload.changed_at) < shown) continue;
    holder.dataset.changedAt = n.payload.changed_at;
    badge.textContent = n.payload.status;
    badge.className = `status status-${n.payload.status}`;
    const changed = holder.querySelector("[data-changed]");
    if (changed) {
      const attrs = { datetime: n.created_at || new Date().toISOString(), "data-relative": true };
      if (changed.dataset.prefix) attrs["data-prefix"] = changed.dataset.prefix;
      changed.replaceChildren(el("time", attrs));
      renderTimes(changed);
    }
  }
});

document.addEventListener("upload:done", (event) => {
  const picker = event.target.form?.querySelector("select[name=resume_url]");
  if (!picker || event.detail.purpose !== "resume") return;
  const upload = event.detail;
  const option = el("option", { value: upload.url }, `${upload.filename} · uploaded just now`);
  picker.prepend(option); // the newest first
  picker.value = upload.url;
  picker.dispatchEvent(new Event("change", { bubbles: true }));
});
