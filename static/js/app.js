// Loaded on every page: declarative forms and buttons, the header's menu on a phone, relative
// times, log-out, the live notifications menu (unread count, newest first, a toast for each
// new one) and chat alerts (alerts.js). Pages listen for "rizeos:notification" events on
// document to update themselves live.

import { api, el, toast } from "./api.js";
import { bindForms } from "./forms.js";
import { renderTimes } from "./time.js";
import "./upload.js";

bindForms();
renderTimes();
setInterval(() => renderTimes(), 60 * 1000);

// Pages under /jobs and /gigs that belong to another section: posting and reviewing are
// hiring, editing a gig is freelancing.
const SECTIONS = [
  [/^\/(jobs\/(new|[^/]+\/(applicants|edit))|companies)(\/|$)/, "/hiring"],
  [/^\/gigs\/(new|[^/]+\/edit)$/, "/freelance"],
];

markCurrentPage();
headerMenu();

// The header link of the section we are in, for the eye and for screen readers.
function markCurrentPage() {
  const path = window.location.pathname;
  const here = SECTIONS.find(([pattern]) => pattern.test(path))?.[1] ?? path;
  const query = new URLSearchParams(window.location.search);
  for (const link of document.querySelectorAll(".topbar .nav a, #messages-link")) {
    const target = new URL(link.href);
    const section = target.pathname;
    // Links to one page with different queries (the orders dashboards' role) are told apart.
    const sameQuery = [...target.searchParams].every(([key, value]) => query.get(key) === value);
    if ((here === section || here.startsWith(`${section}/`)) && sameQuery) link.setAttribute("aria-current", "page");
  }
}

// Under 1280 px the nav sits behind #menu-button: it opens and closes the sheet, Escape or a
// click elsewhere closes it.
function headerMenu() {
  const button = document.getElementById("menu-button");
  const menu = document.getElementById("nav-menu");
  if (!button || !menu) return;
  const setOpen = (open) => {
    menu.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
    button.setAttribute("aria-label", open ? "Close menu" : "Menu");
  };
  button.addEventListener("click", () => setOpen(!menu.classList.contains("open")));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      setOpen(false);
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.classList.contains("open") && !menu.contains(event.target) && !button.contains(event.target)) setOpen(false);
  });
  // Back to a wide window: the sheet's state must not linger.
  window.matchMedia("(min-width: 1280px)").addEventListener("change", (event) => {
    if (event.matches) setOpen(false);
  });
}

const body = document.body;
const loggedIn = Boolean(body.dataset.userId);

document.getElementById("logout")?.addEventListener("click", async () => {
  try {
    // Calls still waiting on the live connections end quietly when the server drops the
    // ended session's sockets, and none of them reconnects.
    if (loggedIn) (await import("./live.js")).leave();
    await api("POST", "/api/auth/logout");
  } finally {
    window.location.assign("/");
  }
});

const ORDER_NEWS = {
  accept: "was accepted",
  decline: "was declined",
  deliver: "was delivered",
  request_revision: "needs a revision",
  complete: "is complete",
  auto_complete: "completed automatically",
  cancel: "was cancelled",
};

function orderStatusText(p) {
  const news = ORDER_NEWS[String(p.action || "").replaceAll("-", "_")] || `is now ${String(p.status).replaceAll("_", " ")}`;
  return `Order for “${p.gig_title}” ${news}`;
}

export function describe(notification) {
  const p = notification.payload || {};
  switch (notification.type) {
    case "application.created":
      return { text: `New application for “${p.job_title}”`, href: `/jobs/${p.job_id}/applicants` };
    case "application.status":
      return {
        text: `Application for “${p.job_title}” is now ${p.status}`,
        href: p.status === "withdrawn" ? `/jobs/${p.job_id}/applicants` : "/applications",
      };
    case "job_alert.match":
      return { text: `New job for your alert: “${p.job?.title}” at ${p.job?.company_name}`, href: `/jobs/${p.job?.id}` };
    case "order.created":
      return { text: `New order for “${p.gig_title}”`, href: `/orders/${p.order_id}` };
    case "order.status":
      return { text: orderStatusText(p), href: `/orders/${p.order_id}` };
    case "order.due_soon":
      return { text: `Order for “${p.gig_title}” is due soon`, href: `/orders/${p.order_id}` };
    case "order.reviewed":
      return { text: `New review for “${p.gig_title}”`, href: `/orders/${p.order_id}` };
    case "order.review_replied":
      return { text: `The freelancer replied to your review of “${p.gig_title}”`, href: `/orders/${p.order_id}` };
    case "profile.enriched":
      return { text: "Your profile was updated from your resume", href: "/profile" };
    case "account.export_ready":
      return { text: "Your data export is ready to download", href: "/settings/account#account-export" };
    default:
      if (notification.type.startsWith("membership.")) {
        const what = notification.type.slice("membership.".length);
        const href = what === "requested" || what === "left" ? `/organizations/${p.organization_id}/members` : "/organizations";
        return { text: `Membership ${what}: ${p.organization_name}`, href };
      }
      return { text: notification.type, href: "#" };
  }
}

