// Relative times in the reader's own time zone: the server renders <time datetime=ISO
// data-relative> with a readable UTC fallback (macro reltime); renderTimes() turns each into
// "5 min ago", with the exact local date and time (and zone) on hover.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "3 days ago", then a date ("4 Mar" or
 *  "4 Mar 2025" when not this year). Times in the future (clock skew) count as "just now"
 *  when close, else as a date. */
export function formatRelative(date, now = new Date()) {
  const when = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(when.getTime())) return "";
  const ago = now.getTime() - when.getTime();
  if (ago < MINUTE && ago > -5 * MINUTE) return "just now";
  if (ago > 0 && ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  const days = Math.round((startOfDay(now) - startOfDay(when)) / DAY);
  if (ago > 0 && days === 0) return `${Math.floor(ago / HOUR)} h ago`;
  if (days === 1) return "yesterday";
  if (days > 1 && days < 7) return `${days} days ago`;
  const options = { day: "numeric", month: "short" };
  if (when.getFullYear() !== now.getFullYear()) options.year = "numeric";
  return when.toLocaleDateString(undefined, options);
}

/** The full local date and time with the time zone's name, e.g. "Sunday, 6 December 2026 at
 *  16:05 (Central European Standard Time)". */
export function exactTime(date) {
  const when = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(when.getTime())) return "";
  const text = when.toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
  const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "long" })
    .formatToParts(when)
    .find((part) => part.type === "timeZoneName")?.value;
  return zone ? `${text} (${zone})` : text;
}

/** Every time[data-relative] under root: relative text, exact local time as its title. */
export function renderTimes(root = document) {
  const now = new Date();
  const nodes = root instanceof Element && root.matches("time[data-relative]") ? [root] : [];
  nodes.push(...root.querySelectorAll("time[data-relative]"));
  for (const node of nodes) {
    const value = node.getAttribute("datetime");
    if (!value) continue;
    const when = new Date(value);
    if (Number.isNaN(when.getTime())) continue;
    const prefix = node.dataset.prefix ?? "";
    node.textContent = prefix + formatRelative(when, now);
    node.title = exactTime(when);
  }
}
