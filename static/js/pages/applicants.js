// The hiring team's dashboard for one job (issue 15, item 4): status controls, bulk moves of
// the selected rows, private team notes, and new applications added live (from the
// /notifications socket) without a reload, with the same match as a reloaded row.

import { api, ApiError, el, fileHref, toast } from "../api.js";
import { avatar } from "../avatar.js";
import { showProblem } from "../forms.js";
import { renderTimes } from "../time.js";

const table = document.getElementById("applicants");
const jobId = table.dataset.jobId;
const tbody = table.tBodies[0];
const PIPELINE = ["submitted", "viewed", "shortlisted", "interviewing", "offered", "hired"];
const FINAL = new Set(["hired", "rejected", "withdrawn"]);
const arriving = new Set(); // applications being fetched, so a replayed event adds no twin
const me = document.body.dataset.userId;
const bulk = document.getElementById("bulk");
const bulkResult = document.getElementById("bulk-result");
const selectAll = document.getElementById("select-all");

function nextStatuses(status) {
  if (FINAL.has(status)) return [];
  return [PIPELINE[PIPELINE.indexOf(status) + 1], "rejected"];
}

function statusBadge(status) {
  return el("span", { class: `status status-${status}`, dataset: { status: "" }, text: status });
}

function moveButtons(status) {
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

// ---- counts per status (the tabs) and the header's total ---------------------------------

function showTotal(n) {
  document.querySelector('[data-count="all"]').textContent = String(n);
  document.getElementById("applicant-count").textContent = `${n} applicant${n === 1 ? "" : "s"}`;
}

function adjustCount(status, by) {
  const node = document.querySelector(`[data-count="${status}"]`);
  if (node) node.textContent = String(Number(node.textContent) + by);
  showTotal(Number(document.querySelector('[data-count="all"]').textContent) + by);
}

// The counts as the server has them now: asked after every live event and every move of
// this page, so a replayed event (already counted) changes nothing and a new one is counted
// once. Only the answer to the latest request is shown (answers can overtake each other).
let countsAsked = 0;

async function refreshCounts() {
  const asked = ++countsAsked;
  let page;
  try {
    page = await api("GET", `/api/jobs/${jobId}/applications?limit=1`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return; // the counts shown stay until the next event or reload
  }
  if (asked !== countsAsked) return;
  let all = 0;
  for (const [status, n] of Object.entries(page.counts)) {
    all += n;
    const node = document.querySelector(`[data-count="${status}"]`);
    if (node) node.textContent = String(n);
  }
  showTotal(all);
}

function setStatus(row, status) {
  const badge = row.querySelector("[data-status]");
  const previous = badge.textContent;
  if (previous === status) return;
  badge.replaceWith(statusBadge(status));
  row.querySelector("td.actions .cluster").replaceChildren(...moveButtons(status));
  adjustCount(previous, -1);
  adjustCount(status, +1);
}

// ---- a row, as the template's applicant_row macro renders it ---------------------------

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

function relative(value, prefix = "") {
  return el("time", { datetime: value, "data-relative": true, dataset: prefix ? { prefix } : {} });
}

function matchCell(match) {
  const pct = Math.round(match.score * 100);
  const reasons = match.reasons;
  return el(
    "div",
    { class: "fit stack tight" },
    el("strong", { text: `${pct}% match` }),
    el("progress", { class: "meter", max: "100", value: String(pct), "aria-label": `Match ${pct}%` }),
    reasons.matched_skills.length ? el("span", { class: "small muted", text: `Has ${reasons.matched_skills.join(", ")}` }) : null,
    reasons.missing_skills.length ? el("span", { class: "small muted", text: `Missing ${reasons.missing_skills.join(", ")}` }) : null,
  );
}

function notesPanel(a) {
  const id = `note-${a.id}`;
  return el(
    "details",
    { class: "notes", dataset: { notes: "" } },
    el("summary", {}, "Team notes (", el("span", { dataset: { noteCount: "" }, text: String(a.note_count) }), ")"),
    el(
      "div",
      { class: "notes-body stack tight" },
      el("p", { class: "small muted", text: "Only your hiring team sees these, never the candidate." }),
      el("ol", { class: "notes-list", role: "list", "aria-live": "polite" }),
      el("button", { type: "button", class: "small secondary", dataset: { moreNotes: "" }, hidden: true, text: "Older notes" }),
      el(
        "form",
        { class: "note-form", novalidate: true },
        el(
          "div",
          { class: "field" },
          el("label", { for: id, text: "New note" }),
          el("textarea", { id, name: "body", rows: "2", maxlength: "5000", required: true }),
        ),
        el("p", { class: "form-error", role: "alert", hidden: true }),
        el("button", { type: "submit", class: "small", text: "Add note" }),
      ),
    ),
  );
}

// "Verified student of X": the markup of the verified_badge macro (templates/macros.html).
function verifiedBadge(institutes) {
  if (!institutes || !institutes.length) return null;
  return el(
    "ul",
    { class: "verified-institutes", role: "list", dataset: { verifiedInstitutes: "" } },
    ...institutes.map((inst) =>
      el(
        "li",
        { class: "verified-institute" },
        avatar(inst.name, { url: inst.logo_url, key: inst.id, size: "xs", square: true }),
        el(
          "a",
          { href: `/institutes/${inst.id}` },
          el("span", { class: "verified", text: `Verified ${inst.role === "alumni" ? "alumni" : "student"}` }),
          ` of ${inst.name}`,
        ),
      ),
    ),
  );
}

function rowFor(a) {
  const name = a.full_name || a.email;
  const resume = a.resume_url
    ? el(
        "span",
        { class: "small resume" },
        el("a", { href: fileHref(a.resume_url), rel: "noopener nofollow", text: a.resume_filename || "Resume" }),
        a.resume_uploaded_at ? " " : null,
        a.resume_uploaded_at ? el("span", { class: "muted" }, relative(a.resume_uploaded_at, "uploaded ")) : null,
      )
    : null;
  const letter = a.cover_letter
    ? el(
        "details",
        { class: "small", dataset: { coverLetter: "" } },
        el("summary", { text: "Cover letter" }),
        el("p", { class: "prose", text: a.cover_letter }),
      )
    : null;
  const who = el(
    "div",
    { class: "media" },
    el("div", { class: "media-figure" }, avatar(name, { url: a.avatar_url, key: a.candidate_id })),
    el(
      "div",
      { class: "media-body" },
      el("a", { class: "candidate", href: `/people/${a.candidate_id}`, text: name }),
      " ",
      el("span", { class: "badge new-badge", text: "New" }),
      a.headline ? el("span", { class: "small muted", text: a.headline }) : null,
      el("span", { class: "applicant-badges", dataset: { slot: "verified-institutes" } }, verifiedBadge(a.verified_institutes)),
      resume,
      letter,
    ),
  );
  const applied = el(
    "span",
    { class: "stack tight" },
    relative(a.submitted_at),
    a.status !== "submitted" ? el("span", { class: "small muted" }, relative(a.status_changed_at, "moved ")) : null,
  );
  const row = el(
    "tr",
    { class: "new fresh", dataset: { applicationId: a.id, candidateId: a.candidate_id, score: String(a.match.score), submittedAt: a.submitted_at, name } },
    cell("Select", { class: "select" }, el("input", { type: "checkbox", name: "application", value: a.id, "aria-label": `Select ${name}` })),
    cell("Candidate", {}, who),
    cell("Match", {}, matchCell(a.match)),
    cell("Skills", {}, chips(a.skills.verified, a.skills.claimed)),
    cell("Applied", {}, applied),
    cell("Status", {}, statusBadge(a.status)),
    // A candidate who joined the hiring team never sees the team's notes on their own application.
    cell("Actions", { class: "actions" }, el("div", { class: "cluster" }, ...moveButtons(a.status)), a.candidate_id === me ? null : notesPanel(a)),
  );
  renderTimes(row);
  return row;
}

// A time as microseconds since the epoch (the page's and the API's ISO times both carry
// them; Date.parse keeps milliseconds), so rows submitted within one millisecond still order.
function timeKey(iso) {
  const fraction = /\.(\d+)/.exec(iso);
  const micros = fraction ? Number(fraction[1].padEnd(6, "0").slice(0, 6)) % 1000 : 0;
  return Date.parse(iso) * 1000 + micros;
}

function rowKey(row) {
  const { score, submittedAt, applicationId } = row.dataset;
  return { score: Number(score), time: timeKey(submittedAt), id: applicationId };
}

// Whether key `x` comes before key `y` in the page's sort: the server's keyset order,
// (match score, submitted_at, id) or (submitted_at, id), descending except for `oldest`.
function comesBefore(x, y, sort) {
  if (sort === "score" && x.score !== y.score) return x.score > y.score;
  const later = sort === "oldest" ? -1 : 1;
  if (x.time !== y.time) return (x.time - y.time) * later > 0;
  return x.id === y.id ? false : (x.id > y.id) === (later > 0);
}

// Put a new applicant where it goes in the rows shown, given the page's filter and sort;
// false when it belongs on another page (it is still counted): after the last row of a page
// that is not the last, or before the first row of a page that is not the first.
function placeNew(row, applicant) {
  const { sort, statusFilter, firstPage, lastPage } = table.dataset;
  if (statusFilter && statusFilter !== applicant.status) return false;
  const key = { score: applicant.match.score, time: timeKey(applicant.submitted_at), id: applicant.id };
  const rows = [...tbody.querySelectorAll("tr[data-application-id]")];
  const next = rows.find((r) => comesBefore(key, rowKey(r), sort));
  if (!next) {
    if (lastPage !== "true") return false;
    tbody.insertBefore(row, tbody.querySelector("tr.empty"));
  } else {
    if (next === rows[0] && firstPage !== "true") return false;
    next.before(row);
  }
  return true;
}

// ---- opening an application marks it viewed ---------------------------------------------

// Opening an application (its cover letter, or the candidate's profile) marks it viewed,
// as workflow 1, step 3 asks; the candidate hears of it live.
async function markViewed(row, keepalive = false) {
  const badge = row.querySelector("[data-status]");
  if (!badge || badge.textContent !== "submitted") return;
  try {
    const opened = await api("GET", `/api/applications/${row.dataset.applicationId}`, undefined, { csrf: true, keepalive });
    setStatus(row, opened.status);
    if (!keepalive) refreshCounts(); // keepalive: the page is being left
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

// ---- team notes --------------------------------------------------------------------------

function noteItem(note) {
  return el(
    "li",
    { class: "note", dataset: { noteId: note.id } },
    el(
      "p",
      { class: "note-head small" },
      el("strong", { text: note.author_name || "A former member" }),
      " ",
      el("span", { class: "muted" }, relative(note.created_at)),
    ),
    el("p", { class: "prose", text: note.body }),
  );
}

async function loadNotes(panel, cursor = null) {
  const row = panel.closest("tr");
  const path = `/api/applications/${row.dataset.applicationId}/notes${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`;
  try {
    const page = await api("GET", path);
    const list = panel.querySelector(".notes-list");
    for (const note of page.items) {
      if (!list.querySelector(`[data-note-id="${CSS.escape(note.id)}"]`)) list.append(noteItem(note));
    }
    renderTimes(list);
    const more = panel.querySelector("[data-more-notes]");
    more.hidden = !page.next;
    more.dataset.cursor = page.next || "";
    panel.dataset.loaded = "true";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(error.message, "error");
  }
}

tbody.addEventListener(
  "toggle",
  (event) => {
    const target = event.target;
    if (!target.open) return;
    if (target.matches("[data-cover-letter]")) markViewed(target.closest("tr"));
    else if (target.matches("[data-notes]") && !target.dataset.loaded) loadNotes(target);
  },
  true,
);

tbody.addEventListener("submit", async (event) => {
  const form = event.target.closest(".note-form");
  if (!form) return;
  event.preventDefault();
  const panel = form.closest("[data-notes]");
  const textarea = form.querySelector("textarea");
  const general = form.querySelector(".form-error");
  form.querySelectorAll(".field-error").forEach((n) => n.remove());
  textarea.removeAttribute("aria-invalid");
  general.hidden = true;
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    if (!textarea.value.trim()) throw new ApiError(422, { detail: "Write a note first.", errors: [{ field: "body.body", message: "write a note first" }] });
    const note = await api("POST", `/api/applications/${panel.closest("tr").dataset.applicationId}/notes`, { body: textarea.value });
    panel.querySelector(".notes-list").prepend(noteItem(note));
    renderTimes(panel);
    const count = panel.querySelector("[data-note-count]");
    count.textContent = String(Number(count.textContent) + 1);
    textarea.value = "";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showProblem(form, error, new Map([["body", textarea]]));
  } finally {
    button.disabled = false;
  }
});

// ---- row buttons ------------------------------------------------------------------------

tbody.addEventListener("click", async (event) => {
  const candidate = event.target.closest("a.candidate");
  if (candidate) {
    markViewed(candidate.closest("tr"), true);
    return;
  }
  const button = event.target.closest("button");
  if (!button || button.type === "submit") return;
  const row = button.closest("tr");
  const id = row.dataset.applicationId;
  if ("moreNotes" in button.dataset) {
    loadNotes(button.closest("[data-notes]"), button.dataset.cursor);
    return;
  }
  button.disabled = true;
  try {
    if (button.dataset.move) {
      const updated = await api("POST", `/api/applications/${id}/status`, { status: button.dataset.move });
      setStatus(row, updated.status);
      refreshCounts();
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

// ---- selection and bulk moves -------------------------------------------------------------

function checkboxes() {
  return [...tbody.querySelectorAll('input[name="application"]')];
}

function updateSelection() {
  const boxes = checkboxes();
  const chosen = boxes.filter((b) => b.checked).length;
  document.getElementById("bulk-selected").textContent = `${chosen} selected`;
  bulk.querySelector("[type=submit]").disabled = chosen === 0;
  selectAll.checked = chosen > 0 && chosen === boxes.length;
  selectAll.indeterminate = chosen > 0 && chosen < boxes.length;
}

selectAll.addEventListener("change", () => {
  for (const box of checkboxes()) box.checked = selectAll.checked;
  updateSelection();
});
tbody.addEventListener("change", (event) => {
  if (event.target.matches('input[name="application"]')) updateSelection();
});

function rowOf(id) {
  return tbody.querySelector(`tr[data-application-id="${CSS.escape(id)}"]`);
}

bulk.addEventListener("submit", async (event) => {
  event.preventDefault();
  const ids = checkboxes().filter((b) => b.checked).map((b) => b.value);
  if (!ids.length) return;
  const status = bulk.querySelector("select").value;
  const button = bulk.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const result = await api("POST", `/api/jobs/${jobId}/applications/status`, { application_ids: ids, status });
    for (const moved of result.moved) {
      const row = rowOf(moved.application_id);
      if (!row) continue;
      setStatus(row, moved.status);
      row.querySelector('input[name="application"]').checked = false;
    }
    const lines = result.refused.map((r) => {
      const row = rowOf(r.application_id);
      return el("li", {}, el("strong", { text: row ? row.dataset.name : r.application_id }), `: ${r.reason}`);
    });
    bulkResult.replaceChildren(
      el("p", { text: `Moved ${result.moved.length} to ${status}.${lines.length ? ` Not moved: ${lines.length}.` : ""}` }),
      lines.length ? el("ul", { class: "refused" }, ...lines) : null,
    );
    bulkResult.hidden = false;
    bulkResult.classList.toggle("has-refusals", lines.length > 0);
    refreshCounts();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    toast(error.message, "error");
  } finally {
    updateSelection();
  }
});

// The sort applies as soon as it is chosen; the button is there for keyboards and no-JS.
const sortSelect = document.getElementById("sort");
sortSelect.addEventListener("change", () => sortSelect.form.requestSubmit());

// ---- live: new applicants and withdrawals ------------------------------------------------

// A new applicant's row, read from the server (the dashboard's own query: the numbers of a
// reload; it marks nothing viewed). Deduplicated by application id only: a replayed event of
// a row shown, or being fetched, adds nothing; the counts come from the server either way.
async function addLive(applicationId) {
  if (rowOf(applicationId) || arriving.has(applicationId)) return;
  arriving.add(applicationId);
  try {
    const applicant = await api("GET", `/api/jobs/${jobId}/applications/${applicationId}`);
    const row = rowFor(applicant);
    if (!rowOf(applicationId) && placeNew(row, applicant)) {
      tbody.querySelector("tr.empty")?.setAttribute("hidden", "");
      updateSelection();
    }
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // 404: gone meanwhile; 403: no longer on the hiring team. Anything else: say so.
    if (error.status !== 404 && error.status !== 403) {
      toast(`A new applicant could not be shown (${error.message}); reload to see them.`, "error");
    }
  } finally {
    arriving.delete(applicationId);
  }
}

document.addEventListener("rizeos:notification", async (event) => {
  const n = event.detail;
  const p = n.payload || {};
  if (p.job_id !== jobId) return;
  if (n.type === "application.status") {
    const existing = rowOf(p.application_id);
    if (existing) setStatus(existing, p.status);
  } else if (n.type === "application.created") {
    await addLive(p.application_id);
  } else {
    return;
  }
  refreshCounts();
});
