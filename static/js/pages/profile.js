// The profile editor: a new resume is read by the enrichment worker; its status shows here
// and the enriched fields appear (live, from the profile.enriched notification).

import { el } from "../api.js";

const status = document.getElementById("enrichment");

document.addEventListener("upload:done", (event) => {
  if (event.detail.purpose === "resume") status.textContent = "Reading your resume to fill in your profile…";
});

document.addEventListener("rizeos:notification", (event) => {
  const n = event.detail;
  if (n.type !== "profile.enriched") return;
  const added = n.payload.skills_added || [];
  status.replaceChildren(
    `Your profile was updated from your resume${added.length ? `; new skills: ${added.join(", ")}` : ""}. `,
    el("a", { href: "/profile", text: "Reload to see every field" }),
  );
  const skills = document.querySelector('[name="skills.claimed"]');
  if (skills && added.length) {
    const have = skills.value.split(",").map((s) => s.trim()).filter(Boolean);
    const lower = new Set(have.map((s) => s.toLowerCase()));
    skills.value = [...have, ...added.filter((s) => !lower.has(s.toLowerCase()))].join(", ");
  }
});
