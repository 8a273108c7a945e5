// A candidate's pages (their applications, a job they applied to): statuses change live,
// with when they changed.

import { el } from "../api.js";
import { renderTimes } from "../time.js";

document.addEventListener("rizeos:notification", (event) => {
  const n = event.detail;
  if (n.type !== "application.status") return;
  const id = n.payload.application_id;
  for (const holder of document.querySelectorAll(`[data-application-id="${CSS.escape(id)}"]`)) {
    const badge = holder.querySelector("[data-status]");
    if (!badge) continue;
    badge.textContent = n.payload.status;
    badge.className = `status status-${n.payload.status}`;
    const changed = holder.querySelector("[data-changed]");
    if (changed) {
      changed.replaceChildren(el("time", { datetime: n.created_at || new Date().toISOString(), "data-relative": true }));
      renderTimes(changed);
    }
  }
});
