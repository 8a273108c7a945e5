// The order form on a gig's page (templates/partials/order_form.html): the chosen package,
// the requirements and the attachments uploaded with it (upload.js, purpose order_file) go
// to POST /api/gigs/{id}/orders; the new order's page opens. A refusal is shown next to the
// field it names (a package the gig does not offer, empty requirements, a file not yours).

import { api, ApiError } from "../api.js";
import { showProblem } from "../forms.js";
import { blankRequired, clearErrors } from "./order_parts.js";

const form = document.getElementById("order-form");

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const tier = form.querySelector("input[name=tier]:checked");
  const body = {
    tier: tier ? tier.value : null,
    requirements: form.querySelector("textarea[name=requirements]").value,
    attachments: [...form.querySelectorAll("[data-list=attachments] [data-items] input[name=url]")].map((i) => i.value),
  };
  const paths = new Map([
    ["tier", form.querySelector("#order-tier")],
    ["requirements", form.querySelector("#order-requirements")],
    ["attachments", form.querySelector("#order-attachments")],
  ]);
  const blank = blankRequired(form);
  if (blank) {
    showProblem(form, blank, paths);
    return;
  }
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  try {
    const order = await api("POST", `/api/gigs/${form.dataset.gigId}/orders`, body);
    window.location.assign(`/orders/${order.id}`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showProblem(form, error, paths);
    button.disabled = false;
  }
});
