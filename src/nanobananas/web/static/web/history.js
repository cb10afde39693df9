// History page: searches /api/v1/history and lists each image and video with its chat, dates, engine and prompt;
// an MP4 plays in place (poster frame, controls, only its metadata loaded until played) with its length and a
// download link.
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
    li.appendChild(item.poster_url ? player(item) : thumbnail(item));
    const body = document.createElement("div");
    const link = document.createElement("a");
    link.href = "/image/#" + item.conversation_id;
    link.textContent = item.conversation_title || "Untitled chat";
    link.className = "history-chat";
    body.appendChild(link);
    body.appendChild(text("span", " · " + label(item), "muted"));
    if (item.prompt) { body.appendChild(text("p", item.prompt, "history-prompt")); }
    const engine = item.made_with;
    body.appendChild(text("p",
      "Made " + when(item.created_at) + " · " + engine + " · will be deleted " + when(item.expires_at), "muted history-meta"));
    if (item.kind === "video") { body.appendChild(download(item)); }
    body.appendChild(actions(item, li));
    li.appendChild(body);
    return li;
  }

  function label(item) {
    if (item.kind === "upload") { return "Upload " + item.version; }
    if (item.kind === "video") { return "Video " + item.version + " · " + item.seconds.toFixed(1) + " s"; }
    return "Version " + item.version;
  }

  function thumbnail(item) {
    const thumb = document.createElement("img");
    thumb.src = item.content_url;
    thumb.alt = item.prompt || { upload: "Uploaded picture", video: "Animated loop" }[item.kind] || "Generated image";
    thumb.loading = "lazy";
    thumb.width = 96;
    return thumb;
  }

  function player(item) {
    const video = document.createElement("video");
    video.className = "history-video";
    video.controls = true;
    video.preload = "metadata";
    video.playsInline = true;
    video.poster = item.poster_url;
    video.src = item.content_url;
    video.width = 160;
    video.setAttribute("aria-label", item.prompt || "Video " + item.version);
    return video;
  }

  function download(item) {
    const extension = { "video/mp4": "mp4", "image/gif": "gif", "image/webp": "webp" }[item.content_type] || "mp4";
    const link = document.createElement("a");
    link.href = item.content_url;
    link.download = "nanobananas-video-" + item.version + "." + extension;
    link.className = "history-download";
    link.textContent = "Download " + extension.toUpperCase();
    const line = document.createElement("p");
    line.className = "history-actions";
    line.appendChild(link);
    return line;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function send(method, path) {
    const response = await fetch("/api/v1" + path, {
      method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() },
    });
    if (!response.ok) {
      const body = await response.json().catch(function () { return {}; });
      throw new Error((body.error && body.error.message) || "Something went wrong.");
    }
  }

  // Per item: the commercial-use mark (keeps it out of AI training without a separate consent) and Delete.
  function actions(item, li) {
    const bar = document.createElement("p");
    bar.className = "history-actions";
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "commercial-toggle";
    box.checked = item.commercial;
    box.addEventListener("change", async function () {
      box.disabled = true;
      try {
        await send(box.checked ? "PUT" : "DELETE", "/me/images/" + item.asset_id + "/commercial");
      } catch (error) {
        box.checked = !box.checked;
        problem.textContent = error.message;
        problem.hidden = false;
      }
      box.disabled = false;
    });
    label.append(box, " Commercial use");
    const remove = text("button", "Delete", "link-button delete-image");
    remove.type = "button";
    remove.addEventListener("click", async function () {
      if (!window.confirm("Delete this image? It is hidden at once and erased at the next cleanup.")) { return; }
      try {
        await send("DELETE", "/assets/" + item.asset_id);
        li.remove();
        empty.hidden = list.children.length > 0;
      } catch (error) {
        problem.textContent = error.message;
        problem.hidden = false;
      }
    });
    bar.append(label, " · ", remove);
    return bar;
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
