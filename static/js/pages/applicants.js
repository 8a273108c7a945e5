// The hiring team's dashboard for one job: status controls, and new applications added live
// (from the /notifications socket) without a reload.

import { api, ApiError, el, fileHref, toast } from "../api.js";
import { avatar } from "../avatar.js";
import { renderTimes } from "../time.js";

const table = document.getElementById("applicants");
const jobId = table.dataset.jobId;
const tbody = table.tBodies[0];
const PIPELINE = ["submitted", "viewed", "shortlisted", "interviewing", "offered", "hired"];
const FINAL = new Set(["hired", "rejected", "withdrawn"]);
const arriving = new Set(); // applications being fetched, so a replayed event adds no twin

function nextStatuses(status) {
  if (FINAL.has(status)) return [];
  return [PIPELINE[PIPELINE.indexOf(status) + 1], "rejected"];
}

function statusBadge(status) {
  return el("span", { class: `status status-${status}`, dataset: { status: "" }, text: status });
}

function actions(status) {
  const buttons = nextStatuses(status).map((s) =>
    el("button", {
      type: "button",
      class: s === "rejected" ? "small danger" : "small",
      dataset: { move: s },
      text: s === "rejected" ? "Reject" : `Move to ${s}`,
    }),
  );
  buttons.push(el("button", { type: "button", class: "small secondary", dataset: { message: "" }, text: "Message" }));
  return buttons;
}

function setStatus(row, status) {
  row.querySelector("[data-status]").replaceWith(statusBadge(status));
  row.querySelector("td.actions").replaceChildren(...actions(status));
}

function chips(verified, claimed) {
  if (!verified.length && !claimed.length) return null;
  return el(
    "ul",
    { class: "chips", role: "list" },
    ...verified.map((s) => el("li", { class: "chip ok", text: s })),
    ...claimed.map((s) => el("li", { class: "chip", text: s })),
  );
}

function cell(label, attrs, ...children) {
  return el("td", { ...attrs, dataset: { label } }, ...children);
}

function rowFor(a) {
  const name = a.full_name || a.email;
  const links = [
    a.resume_url ? el("a", { href: fileHref(a.resume_url), rel: "noopener nofollow", text: "Resume" }) : null,
    a.cover_letter
      ? el("details", {}, el("summary", { text: "Cover letter" }), el("p", { class: "prose", text: a.cover_letter }))
      : null,
  ].filter(Boolean);
  const who = el(
    "div",
    { class: "media" },
    el("div", { class: "media-figure" }, avatar(name, { url: a.avatar_url, key: a.candidate_id })),
    el(
      "div",
      { class: "media-body" },
      el("a", { class: "candidate", href: `/people/${a.candidate_id}`, text: name }),
      a.headline ? el("span", { class: "small muted", text: a.headline }) : null,
      links.length ? el("div", { class: "cluster small" }, ...links) : null,
    ),
  );
  const applied = el("time", { datetime: a.submitted_at, "data-relative": true });
  const row = el(
    "tr",
    { class: "fresh", dataset: { applicationId: a.id, candidateId: a.candidate_id } },
    cell("Candidate", {}, who),
    cell("Match", {}),
    cell("Skills", {}, chips(a.skills.verified, a.skills.claimed)),
    cell("Applied", {}, applied),
    cell("Status", {}, statusBadge(a.status)),
    cell("Actions", { class: "actions" }, ...actions(a.status)),
  );
  renderTimes(row);
  return row;
}

function countApplicants() {
  const count = document.getElementById("applicant-count");
  const n = tbody.querySelectorAll("tr[data-application-id]").length;
  if (count) count.textContent = `${n} applicant${n === 1 ? "" : "s"}`;
}

// Opening an application (its cover letter, or the candidate's profile) marks it viewed,
// as workflow 1, step 3 asks; the candidate hears of it live.
async function markViewed(row, keepalive = false) {
  const badge = row.querySelector("[data-status]");
  if (!badge || badge.textContent !== "submitted") return;
  try {
    const opened = await api("GET", `/api/applications/${row.dataset.applicationId}`, undefined, { csrf: true, keepalive });
    setStatus(row, opened.status);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

tbody.addEventListener("toggle", (event) => {
  if (event.target.open) markViewed(event.target.closest("tr"));
}, true);

tbody.addEventListener("click", async (event) => {
  const candidate = event.target.closest("a.candidate");
  if (candidate) {
    markViewed(candidate.closest("tr"), true);
    return;
  }
  const button = event.target.closest("button");
  if (!button) return;
  const row = button.closest("tr");
  const id = row.dataset.applicationId;
  button.disabled = true;
  try {
    if (button.dataset.move) {
      const updated = await api("POST", `/api/applications/${id}/status`, { status: button.dataset.move });
      setStatus(row, updated.status);
    } else if ("message" in button.dataset) {
      const conversation = await api("POST", "/api/conversations", {
        participant_ids: [row.dataset.candidateId],
        context: { type: "application", id },
      });
      window.location.assign(`/messages/${conversation.id}`);
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(error.message, "error");
    button.disabled = false;
  }
});

document.addEventListener("rizeos:notification", async (event) => {
  const n = event.detail;
  const p = n.payload || {};
  if (p.job_id !== jobId) return;
  const existing = tbody.querySelector(`tr[data-application-id="${CSS.escape(p.application_id)}"]`);
  if (n.type === "application.status" && existing) {
    setStatus(existing, p.status);
  } else if (n.type === "application.created" && !existing && !arriving.has(p.application_id)) {
    arriving.add(p.application_id);
    // A GET without the CSRF header reads the application without marking it viewed.
    const applicant = await api("GET", `/api/applications/${p.application_id}`);
    tbody.querySelector("tr.empty")?.setAttribute("hidden", "");
    tbody.prepend(rowFor(applicant));
    countApplicants();
  }
});
