// Thumbs up/down under every result image, and "Report a problem" in the footer of every page.
// Rating: PUT /api/v1/assets/{id}/feedback; bug report: POST /api/v1/bug-reports (see docs/analytics.md).
(function () {
  "use strict";

  const REASONS = [
    ["", "Why? (optional)"],
    ["not_followed", "Didn't follow my request"],
    ["low_quality", "Low quality"],
    ["wrong_text", "Wrong text"],
    ["other", "Other"],
  ];

  // The page's own token (pages without a form of their own set no cookie until they render one).
  const PAGE_TOKEN = (document.currentScript && document.currentScript.dataset.csrf) || "";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : PAGE_TOKEN;
  }

  async function send(method, path, body) {
    const response = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let message = `Could not send it (${response.status}).`;
      try { message = (await response.json()).error.message || message; } catch (_) { /* not JSON */ }
      throw new Error(message);
    }
    return response.status === 204 ? null : response.json();
  }

  // A drawn thumb rather than an emoji: it looks the same on a machine without an emoji font.
  function thumb(downwards) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", downwards ? "thumb down" : "thumb");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3");
    svg.append(path);
    return svg;
  }

  function ratingBar(assetId) {
    const bar = document.createElement("span");
    bar.className = "result-feedback";
    bar.dataset.feedbackFor = assetId;
    const up = document.createElement("button");
    const down = document.createElement("button");
    const reason = document.createElement("select");
    const status = document.createElement("span");
    status.className = "result-feedback-status";
    status.setAttribute("role", "status");
    up.type = down.type = "button";
    up.append(thumb(false));
    down.append(thumb(true));
    up.setAttribute("aria-label", "Good result");
    down.setAttribute("aria-label", "Bad result");
    up.setAttribute("aria-pressed", "false");
    down.setAttribute("aria-pressed", "false");
    reason.setAttribute("aria-label", "What was wrong");
    for (const [value, label] of REASONS) reason.append(new Option(label, value));
    reason.hidden = true;

    async function rate(rating) {
      try {
        const saved = await send("PUT", `/assets/${assetId}/feedback`, {
          rating, reason: rating === "down" ? reason.value : "",
        });
        up.setAttribute("aria-pressed", String(saved.rating === "up"));
        down.setAttribute("aria-pressed", String(saved.rating === "down"));
        reason.hidden = saved.rating !== "down";
        status.textContent = "Thanks, noted.";
      } catch (error) {
        status.textContent = error.message;
      }
    }
    up.addEventListener("click", () => rate("up"));
    down.addEventListener("click", () => rate("down"));
    reason.addEventListener("change", () => rate("down"));
    bar.append(" · ", up, down, reason, " ", status);
    return bar;
  }

  function addRatingBars(root) {
    for (const image of root.querySelectorAll("figure > img.result[data-asset-id]")) {
      const caption = image.parentElement.querySelector("figcaption");
      if (!caption || caption.querySelector(".result-feedback")) continue;
      caption.append(ratingBar(image.dataset.assetId));
    }
  }

  function bugReportForm() {
    const footer = document.querySelector("footer.footer");
    if (!footer || footer.querySelector(".bug-report")) return;
    const details = document.createElement("details");
    details.className = "bug-report";
    const summary = document.createElement("summary");
    summary.textContent = "Report a problem";
    const form = document.createElement("form");
    const text = document.createElement("textarea");
    text.name = "text";
    text.required = true;
    text.maxLength = 4000;
    text.rows = 3;
    text.setAttribute("aria-label", "What went wrong");
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = "Send";
    const status = document.createElement("span");
    status.setAttribute("role", "status");
    form.append(text, " ", submit, " ", status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await send("POST", "/bug-reports", { text: text.value, page: window.location.pathname });
        text.value = "";
        status.textContent = "Sent. Thank you.";
      } catch (error) {
        status.textContent = error.message;
      }
    });
    details.append(summary, form);
    footer.append(" · ", details);
  }

  function start() {
    bugReportForm();
    addRatingBars(document);
    new MutationObserver(() => addRatingBars(document)).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
