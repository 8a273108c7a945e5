// A person's or an organization's picture, or their initials on a colour of their own: the
// same rules as the server's `initials` and `hue` filters (server/pages/filters.py), so a row
// a page adds live looks exactly like the same row after a reload.

import { el } from "./api.js";

const HUES = 8;

export function initials(name) {
  const words = (name || "").replace(/@/g, " ").split(/\s+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  if (!words.length) return "?";
  const first = [...words[0]][0];
  const last = words.length > 1 ? [...words[words.length - 1]][0] : "";
  return (first + last).toUpperCase();
}

export function hue(key) {
  let hash = 0;
  for (const ch of String(key)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % HUES;
}

export function avatar(name, { url = null, key = null, size = "md", square = false } = {}) {
  const shape = square ? " square" : "";
  if (url) return el("img", { class: `avatar${shape} avatar-${size}`, src: url, alt: "", loading: "lazy" });
  return el("span", {
    class: `avatar${shape} avatar-${size} hue-${hue(key ?? name)}`,
    "aria-hidden": "true",
    text: initials(name),
  });
}
