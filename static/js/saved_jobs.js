// Save toggles (templates/macros.html save_button): PUT or DELETE /api/me/saved-jobs/{id},
// both idempotent, so a double click or a retry lands where the button says.
import { api, ApiError, toast } from "./api.js";

function show(button, saved) {
  const title = button.getAttribute("aria-label").replace(/^(Saved|Save): /, "");
  button.setAttribute("aria-pressed", String(saved));
  button.setAttribute("aria-label", `${saved ? "Saved" : "Save"}: ${title}`);
  button.querySelector("[data-save-label]").textContent = saved ? "Saved" : "Save";
  button.querySelector("svg")?.setAttribute("fill", saved ? "currentColor" : "none");
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-save-job]");
  if (!button) return;
  event.preventDefault();
  const saved = button.getAttribute("aria-pressed") !== "true";
  button.disabled = true;
  try {
    await api(saved ? "PUT" : "DELETE", `/api/me/saved-jobs/${button.dataset.saveJob}`);
    show(button, saved);
  } catch (error) {
    toast(error instanceof ApiError ? error.message : "Could not save the job: try again.", "error");
  } finally {
    button.disabled = false;
  }
});
