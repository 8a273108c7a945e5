// The gig editor. Standard and premium tiers are optional: a tier not offered sends
// nothing (its controls lose their names, so static/js/forms.js leaves them out), and one
// currency, chosen once, is copied to every offered tier. Blank required fields are
// flagged beside themselves before anything is sent.

import { el } from "../api.js";

const form = document.getElementById("gig-form");
const currency = form.querySelector("[data-currency]");

function setOffered(fieldset, offered) {
  const fields = fieldset.querySelector("[data-tier-fields]");
  fields.hidden = !offered;
  for (const input of fields.querySelectorAll("input, select, textarea")) {
    if (offered && input.dataset.name) {
      input.name = input.dataset.name;
      delete input.dataset.name;
    } else if (!offered && input.name) {
      input.dataset.name = input.name;
      input.removeAttribute("name");
    }
  }
}

for (const fieldset of form.querySelectorAll("[data-tier]")) {
  const toggle = fieldset.querySelector("[data-offer]");
  if (!toggle) continue;
  setOffered(fieldset, toggle.checked);
  toggle.addEventListener("change", () => {
    setOffered(fieldset, toggle.checked);
    if (toggle.checked) fieldset.querySelector("[data-tier-fields] input")?.focus();
  });
}

function copyCurrency() {
  for (const input of form.querySelectorAll("[data-currency-copy]")) input.value = currency.value;
}
currency.addEventListener("change", copyCurrency);
copyCurrency();

// Runs before forms.js sends the form (capture on the document comes first).
document.addEventListener(
  "submit",
  (event) => {
    if (event.target !== form) return;
    form.querySelectorAll(".field-error[data-local]").forEach((node) => node.remove());
    const blank = [...form.querySelectorAll("[required][name]")].filter((input) => !input.value.trim());
    if (!blank.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    for (const input of blank) {
      input.setAttribute("aria-invalid", "true");
      input.insertAdjacentElement("afterend", el("p", { class: "field-error", text: "Required", dataset: { local: "" } }));
    }
    blank[0].focus();
  },
  true,
);
form.addEventListener("input", (event) => {
  const input = event.target;
  if (input.getAttribute("aria-invalid") !== "true" || !input.value.trim()) return;
  input.removeAttribute("aria-invalid");
  const note = input.nextElementSibling;
  if (note?.matches(".field-error")) note.remove();
});

// A new image in the gallery shows itself instead of a placeholder.
document.addEventListener("upload:done", (event) => {
  const upload = event.detail;
  if (upload.purpose !== "gig_media" || !upload.content_type.startsWith("image/")) return;
  const urls = form.querySelectorAll('[data-list="media_gallery"] [name="url"]');
  const url = [...urls].find((input) => input.value === upload.url);
  const figure = url?.closest("[data-item]")?.querySelector(".media-figure");
  figure?.replaceChildren(el("img", { class: "avatar square avatar-lg", src: upload.url, alt: "" }));
});
