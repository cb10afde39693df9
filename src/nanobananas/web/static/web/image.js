// AI Image chat: talks to /api/v1 and follows each job's progress over Server-Sent Events.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const chat = $("chat");
  const empty = $("chat-empty");
  const form = $("composer");
  const prompt = $("prompt");
  const send = $("send");
  const fileInput = $("files");
  const attachments = $("attachments");
  const errorBox = $("error");
  const downloadAll = $("download-all");
  const deleteChat = $("delete-chat");
  let conversationId = null;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path, body) {
    const headers = { "X-CSRFToken": csrfToken() };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    const response = await fetch(`/api/v1${path}`, { method, credentials: "same-origin", headers, body: payload });
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      throw new Error(data && data.error ? data.error.message : `Request failed (${response.status})`);
    }
    return data;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function formatTime(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bubble(role, text) {
    empty.hidden = true;
    const item = element("li", `turn ${role}`);
    const body = element("div", "bubble");
    if (text) body.appendChild(element("p", "", text));
    item.appendChild(body);
    chat.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return body;
  }

  function downloadLink(asset, format, label) {
    const link = element("a", "", label);
    const url = new URL(asset.content_url, window.location.origin);
    url.searchParams.set("format", format);
    link.href = url.pathname + url.search;
    link.download = "";
    return link;
  }

  function deleteButton(asset, figure) {
    const button = element("button", "link-button delete-image", "Delete");
    button.type = "button";
    button.setAttribute("aria-label", `Delete ${asset.label}`);
    button.addEventListener("click", async () => {
      if (!window.confirm(`Delete ${asset.label}? It is hidden at once and erased at the next cleanup.`)) return;
      try {
        await api("DELETE", `/assets/${asset.id}`);
        figure.replaceWith(element("p", "deleted-image", `${asset.label} deleted just now (you deleted it).`));
      } catch (error) { showError(error.message); }
    });
    return button;
  }

  function renderAssets(container, assets) {
    for (const asset of assets) {
      const figure = element("figure");
      const img = element("img", asset.kind === "result" ? "result" : "upload");
      img.src = asset.content_url;
      img.alt = asset.label;
      img.width = asset.width;
      img.height = asset.height;
      img.dataset.assetId = asset.id;
      const caption = element("figcaption");
      caption.append(
        element("strong", "", asset.label),
        ` · ${asset.width}×${asset.height} · `,
        element("span", asset.sent_to_provider && asset.sent_to_provider.provider ? "made-with third-party" : "made-with", asset.made_with),
        ` · to be deleted ${formatTime(asset.expires_at)} · `,
        downloadLink(asset, "original", "Download"), " ",
        downloadLink(asset, "jpeg", "JPEG"), " ",
        downloadLink(asset, "webp", "WebP"), " ",
        deleteButton(asset, figure),
      );
      figure.append(img, caption);
      container.appendChild(figure);
    }
  }

  function renderMessage(message) {
    const body = bubble(message.role, message.text);
    renderAssets(body, message.assets);
    for (const gone of message.deleted_images || []) {
      const why = { retention: "retention", moderation: "removed after review" }[gone.reason] || "you deleted it";
      const label = gone.number ? `Image ${gone.number}` : "Image";
      body.appendChild(element("p", "deleted-image", `${label} deleted on ${formatTime(gone.deleted_at)} (${why}).`));
    }
    return body;
  }

  function renderProblem(body, job) {
    body.replaceChildren(element("p", "problem", job.error_message || "That did not work."));
    if (job.status === "failed") {
      const retry = element("button", "button small", "Try again");
      retry.type = "button";
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        try {
          const again = await api("POST", `/jobs/${job.id}/retry`);
          body.parentElement.remove();
          await followJob(again);
        } catch (error) { showError(error.message); retry.disabled = false; }
      });
      body.appendChild(retry);
    }
  }

  function followJob(job) {
    const body = bubble("assistant pending", "");
    const stage = element("p", "stage", job.stage || "Working…");
    const bar = element("progress", "job-progress");
    bar.max = 100;
    bar.value = job.progress || 0;
    body.append(stage, bar);
    const item = body.parentElement;
    return new Promise((resolve) => {
      const source = new EventSource(job.events_url);
      const finish = () => { source.close(); item.classList.remove("pending"); refreshActions(); resolve(); };
      for (const name of ["queued", "running"]) {
        source.addEventListener(name, (event) => {
          const state = JSON.parse(event.data);
          stage.textContent = state.stage || "Working…";
          bar.value = state.progress || 0;
        });
      }
      source.addEventListener("done", (event) => {
        const data = JSON.parse(event.data);
        body.replaceChildren(element("p", "", data.result ? data.result.text : "Done."));
        if (data.result) renderAssets(body, data.result.assets);
        finish();
      });
      for (const name of ["failed", "refused"]) {
        source.addEventListener(name, (event) => { renderProblem(body, JSON.parse(event.data)); finish(); });
      }
      source.addEventListener("gone", finish);
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(); };
    });
  }

  function refreshActions() {
    const hasChat = Boolean(conversationId);
    deleteChat.hidden = !hasChat;
    downloadAll.hidden = !(hasChat && chat.querySelector("img"));
    if (hasChat) downloadAll.href = `/api/v1/conversations/${conversationId}/download`;
  }

  function clearChat() {
    chat.querySelectorAll(".turn").forEach((node) => node.remove());
    empty.hidden = false;
  }

  async function openConversation(id) {
    const detail = await api("GET", `/conversations/${id}`);
    conversationId = detail.id;
    window.location.hash = detail.id;
    clearChat();
    const jobsByRequest = new Map(detail.jobs.map((job) => [job.request_id, job]));
    const following = [];
    for (const message of detail.messages) {
      renderMessage(message);
      const job = jobsByRequest.get(message.id);
      if (!job) continue;
      if (job.status === "queued" || job.status === "running") following.push(job);
      if (job.status === "failed" || job.status === "refused") renderProblem(bubble("assistant", ""), job);
    }
    refreshActions();
    for (const job of following) followJob(job);
  }

  async function start() {
    const wanted = window.location.hash.slice(1);
    if (wanted) {
      try { await openConversation(wanted); return; } catch (error) { window.location.hash = ""; }
    }
    const page = await api("GET", "/conversations?limit=1");
    if (page.items.length) await openConversation(page.items[0].id);
  }

  function showAttachments() {
    const names = Array.from(fileInput.files).map((file) => file.name);
    attachments.textContent = names.length ? `Attached: ${names.join(", ")}` : "";
    attachments.hidden = !names.length;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    const files = Array.from(fileInput.files);
    if (!text && !files.length) { showError("Type what you would like to make."); return; }
    showError("");
    send.disabled = true;
    try {
      if (!conversationId) {
        const conversation = await api("POST", "/conversations", {});
        conversationId = conversation.id;
        window.location.hash = conversation.id;
      }
      const body = new FormData();
      body.append("text", text);
      for (const file of files) body.append("files[]", file, file.name);
      const sent = await api("POST", `/conversations/${conversationId}/messages`, body);
      prompt.value = "";
      fileInput.value = "";
      showAttachments();
      renderMessage(sent.message);
      refreshActions();
      send.disabled = false;
      if (sent.job) await followJob(sent.job);
      else await openConversation(conversationId);
    } catch (error) {
      showError(error.message);
    } finally {
      send.disabled = false;
    }
  });

  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  fileInput.addEventListener("change", showAttachments);
  form.addEventListener("dragover", (event) => { event.preventDefault(); form.classList.add("dropping"); });
  form.addEventListener("dragleave", () => form.classList.remove("dropping"));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    form.classList.remove("dropping");
    fileInput.files = event.dataTransfer.files;
    showAttachments();
  });

  $("new-chat").addEventListener("click", () => {
    conversationId = null;
    window.location.hash = "";
    clearChat();
    refreshActions();
    prompt.focus();
  });

  deleteChat.addEventListener("click", async () => {
    if (!conversationId || !window.confirm("Delete this chat with all its pictures? This cannot be undone.")) return;
    try {
      await api("DELETE", `/conversations/${conversationId}`);
      conversationId = null;
      window.location.hash = "";
      clearChat();
      refreshActions();
    } catch (error) { showError(error.message); }
  });

  start().catch((error) => showError(error.message));
})();