function notificationsMenu() {
  const button = document.getElementById("notif-button");
  const panel = document.getElementById("notif-panel");
  const list = document.getElementById("notif-list");
  const count = document.getElementById("notif-count");
  if (!button) return;
  const seen = new Map();
  let lastId = 0;

  const setUnread = (n) => {
    count.textContent = String(n);
    count.hidden = n === 0;
    button.setAttribute("aria-label", `Notifications, ${n} unread`);
  };
  const render = () => {
    const items = [...seen.values()].sort((a, b) => b.id - a.id).slice(0, 20);
    list.replaceChildren(
      ...(items.length
        ? items.map((n) => {
            const { text, href } = describe(n);
            return el(
              "li",
              { class: n.read_at ? "" : "unread" },
              el(
                "a",
                { href, dataset: { id: n.id } },
                el("span", { text }),
                n.created_at ? el("time", { datetime: n.created_at, dataset: { relative: "" } }) : null,
              ),
            );
          })
        : [el("li", { class: "muted", text: "Nothing yet." })]),
    );
    renderTimes(list);
  };
  const add = (n) => {
    seen.set(n.id, n);
    lastId = Math.max(lastId, n.id);
  };

  list.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-id]");
    const n = link && seen.get(Number(link.dataset.id));
    if (!n || n.read_at) return;
    // Mark it read first, so the page it leads to already counts it as read.
    event.preventDefault();
    n.read_at = new Date().toISOString();
    setUnread(Math.max(0, Number(count.textContent) - 1));
    try {
      await api("POST", `/api/notifications/${n.id}/read`);
    } catch {
      // Still go: the mark is a nicety, the link is what was asked for.
    }
    window.location.assign(link.href);
  });
  button.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
  });
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !button.contains(event.target)) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
  document.getElementById("notif-read-all").addEventListener("click", async () => {
    if (!lastId) return;
    const answer = await api("POST", "/api/notifications/read", { up_to_id: lastId });
    for (const n of seen.values()) n.read_at = n.read_at || new Date().toISOString();
    setUnread(answer.unread);
    render();
  });

  // Pages update themselves from these events; their handlers are idempotent, so one that
  // happened between rendering the page and connecting the socket is replayed to be safe.
  const announce = (n) => document.dispatchEvent(new CustomEvent("rizeos:notification", { detail: n }));
  const renderedAt = performance.timeOrigin - 5000;

  Promise.all([api("GET", "/api/notifications?limit=20"), api("GET", "/api/notifications/unread-count")])
    .then(([page, unread]) => {
      page.items.forEach(add);
      [...page.items].reverse().filter((n) => Date.parse(n.created_at) >= renderedAt).forEach(announce);
      setUnread(unread.unread);
      render();
      return import("./live.js");
    })
    .then(({ socket, call }) => {
      const s = socket("/notifications");
      s.on("connect", async () => {
        // Catch up on whatever arrived while we were away (ids only grow).
        let answer;
        try {
          answer = await call(s, "sync", { after: lastId });
        } catch (error) {
          // Closed before the answer (log-out, leaving, a restart): the next connect syncs.
          if (error.code !== "disconnected") toast(`Could not load new notifications: ${error.message}`, "error");
          return;
        }
        answer.notifications.forEach(add);
        answer.notifications.forEach(announce);
        // They arrived after the page loaded its list: tell the user, as a live one would.
        if (answer.notifications.length > 3) {
          toast(`${answer.notifications.length} new notifications`);
        } else {
          answer.notifications.forEach((n) => toast(describe(n).text));
        }
        setUnread(answer.unread);
        render();
        // body[data-notifications=live]: the list is loaded and the socket caught up, so
        // anything from now on arrives live (with its toast).
        document.body.dataset.notifications = "live";
      });
      s.onAny((event, notification) => {
        if (!notification || typeof notification.id !== "number" || seen.has(notification.id)) return;
        add(notification);
        setUnread(Number(count.textContent) + 1);
        render();
        toast(describe(notification).text);
        announce(notification);
      });
    })
    .catch(() => {});
}

if (loggedIn) notificationsMenu();
// Chatting needs a confirmed address (the /chat socket refuses others), so do chat alerts.
if (loggedIn && body.dataset.verified === "true") import("./alerts.js").then(({ startAlerts }) => startAlerts());
