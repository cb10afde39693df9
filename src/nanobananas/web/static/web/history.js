// History page: searches /api/v1/history and lists each image with its chat, dates, engine and prompt.
(function () {
  "use strict";

  const form = document.getElementById("history-form");
  const list = document.getElementById("history-list");
  const more = document.getElementById("history-more");
  const problem = document.getElementById("history-error");
  const empty = document.getElementById("history-empty");
  const PAGE = 30;
  let cursor = null;
  let filters = null;

  function when(iso) {
    const at = new Date(iso);
    return at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function row(item) {
    const li = document.createElement("li");
    li.className = "history-item";
    li.dataset.assetId = item.asset_id;
    const thumb = document.createElement("img");
    thumb.src = item.content_url;
    thumb.alt = item.prompt || (item.kind === "upload" ? "Uploaded picture" : "Generated image");
    thumb.loading = "lazy";
    thumb.width = 96;
    li.appendChild(thumb);
    const body = document.createElement("div");
    const link = document.createElement("a");
    link.href = "/image/#" + item.conversation_id;
    link.textContent = item.conversation_title || "Untitled chat";
    link.className = "history-chat";
    body.appendChild(link);
    const label = item.kind === "upload" ? "Upload " + item.version : "Version " + item.version;
    body.appendChild(text("span", " · " + label, "muted"));
    if (item.prompt) { body.appendChild(text("p", item.prompt, "history-prompt")); }
    const engine = item.made_with;
    body.appendChild(text("p",
      "Made " + when(item.created_at) + " · " + engine + " · will be deleted " + when(item.expires_at), "muted history-meta"));
    li.appendChild(body);
    return li;
  }

  async function load(reset) {
    const params = new URLSearchParams(filters);
    params.set("limit", String(PAGE));
    if (!reset && cursor) { params.set("cursor", cursor); }
    problem.hidden = true;
    more.disabled = true;
    let response;
    try {
      response = await fetch("/api/v1/history?" + params.toString(), { credentials: "same-origin" });
    } catch (error) {
      problem.textContent = "Could not reach the server. Try again.";
      problem.hidden = false;
      more.disabled = false;
      return;
    }
    const body = await response.json().catch(function () { return {}; });
    more.disabled = false;
    if (!response.ok) {
      problem.textContent = (body.error && body.error.message) || "Something went wrong.";
      problem.hidden = false;
      return;
    }
    if (reset) { list.replaceChildren(); }
    body.items.forEach(function (item) { list.appendChild(row(item)); });
    cursor = body.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.children.length > 0;
  }

  function readFilters() {
    const data = new FormData(form);
    const chosen = {};
    data.forEach(function (value, key) { if (value) { chosen[key] = value; } });
    return chosen;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    filters = readFilters();
    cursor = null;
    load(true);
  });
  more.addEventListener("click", function () { load(false); });
  filters = readFilters();
  load(true);
})();
