// "Create alert from this search" on the board: the board's filters (data-alert-search, the
// server's rendering of the current query) and the chosen frequency, POSTed as a job alert.
import { api, ApiError } from "../api.js";

const form = document.getElementById("alert-form");
form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  const status = form.querySelector("[role=status]") ?? form.appendChild(Object.assign(document.createElement("p"), { className: "small" }));
  status.setAttribute("role", "status");
  button.disabled = true;
  try {
    const search = JSON.parse(form.dataset.alertSearch);
    const alert = await api("POST", "/api/me/job-alerts", { ...search, frequency: form.elements.frequency.value });
    status.className = "small success";
    status.replaceChildren(
      `Alert created (${alert.frequency === "instant" ? "instant" : "daily email"}). `,
      Object.assign(document.createElement("a"), { href: "/me/job-alerts", textContent: "Manage alerts" }),
    );
    form.querySelector("select").disabled = true;
    button.hidden = true;
  } catch (error) {
    status.className = "small form-error";
    status.textContent = error instanceof ApiError ? error.message : "Could not create the alert: try again.";
    button.disabled = false;
  }
});
