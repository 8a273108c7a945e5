// The profile editor. One confirmation per save (a toast that replaces the previous one, and
// the status by the Save button); the photo preview and the completeness hint follow what
// was saved. A new resume is read by the enrichment worker: when its profile.enriched
// notification arrives, the page fetches the profile and adds every field the enrichment
// filled (skills, experience, education, portfolio links; empty text fields) without a
// reload and without touching what the user is typing.

import { api, ApiError, el, toast } from "../api.js";

const form = document.getElementById("profile-form");
const status = document.getElementById("enrichment");
const saveStatus = document.getElementById("save-status");
const preview = document.getElementById("avatar-preview");
const removePhoto = document.getElementById("avatar-remove");
const userId = form.dataset.userId;

// Where each hint of the completeness panel leads (ids in profile_edit.html).
const ANCHORS = {
  full_name: "f-full_name",
  headline: "f-headline",
  bio: "f-bio",
  skills: "f-skills.claimed",
  avatar_url: "photo",
  resume_url: "resume",
  experience: "experience",
  education: "education",
};

let savedToast = null;

function confirmSaved() {
  // Saves can follow each other within a toast's lifetime (an upload saves on its own, then
  // the Save button): the newest confirmation replaces the last one instead of stacking.
  savedToast?.remove();
  savedToast = toast("Profile saved.", "success");
  saveStatus.textContent = "All changes saved.";
}

function showPhoto(url) {
  const node = url
    ? el("img", { class: "avatar avatar-lg", src: url, alt: "" })
    : document.getElementById("avatar-initials").content.firstElementChild.cloneNode(true);
  preview.replaceChildren(node);
  removePhoto.hidden = !url;
}

function showCompleteness(completeness) {
  const panel = document.getElementById("completeness");
  if (!panel || !completeness) return;
  panel.querySelector("[data-percent]").textContent = String(completeness.percent);
  panel.querySelector("progress").value = completeness.percent;
  const hints = completeness.missing.slice(0, 4).map((part) =>
    el("li", { class: "list-item" }, el("a", { href: `/profile#${ANCHORS[part.field] || part.field}`, text: part.hint })),
  );
  const list = el("ul", { class: "list", dataset: { missing: "" } }, ...hints);
  const done = el("p", { class: "success", text: "Your profile is complete." });
  const old = panel.querySelector("[data-missing], .success");
  const next = hints.length ? list : done;
  if (old) old.replaceWith(next);
  else panel.append(next);
}

form.addEventListener("api:success", (event) => {
  const profile = event.detail;
  confirmSaved();
  showPhoto(profile.avatar_url);
  showCompleteness(profile.completeness);
});

form.addEventListener("input", () => {
  saveStatus.textContent = "";
});

removePhoto.addEventListener("click", () => {
  form.querySelector('[name="avatar_url"]').value = "";
  form.requestSubmit();
});

document.addEventListener("upload:done", (event) => {
  if (event.detail.purpose === "resume") status.textContent = "Reading your resume to fill in your profile…";
});

// --- live enrichment ----------------------------------------------------------------------

const fold = (value) => String(value ?? "").trim().replace(/\s+/g, " ").toLowerCase();

// What makes two items "the same" (the enrichment's merge rules, docs/enrichment.md).
const IDENTITY = {
  experience: (item) => `${fold(item.title)}|${fold(item.company)}`,
  education: (item) => `${fold(item.institution)}|${fold(item.degree)}`,
  portfolio: (item) => fold(item.url || item.image_url || item.video_url || item.title),
};

function readItem(node) {
  const item = {};
  for (const input of node.querySelectorAll("[name]")) item[input.name] = input.value;
  return item;
}

function addItem(list, item) {
  const fragment = list.querySelector("template").content.cloneNode(true);
  const node = fragment.querySelector("[data-item]");
  for (const [name, value] of Object.entries(item)) {
    if (value === null || value === undefined) continue;
    let input = node.querySelector(`[name="${name}"]`);
    if (!input) {
      input = el("input", { type: "hidden", name });
      node.append(input);
    }
    input.value = String(value);
  }
  list.querySelector("[data-items]").append(fragment);
}

function addMissingItems(name, items) {
  const list = form.querySelector(`[data-list="${name}"]`);
  const identity = IDENTITY[name];
  const have = new Set([...list.querySelectorAll("[data-items] > [data-item]")].map((node) => identity(readItem(node))));
  let added = 0;
  for (const item of items) {
    const key = identity(item);
    if (have.has(key)) continue;
    have.add(key);
    addItem(list, item);
    added += 1;
  }
  return added;
}

function addMissingSkills(skills) {
  const input = form.querySelector('[name="skills.claimed"]');
  const have = input.value.split(",").map((s) => s.trim()).filter(Boolean);
  const lower = new Set(have.map((s) => s.toLowerCase()));
  const fresh = skills.filter((s) => !lower.has(s.toLowerCase()));
  if (fresh.length) input.value = [...have, ...fresh].join(", ");
  return fresh.length;
}

function fillIfEmpty(name, value) {
  const input = form.querySelector(`[name="${name}"]`);
  if (input && value && !input.value.trim()) {
    input.value = value;
    return 1;
  }
  return 0;
}

async function showEnriched(notification) {
  const added = notification.payload.skills_added || [];
  status.textContent = `Your profile was updated from your resume${added.length ? `; new skills: ${added.join(", ")}` : ""}.`;
  let profile;
  try {
    profile = await api("GET", `/api/profiles/${userId}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.append(" ", el("a", { href: "/profile", text: "Reload to see the changes" }));
    return;
  }
  const changed =
    addMissingSkills(profile.skills.claimed) +
    addMissingItems("experience", profile.experience) +
    addMissingItems("education", profile.education) +
    addMissingItems("portfolio", profile.portfolio) +
    fillIfEmpty("full_name", profile.full_name) +
    fillIfEmpty("headline", profile.headline) +
    fillIfEmpty("bio", profile.bio);
  if (changed) status.append(" The new entries are below.");
  showCompleteness(profile.completeness);
}

document.addEventListener("rizeos:notification", (event) => {
  if (event.detail.type === "profile.enriched") showEnriched(event.detail);
});
