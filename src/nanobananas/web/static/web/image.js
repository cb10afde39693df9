// AI Image chat: talks to /api/v1 and follows each job's progress over Server-Sent Events.
"use strict";

(() => {
  const chat = document.getElementById("chat");
  const empty = document.getElementById("chat-empty");
  const form = document.getElementById("composer");
  const prompt = document.getElementById("prompt");
  const send = document.getElementById("send");
  const errorBox = document.getElementById("error");
  const newChat = document.getElementById("new-chat");
  let conversationId = null;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path, body) {
    const response = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      const message = data && data.error ? data.error.message : `Request failed (${response.status})`;
      throw new Error(message);
    }
    return data;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function formatExpiry(iso) {
    const date = new Date(iso);
    return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function bubble(role, text) {
    empty.hidden = true;
    const item = document.createElement("li");
    item.className = `turn ${role}`;
    const body = document.createElement("div");
    body.className = "bubble";
    const p = document.createElement("p");
    p.textContent = text;
    body.appendChild(p);
    item.appendChild(body);
    chat.appendChild(item);
    item.scrollIntoView({ block: "end", behavior: "smooth" });
    return body;
  }

  function renderAssets(container, assets) {
    for (const asset of assets) {
      const figure = document.createElement("figure");
      const link = document.createElement("a");
      link.href = asset.content_url;
      link.download = `nanobananas-${asset.id}.png`;
      const img = document.createElement("img");
      img.src = asset.content_url;
      img.alt = "Generated image";
      img.width = asset.width;
      img.height = asset.height;
      img.className = "result";
      link.appendChild(img);
      const caption = document.createElement("figcaption");
      caption.textContent = `${asset.width}×${asset.height} · deleted ${formatExpiry(asset.expires_at)} · `;
      const download = document.createElement("a");
      download.href = asset.content_url;
      download.download = `nanobananas-${asset.id}.png`;
      download.textContent = "Download";
      caption.appendChild(download);
      figure.append(link, caption);
      container.appendChild(figure);
    }
  }

  function renderMessage(message) {
    const body = bubble(message.role, message.text);
    renderAssets(body, message.assets);
  }

  function progressBubble(job) {
    const body = bubble("assistant pending", "");
    body.querySelector("p").remove();
    const status = document.createElement("p");
    status.className = "stage";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.className = "job-progress";
    body.append(status, bar);
    const update = (state) => {
      status.textContent = state.stage || "Working…";
      bar.value = state.progress || 0;
    };
    update(job);
    return { body, update };
  }

  function followJob(job) {
    const view = progressBubble(job);
    const item = view.body.parentElement;
    item.dataset.jobId = job.id;
    return new Promise((resolve) => {
      const source = new EventSource(job.events_url);
      const finish = () => { source.close(); item.classList.remove("pending"); resolve(); };
      for (const name of ["queued", "running"]) {
        source.addEventListener(name, (event) => view.update(JSON.parse(event.data)));
      }
      source.addEventListener("done", (event) => {
        const data = JSON.parse(event.data);
        view.body.replaceChildren();
        const p = document.createElement("p");
        p.textContent = data.result ? data.result.text : "Done.";
        view.body.appendChild(p);
        if (data.result) renderAssets(view.body, data.result.assets);
        finish();
      });
      for (const name of ["failed", "refused"]) {
        source.addEventListener(name, (event) => {
          const data = JSON.parse(event.data);
          view.body.replaceChildren();
          const p = document.createElement("p");
          p.className = "problem";
          p.textContent = data.error_message || "That did not work.";
          view.body.appendChild(p);
          finish();
        });
      }
      source.addEventListener("gone", finish);
      source.onerror = () => {
        // EventSource reconnects by itself; a closed stream after a terminal event is normal.
        if (source.readyState === EventSource.CLOSED) finish();
      };
    });
  }

  async function openConversation(id) {
    const detail = await api("GET", `/conversations/${id}`);
    conversationId = detail.id;
    window.location.hash = detail.id;
    chat.querySelectorAll(".turn").forEach((node) => node.remove());
    const jobsByRequest = new Map(detail.jobs.map((job) => [job.request_id, job]));
    for (const message of detail.messages) {
      renderMessage(message);
      const job = jobsByRequest.get(message.id);
      if (job && (job.status === "queued" || job.status === "running")) followJob(job);
      if (job && (job.status === "failed" || job.status === "refused")) {
        const body = bubble("assistant", job.error_message || "That did not work.");
        body.querySelector("p").className = "problem";
      }
    }
  }

  async function start() {
    const wanted = window.location.hash.slice(1);
    if (wanted) {
      try { await openConversation(wanted); return; } catch (error) { window.location.hash = ""; }
    }
    const page = await api("GET", "/conversations?limit=1");
    if (page.items.length) await openConversation(page.items[0].id);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    if (!text) { showError("Type what you would like to make."); return; }
    showError("");
    send.disabled = true;
    try {
      if (!conversationId) {
        const conversation = await api("POST", "/conversations", {});
        conversationId = conversation.id;
        window.location.hash = conversation.id;
      }
      const sent = await api("POST", `/conversations/${conversationId}/messages`, { text });
      prompt.value = "";
      renderMessage(sent.message);
      send.disabled = false;
      await followJob(sent.job);
    } catch (error) {
      showError(error.message);
    } finally {
      send.disabled = false;
    }
  });

  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  newChat.addEventListener("click", () => {
    conversationId = null;
    window.location.hash = "";
    chat.querySelectorAll(".turn").forEach((node) => node.remove());
    empty.hidden = false;
    prompt.focus();
  });

  start().catch((error) => showError(error.message));
})();
