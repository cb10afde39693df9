// AI Image editor: the current image large, its versions, compare, a mask brush and the conversation.
// Talks to /api/v1 and follows each job's progress over Server-Sent Events.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const studio = $("studio");
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
  const viewer = $("viewer");
  const frame = $("viewer-frame");
  const current = $("current-image");
  const before = $("before-image");
  const maskCanvas = $("mask-canvas");
  const versionStrip = $("versions");
  const suggestions = $("suggestions");
  const compareWith = $("compare-with");
  const split = $("compare-split");

  const MASK_NAME = "painted-area.png"; // the file name the brush's mask is sent under
  let conversationId = null;
  let versions = [];
  let shown = null; // the version on the large view
  let baseVersion = null; // "continue from here": the next message edits this version
  let pending = []; // pictures attached to the next message
  let tool = null; // "brush" | "eraser" | null
  let painted = false;
  const running = new Set(); // ids of the jobs being followed

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  class ApiError extends Error {
    constructor(message, code) { super(message); this.code = code; }
  }

  async function api(method, path, body) {
    const headers = { "X-CSRFToken": csrfToken() };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    const response = await fetch(`/api/v1${path}`, { method, credentials: "same-origin", headers, body: payload });
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      const error = data && data.error ? data.error : {};
      throw new ApiError(error.message || `Request failed (${response.status})`, error.code || "");
    }
    return data;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showError(message, code) {
    errorBox.replaceChildren();
    errorBox.hidden = !message;
    if (!message) return;
    errorBox.append(message);
    // A guest who ran out of images is offered what raises the limit.
    if (code === "quota_exceeded" && studio.dataset.guest === "true") {
      const signup = element("a", "button small primary", "Sign up free");
      signup.href = studio.dataset.signupUrl;
      errorBox.append(" ", signup);
    }
  }

  function formatTime(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function timeLeft(iso) {
    const minutes = Math.max(0, Math.floor((new Date(iso) - Date.now()) / 60000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} days`;
  }

  function contentUrl(asset, format) {
    const url = new URL(asset.content_url, window.location.origin);
    if (format) url.searchParams.set("format", format);
    return url.pathname + url.search;
  }

  function downloadLink(asset, format, label) {
    const link = element("a", "", label);
    link.href = contentUrl(asset, format);
    link.download = "";
    return link;
  }

  // The conversation -----------------------------------------------------------------------------

  function bubble(role, text) {
    empty.hidden = true;
    const item = element("li", `turn ${role}`);
    const body = element("div", "bubble");
    if (text) body.appendChild(element("p", "", text));
    item.appendChild(body);
    chat.appendChild(item);
    chat.scrollTop = chat.scrollHeight;
    return body;
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
        await loadVersions();
      } catch (error) { showError(error.message, error.code); }
    });
    return button;
  }

  // The area painted with the brush: its shape in the frame of the picture it was painted on, not a photo.
  function paintedArea(asset) {
    const figure = element("figure", "painted-area");
    const frame = element("span", "painted-frame");
    frame.setAttribute("role", "img");
    frame.setAttribute("aria-label", "The area you painted");
    frame.style.aspectRatio = `${asset.width} / ${asset.height}`;
    const shape = element("span", "painted-shape");
    shape.style.setProperty("--painted", `url("${asset.content_url}")`);
    frame.appendChild(shape);
    figure.append(frame, element("figcaption", "", "Painted area"));
    return figure;
  }

  function renderAssets(container, assets) {
    for (const asset of assets) {
      if (asset.operation === "mask") {
        container.appendChild(paintedArea(asset));
        continue;
      }
      const figure = element("figure");
      // A video made in the chat plays in place, its first frame as poster (GIF and WebP loops are images).
      const isVideo = asset.kind === "video";
      const playable = isVideo && asset.content_type.startsWith("video/");
      const img = element(playable ? "video" : "img", isVideo ? "result video" : asset.kind === "result" ? "result" : "upload");
      if (playable) {
        img.controls = true;
        img.preload = "metadata";
        img.poster = `/api/v1/videos/${asset.id}/poster`;
        img.style.maxWidth = "100%";
        img.style.height = "auto";
      }
      img.src = asset.content_url;
      img.alt = asset.label;
      img.width = asset.width;
      img.height = asset.height;
      img.dataset.assetId = asset.id;
      img.addEventListener("load", () => { chat.scrollTop = chat.scrollHeight; }, { once: true });
      if (asset.kind === "result") img.addEventListener("click", () => showVersion(asset.number));
      const caption = element("figcaption");
      const thirdParty = Boolean(asset.sent_to_provider && asset.sent_to_provider.provider);
      const origin = asset.kind !== "upload" ? asset.made_with : "uploaded by you";
      caption.append(
        element("strong", "", asset.label),
        ` · ${asset.width}×${asset.height} · `,
        element("span", thirdParty ? "made-with third-party" : "made-with", origin),
        ` · to be deleted ${formatTime(asset.expires_at)} · `,
        downloadLink(asset, "original", "Download"), " ",
        ...(isVideo ? [] : [downloadLink(asset, "jpeg", "JPEG"), " ", downloadLink(asset, "webp", "WebP"), " "]),
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
    const said = job.error_code === "cancelled" ? "Cancelled." : job.error_message || "That did not work.";
    body.replaceChildren(element("p", "problem", said));
    if (job.status === "failed") {
      const retry = element("button", "button small", "Try again");
      retry.type = "button";
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        try {
          const again = await api("POST", `/jobs/${job.id}/retry`);
          body.parentElement.remove();
          await followJob(again);
        } catch (error) { showError(error.message, error.code); retry.disabled = false; }
      });
      body.appendChild(retry);
    }
  }

  function setBusy(stage, progress) {
    $("viewer-busy").hidden = running.size === 0;
    $("viewer-stage").textContent = stage || "Working…";
    $("viewer-progress").value = progress || 0;
  }

  function followJob(job) {
    const body = bubble("assistant pending", "");
    const stage = element("p", "stage", job.stage || "Working…");
    const bar = element("progress", "job-progress");
    bar.max = 100;
    bar.value = job.progress || 0;
    body.append(stage, bar);
    const item = body.parentElement;
    running.add(job.id);
    setBusy(job.stage, job.progress);
    suggestions.hidden = true;
    return new Promise((resolve) => {
      const source = new EventSource(job.events_url);
      let finished = false;
      const finish = async (result) => {
        if (finished) return;
        finished = true;
        source.close();
        item.classList.remove("pending");
        running.delete(job.id);
        setBusy("", 0);
        refreshActions();
        if (result) {
          await loadVersions();
          const made = result.assets.filter((asset) => asset.kind === "result");
          if (made.length) {
            showVersion(made[made.length - 1].number);
            showSuggestions(made[made.length - 1]);
          }
        }
        resolve();
      };
      for (const name of ["queued", "running"]) {
        source.addEventListener(name, (event) => {
          const state = JSON.parse(event.data);
          stage.textContent = state.stage || "Working…";
          bar.value = state.progress || 0;
          setBusy(state.stage, state.progress);
        });
      }
      source.addEventListener("done", (event) => {
        const data = JSON.parse(event.data);
        body.replaceChildren(element("p", "", data.result ? data.result.text : "Done."));
        if (data.result) renderAssets(body, data.result.assets);
        finish(data.result);
      });
      for (const name of ["failed", "refused"]) {
        source.addEventListener(name, (event) => { renderProblem(body, JSON.parse(event.data)); finish(null); });
      }
      source.addEventListener("gone", () => finish(null));
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(null); };
    });
  }

  // Suggestions: two to four next steps that fit what was just made; a click sends one.
  const NEXT_STEPS = {
    generate: ["make the background dark blue", "resize for Instagram", "make it warmer", "crop to a square"],
    edit: ["increase the contrast", "make it brighter", "resize for Instagram", "make it black and white"],
    photo: ["remove the background", "make it brighter", "blur the background", "crop to a square"],
  };

  function showSuggestions(asset) {
    const kind = asset.operation === "generate" ? "generate" : asset.parent_id ? "edit" : "photo";
    const said = new Set(Array.from(chat.querySelectorAll(".turn.user .bubble > p")).map((p) => p.textContent.trim().toLowerCase()));
    const picks = NEXT_STEPS[kind].filter((text) => !said.has(text)).slice(0, 3);
    suggestions.replaceChildren();
    for (const text of picks) {
      const item = element("li");
      const chip = element("button", "chip", text);
      chip.type = "button";
      chip.addEventListener("click", () => { prompt.value = text; form.requestSubmit(); });
      item.appendChild(chip);
      suggestions.appendChild(item);
    }
    suggestions.hidden = picks.length === 0;
  }

  // The large view, the version strip and compare -----------------------------------------------------

  async function loadVersions() {
    if (!conversationId) return;
    const detail = await api("GET", `/conversations/${conversationId}`);
    setVersions(detail.versions);
  }

  function setVersions(list) {
    versions = list;
    versionStrip.replaceChildren();
    for (const asset of versions) {
      const item = element("li");
      const button = element("button", "version");
      button.type = "button";
      button.dataset.number = asset.number;
      button.setAttribute("aria-label", `${asset.label}, ${asset.width}×${asset.height}`);
      const thumb = element("img");
      thumb.src = asset.content_url;
      thumb.alt = "";
      thumb.loading = "lazy";
      button.append(thumb, element("span", "", `V${asset.number}`));
      button.addEventListener("click", () => showVersion(asset.number));
      item.appendChild(button);
      versionStrip.appendChild(item);
    }
    versionStrip.hidden = versions.length === 0;
    const stillThere = shown && versions.find((asset) => asset.number === shown.number);
    if (stillThere) showVersion(stillThere.number);
    else if (versions.length) showVersion(versions[versions.length - 1].number);
    else clearView();
  }

  function clearView() {
    shown = null;
    frame.hidden = true;
    $("toolbar").hidden = true;
    $("viewer-empty").hidden = false;
    $("details").textContent = "";
    versionStrip.hidden = true;
    suggestions.hidden = true;
    setTool(null);
    setBaseVersion(null);
  }

  function showVersion(number) {
    const asset = versions.find((candidate) => candidate.number === number);
    if (!asset) return;
    const changed = !shown || shown.id !== asset.id;
    shown = asset;
    $("viewer-empty").hidden = true;
    frame.hidden = false;
    $("toolbar").hidden = false;
    current.src = asset.content_url;
    current.alt = `${asset.label}: the current image`;
    current.width = asset.width;
    current.height = asset.height;
    for (const button of versionStrip.querySelectorAll(".version")) {
      const here = Number(button.dataset.number) === number;
      button.setAttribute("aria-current", here ? "true" : "false");
      button.tabIndex = here ? 0 : -1;
    }
    $("download-png").href = contentUrl(asset, "png");
    $("download-jpeg").href = contentUrl(asset, "jpeg");
    $("download-webp").href = contentUrl(asset, "webp");
    const origin = asset.made_with + (asset.model && !asset.made_with.includes(asset.model) ? ` (${asset.model})` : "");
    $("details").textContent = `${asset.label} · ${asset.width}×${asset.height} px · ${origin} · deleted in ${timeLeft(asset.expires_at)} (${formatTime(asset.expires_at)})`;
    $("continue-from").hidden = number === versions[versions.length - 1].number && baseVersion === null;
    if (changed) {
      resetMask();
      fillCompareChoices();
    }
  }

  function fillCompareChoices() {
    compareWith.replaceChildren();
    const others = versions.filter((asset) => asset.id !== shown.id);
    for (const asset of others) {
      const option = element("option", "", `Before: ${asset.label}`);
      option.value = asset.number;
      compareWith.appendChild(option);
    }
    const parent = others.find((asset) => asset.id === shown.parent_id);
    const earlier = others.filter((asset) => asset.number < shown.number);
    const choice = parent || earlier[earlier.length - 1] || others[0];
    if (choice) compareWith.value = String(choice.number);
    $("compare").disabled = others.length === 0;
    if (!others.length) setCompare(false);
    else if ($("compare").getAttribute("aria-pressed") === "true") setCompare(true);
  }

  function setCompare(on) {
    const other = versions.find((asset) => String(asset.number) === compareWith.value);
    const active = Boolean(on && other);
    $("compare").setAttribute("aria-pressed", String(active));
    for (const node of [before, compareWith, split, $("split-line"), $("before-tag"), $("after-tag")]) node.hidden = !active;
    if (!active) return;
    if (tool) setTool(null);
    before.src = other.content_url;
    $("before-tag").textContent = other.label;
    $("after-tag").textContent = shown.label;
    updateSplit();
  }

  function updateSplit() {
    frame.style.setProperty("--split", `${split.value}%`);
  }

  function setZoom(on) {
    viewer.classList.toggle("zoomed", on);
    $("zoom").setAttribute("aria-pressed", String(on));
    $("zoom").textContent = on ? "Fit to view" : "Zoom 100%";
  }

  function setBaseVersion(number) {
    baseVersion = number;
    $("branching").hidden = number === null;
    $("branching-text").textContent = number === null ? "" : `Your next message changes version ${number}.`;
  }

  // The mask: paint the area to change (it is sent with the next message) ----------------------------

  function resetMask() {
    painted = false;
    $("mask-note").hidden = true;
    if (!shown) return;
    maskCanvas.width = shown.width;
    maskCanvas.height = shown.height;
  }

  function setTool(name) {
    tool = name;
    $("brush").setAttribute("aria-pressed", String(name === "brush"));
    $("eraser").setAttribute("aria-pressed", String(name === "eraser"));
    maskCanvas.hidden = name === null && !painted;
    maskCanvas.style.pointerEvents = name === null ? "none" : "auto";
    if (name) setCompare(false);
  }

  // One stroke segment from the last point to this one (round ends), so a quick drag leaves no gaps.
  let last = null;
  function paintAt(event) {
    const box = maskCanvas.getBoundingClientRect();
    const scale = maskCanvas.width / box.width;
    const point = { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale };
    const from = last || point;
    const context = maskCanvas.getContext("2d");
    context.globalCompositeOperation = tool === "eraser" ? "destination-out" : "source-over";
    context.strokeStyle = "rgb(255, 64, 129)";
    context.lineWidth = Number($("brush-size").value) * scale;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(point.x, point.y);
    context.stroke();
    last = point;
  }

  function hasPaint() {
    const { data } = maskCanvas.getContext("2d").getImageData(0, 0, maskCanvas.width, maskCanvas.height);
    for (let index = 3; index < data.length; index += 4) if (data[index]) return true;
    return false;
  }

  // The mask the API takes: opaque where the picture stays, transparent where it may change.
  function maskBlob() {
    const out = document.createElement("canvas");
    out.width = maskCanvas.width;
    out.height = maskCanvas.height;
    const context = out.getContext("2d");
    context.fillStyle = "#000";
    context.fillRect(0, 0, out.width, out.height);
    context.globalCompositeOperation = "destination-out";
    context.drawImage(maskCanvas, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }

  let drawing = false;
  maskCanvas.addEventListener("pointerdown", (event) => {
    if (!tool) return;
    drawing = true;
    last = null;
    maskCanvas.setPointerCapture(event.pointerId);
    paintAt(event);
  });
  maskCanvas.addEventListener("pointermove", (event) => { if (drawing && tool) paintAt(event); });
  for (const name of ["pointerup", "pointercancel"]) {
    maskCanvas.addEventListener(name, () => {
      if (!drawing) return;
      drawing = false;
      last = null;
      painted = hasPaint();
      $("mask-note").hidden = !painted;
    });
  }

  // The page ---------------------------------------------------------------------------------------

  function refreshActions() {
    const hasChat = Boolean(conversationId);
    deleteChat.hidden = !hasChat;
    downloadAll.hidden = !(hasChat && chat.querySelector("img"));
    if (hasChat) downloadAll.href = `/api/v1/conversations/${conversationId}/download`;
  }

  function clearChat() {
    chat.querySelectorAll(".turn").forEach((node) => node.remove());
    empty.hidden = false;
    clearView();
    versions = [];
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
    setVersions(detail.versions);
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
    attachments.replaceChildren();
    pending.forEach((file, index) => {
      const chip = element("span", "attachment");
      const preview = element("img");
      preview.alt = "";
      preview.src = URL.createObjectURL(file);
      preview.addEventListener("load", () => URL.revokeObjectURL(preview.src), { once: true });
      const remove = element("button", "link-button", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${file.name}`);
      remove.addEventListener("click", () => { pending.splice(index, 1); showAttachments(); prompt.focus(); });
      chip.append(preview, element("span", "", file.name), remove);
      attachments.appendChild(chip);
    });
    attachments.hidden = pending.length === 0;
  }

  function attach(files) {
    const images = Array.from(files).filter((file) => file.type.startsWith("image/"));
    if (!images.length) return;
    pending = pending.concat(images);
    showAttachments();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    const files = pending.slice();
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
      const base = baseVersion !== null ? baseVersion : (painted && shown ? shown.number : null);
      if (base !== null) body.append("base_version", String(base));
      if (painted && shown && text) body.append("mask", await maskBlob(), MASK_NAME);
      const sent = await api("POST", `/conversations/${conversationId}/messages`, body);
      prompt.value = "";
      pending = [];
      showAttachments();
      setBaseVersion(null);
      setTool(null);
      resetMask();
      maskCanvas.hidden = true;
      renderMessage(sent.message);
      refreshActions();
      send.disabled = false;
      if (sent.job) await followJob(sent.job);
      else await openConversation(conversationId);
    } catch (error) {
      showError(error.message, error.code);
    } finally {
      send.disabled = false;
    }
  });

  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  prompt.addEventListener("paste", (event) => {
    const files = Array.from(event.clipboardData ? event.clipboardData.files : []);
    if (files.length) { event.preventDefault(); attach(files); }
  });
  $("attach").addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => { attach(fileInput.files); fileInput.value = ""; });
  form.addEventListener("dragover", (event) => { event.preventDefault(); form.classList.add("dropping"); });
  form.addEventListener("dragleave", () => form.classList.remove("dropping"));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    form.classList.remove("dropping");
    attach(event.dataTransfer.files);
  });

  // Arrow keys move along the version strip; Home and End jump to the ends.
  versionStrip.addEventListener("keydown", (event) => {
    if (!shown || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    event.preventDefault();
    const index = versions.findIndex((asset) => asset.id === shown.id);
    const next = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: versions.length - 1 }[event.key];
    const target = versions[Math.max(0, Math.min(versions.length - 1, next))];
    showVersion(target.number);
    versionStrip.querySelector(`.version[data-number="${target.number}"]`).focus();
  });
  async function cancelJobs() {
    for (const id of Array.from(running)) {
      try { await api("POST", `/jobs/${id}/cancel`); } catch (error) { showError(error.message, error.code); }
    }
  }

  // Escape puts down the brush, closes compare, drops "continue from", and else cancels the running job.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (tool) setTool(null);
    else if ($("compare").getAttribute("aria-pressed") === "true") setCompare(false);
    else if (baseVersion !== null) setBaseVersion(null);
    else if (running.size) cancelJobs();
  });
  $("cancel-job").addEventListener("click", cancelJobs);

  $("zoom").addEventListener("click", () => setZoom(!viewer.classList.contains("zoomed")));
  $("compare").addEventListener("click", () => setCompare($("compare").getAttribute("aria-pressed") !== "true"));
  compareWith.addEventListener("change", () => setCompare(true));
  split.addEventListener("input", updateSplit);
  $("brush").addEventListener("click", () => setTool(tool === "brush" ? null : "brush"));
  $("eraser").addEventListener("click", () => setTool(tool === "eraser" ? null : "eraser"));
  $("clear-mask").addEventListener("click", () => { resetMask(); setTool(tool); });
  $("continue-from").addEventListener("click", () => {
    if (!shown) return;
    setBaseVersion(shown.number);
    $("continue-from").hidden = true;
    prompt.focus();
  });
  $("branching-cancel").addEventListener("click", () => {
    setBaseVersion(null);
    if (shown) showVersion(shown.number);
    prompt.focus();
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
    } catch (error) { showError(error.message, error.code); }
  });

  start().catch((error) => showError(error.message, error.code));
})();
