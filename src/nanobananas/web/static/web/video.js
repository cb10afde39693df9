// AI Video page: pick pictures (drop them, or from history), choose a motion with a live preview of its first
// second, render it as a job (progress by frames, cancellable), then play, download, and see its expiry.
"use strict";

(() => {
  const root = document.getElementById("video-studio");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const chosenList = $("chosen");
  const picker = $("picker");
  const preview = $("preview");
  const renderButton = $("render");
  const cancelButton = $("cancel");
  const errorBox = $("video-error");
  const chosen = []; // {id, url, label}
  let conversationId = null;
  let previewTimer = null;
  let previewUrl = null;
  let previewSerial = 0;
  let currentJob = null;
  let stopFollowing = null;

  const HELP = {
    zoom_in: "One picture: a slow push in, framed on the subject.",
    zoom_out: "One picture: a slow pull back from the subject.",
    pan: "One picture (a wide one works best): the camera glides across it.",
    parallax: "One picture: the subject floats over its blurred background.",
    poster: "One poster made here: its title and lines come in one after another, the text stays crisp.",
    slideshow: "Two or more pictures in order, with crossfades or slides and optional captions.",
    wipe: "Two pictures, before then after: a line wipes from one to the other.",
  };

  const { acceptFiles, csrfToken, imageFiles } = window.NanobananasJobs;

  class ApiError extends Error {
    constructor(message, code) { super(message); this.code = code; }
  }

  async function api(method, path, body, { raw = false } = {}) {
    const headers = { "X-CSRFToken": csrfToken() };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
    const response = await fetch(`/api/v1${path}`, { method, credentials: "same-origin", headers, body: payload });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      const error = data && data.error ? data.error : {};
      throw new ApiError(error.message || `Request failed (${response.status})`, error.code || "");
    }
    if (raw) return response.blob();
    return response.status === 204 ? null : response.json();
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function motion() {
    return document.querySelector('input[name="motion"]:checked').value;
  }

  function parameters() {
    const values = {
      seconds: Number($("seconds").value),
      size: $("size").value,
      fps: Number($("fps").value),
      format: $("format").value,
    };
    const kind = motion();
    if (kind === "pan") values.direction = $("direction").value;
    if (kind === "slideshow") {
      values.transition = $("transition").value;
      const captions = $("captions").value.split("\n").map((line) => line.trim()).filter(Boolean);
      if (captions.length) values.captions = captions;
    }
    if (kind === "zoom_in" || kind === "zoom_out") values.focus = $("focus").value;
    return values;
  }

  function showMotionFields() {
    const kind = motion();
    $("motion-help").textContent = HELP[kind];
    for (const node of root.querySelectorAll("[data-for]")) {
      node.hidden = !node.dataset.for.split(" ").includes(kind);
    }
  }

  function drawChosen() {
    chosenList.replaceChildren();
    chosen.forEach((picture, index) => {
      const item = element("li", "chosen-item");
      const image = element("img");
      image.src = picture.url;
      image.alt = picture.label;
      const remove = element("button", "button small", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${picture.label}`);
      remove.addEventListener("click", () => { chosen.splice(index, 1); changed(); });
      item.append(image, element("span", "", `${index + 1}. ${picture.label}`), remove);
      chosenList.append(item);
    });
    $("chosen-empty").hidden = chosen.length > 0;
    for (const tile of picker.querySelectorAll("[data-id]")) {
      tile.setAttribute("aria-pressed", String(chosen.some((p) => p.id === tile.dataset.id)));
    }
  }

  function choose(picture) {
    if (chosen.some((p) => p.id === picture.id)) return;
    chosen.push(picture);
    changed();
  }

  function changed() {
    drawChosen();
    renderButton.disabled = currentJob !== null || (chosen.length === 0 && !$("prompt").value.trim());
    clearTimeout(previewTimer);
    previewTimer = setTimeout(updatePreview, 350);
  }

  async function updatePreview() {
    const serial = ++previewSerial;
    if (!chosen.length) {
      preview.hidden = true;
      $("preview-note").textContent = "Choose pictures to see the first second of the motion here.";
      return;
    }
    $("preview-note").textContent = "Making the preview…";
    const values = parameters();
    // The preview is always a small MP4, whatever the final format.
    values.format = "mp4";
    if (values.seconds > 6) values.seconds = 6;
    try {
      const blob = await api("POST", "/videos/preview", {
        asset_ids: chosen.map((p) => p.id), motion: motion(), parameters: values,
      }, { raw: true });
      if (serial !== previewSerial) return;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(blob);
      preview.src = previewUrl;
      preview.hidden = false;
      $("preview-note").textContent = "The first second, small.";
    } catch (error) {
      if (serial !== previewSerial) return;
      preview.hidden = true;
      $("preview-note").textContent = error.message;
    }
  }

  async function ensureConversation() {
    if (!conversationId) conversationId = (await api("POST", "/conversations", { title: "AI Video" })).id;
    return conversationId;
  }

  async function upload(files) {
    const pictures = imageFiles(files);
    if (!pictures.length) return;
    showError("");
    try {
      const id = await ensureConversation();
      const form = new FormData();
      form.append("text", "");
      for (const file of pictures) form.append("files", file);
      const sent = await api("POST", `/conversations/${id}/messages`, form);
      for (const asset of sent.message.assets) {
        choose({ id: asset.id, url: asset.content_url, label: asset.original_name || asset.label });
      }
      loadHistory();
    } catch (error) {
      showError(error.message);
    }
  }

  async function loadHistory() {
    let page;
    try { page = await api("GET", "/history?limit=40"); } catch (error) { return; }
    picker.replaceChildren();
    const pictures = page.items.filter((item) => item.kind !== "video");
    for (const item of pictures) {
      const tile = element("button", "pick");
      tile.type = "button";
      tile.dataset.id = item.asset_id;
      const label = `${item.kind === "result" ? "Version" : "Picture"} ${item.version}: ${item.prompt || item.conversation_title || "untitled"}`;
      tile.setAttribute("aria-label", label);
      tile.title = label;
      const image = element("img");
      image.src = item.content_url;
      image.alt = "";
      tile.append(image);
      tile.addEventListener("click", () => {
        const at = chosen.findIndex((p) => p.id === item.asset_id);
        if (at >= 0) { chosen.splice(at, 1); changed(); } else choose({ id: item.asset_id, url: item.content_url, label });
      });
      picker.append(tile);
    }
    $("picker-empty").hidden = pictures.length > 0;
    drawChosen();
  }

  function formatWhen(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function describe(video) {
    return `${video.label} · ${video.seconds.toFixed(1)} s · ${video.width}×${video.height} · ${video.fps} fps · ${video.made_with} · deleted ${formatWhen(video.expires_at)}`;
  }

  function filename(video) {
    const extension = { "video/mp4": "mp4", "image/gif": "gif", "image/webp": "webp" }[video.content_type] || "mp4";
    return `nanobananas-video-${video.number}.${extension}`;
  }

  function showResult(video) {
    const isVideo = video.content_type.startsWith("video/");
    const player = $("result-video");
    const still = $("result-image");
    player.hidden = !isVideo;
    still.hidden = isVideo;
    if (isVideo) {
      player.poster = video.poster_url;
      player.src = video.content_url;
      player.dataset.id = video.id;
    } else {
      player.removeAttribute("src");
      still.src = video.content_url;
    }
    $("result-meta").textContent = describe(video);
    const download = $("download");
    download.href = video.content_url;
    download.download = filename(video);
    download.textContent = `Download ${video.content_type === "video/mp4" ? "MP4" : video.content_type.split("/")[1].toUpperCase()}`;
    $("result").hidden = false;
  }

  async function loadVideos() {
    let items;
    try { items = await api("GET", "/videos?limit=20"); } catch (error) { return; }
    const list = $("video-list");
    list.replaceChildren();
    for (const video of items) {
      const item = element("li", "video-item");
      const open = element("button", "button small", "Play");
      open.type = "button";
      open.addEventListener("click", () => showResult(video));
      item.append(element("span", "", describe(video)), open);
      list.append(item);
    }
    $("video-list-empty").hidden = items.length > 0;
  }

  function setBusy(busy) {
    renderButton.disabled = busy || (chosen.length === 0 && !$("prompt").value.trim());
    cancelButton.hidden = !busy;
    $("progress").hidden = !busy;
  }

  function follow(job) {
    currentJob = job;
    setBusy(true);
    $("progress-bar").value = job.progress;
    $("progress-stage").textContent = job.stage;
    stopFollowing = window.NanobananasJobs.follow(job.events_url, {
      onProgress: (data) => {
        $("progress-bar").value = data.progress || 0;
        $("progress-stage").textContent = data.stage || "";
      },
      onEnd: finish,
    });
  }

  async function finish(status, data) {
    if (stopFollowing) { stopFollowing(); stopFollowing = null; }
    currentJob = null;
    setBusy(false);
    if (status === "done") {
      const reply = data.result;
      const asset = reply && reply.assets.find((a) => a.kind === "video");
      if (asset) showResult(await api("GET", `/videos/${asset.id}`));
      else if (reply) showError(reply.text);
      loadVideos();
    } else if (status === "failed" && data.error_code === "cancelled") {
      showError("Cancelled: nothing was made.");
    } else {
      showError(data.error_message || "The video could not be made.");
    }
  }

  async function render() {
    showError("");
    const prompt = $("prompt").value.trim();
    const body = { asset_ids: chosen.map((p) => p.id) };
    if (conversationId) body.conversation_id = conversationId;
    if (prompt) body.prompt = prompt;
    else { body.motion = motion(); body.parameters = parameters(); }
    if (prompt && !chosen.length) { body.generative = true; body.parameters = { seconds: Number($("seconds").value), size: $("size").value }; }
    renderButton.disabled = true;
    try {
      const made = await api("POST", "/videos", body);
      conversationId = made.conversation_id;
      $("result").hidden = true;
      follow(made.job);
    } catch (error) {
      showError(error.message);
      setBusy(false);
    }
  }

  async function cancel() {
    if (!currentJob) return;
    try { await api("POST", `/jobs/${currentJob.id}/cancel`, {}); } catch (error) { showError(error.message); }
  }

  const dropzone = $("dropzone");
  acceptFiles({ zone: dropzone, input: $("video-files"), hoverClass: "over", onFiles: upload });
  dropzone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); $("video-files").click(); }
  });
  $("seconds").addEventListener("input", () => { $("seconds-out").textContent = `${$("seconds").value} s`; });
  for (const input of root.querySelectorAll('input[name="motion"]')) {
    input.addEventListener("change", () => { showMotionFields(); changed(); });
  }
  for (const id of ["seconds", "size", "fps", "direction", "transition", "captions", "focus"]) $(id).addEventListener("change", changed);
  $("prompt").addEventListener("input", () => { renderButton.disabled = currentJob !== null || (chosen.length === 0 && !$("prompt").value.trim()); });
  renderButton.addEventListener("click", render);
  cancelButton.addEventListener("click", cancel);

  showMotionFields();
  drawChosen();
  loadHistory();
  loadVideos();
})();
