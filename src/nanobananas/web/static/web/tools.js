// AI Tools page: pick a tool, give it pictures (and a mask for the eraser), run it through /api/v1/tools,
// follow the job's Server-Sent Events, then show and download what it made.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const cards = $("tool-cards");
  const panel = $("tool-panel");
  const form = $("tool-form");
  const fileInput = $("tool-files");
  const picked = $("picked");
  const drop = $("drop-zone");
  const paramsBox = $("params");
  const runButton = $("run");
  const previewButton = $("preview");
  const progressBox = $("progress");
  const stage = $("stage");
  const bar = $("bar");
  const errorBox = $("tool-error");
  const results = $("results");
  const maskBox = $("mask-box");
  const maskCanvas = $("mask-canvas");
  const brushSize = $("brush-size");

  let tools = [];
  let tool = null;
  let files = [];
  let stopFollowing = null;
  // The mask is painted on its own canvas the size of the picture: black keeps, white is removed.
  let mask = null;
  // The same strokes in red on a transparent layer, drawn over the picture so the person sees them.
  let strokes = null;
  let painted = false;
  let photo = null;
  let cursor = null;

  const { acceptFiles, csrfToken, imageFiles } = window.NanobananasJobs;

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

  function formatTime(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function label(name) {
    return name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
  }

  // ---- parameters, built from each tool's JSON schema

  function choices(prop) {
    const options = prop.anyOf || [prop];
    const values = [];
    for (const option of options) {
      if (option.enum) values.push(...option.enum);
      if (option.const !== undefined) values.push(option.const);
    }
    return values;
  }

  function types(prop) {
    return (prop.anyOf || [prop]).map((option) => option.type).filter(Boolean);
  }

  function field(name, prop, required) {
    const id = `param-${name}`;
    const wrap = element("div", "tools-field");
    const kinds = types(prop);
    const values = choices(prop);
    const title = label(name);
    const help = prop.description ? element("small", "muted", prop.description) : null;
    let input;
    if (kinds.includes("array") && prop.items && prop.items.enum) {
      const group = element("fieldset", "tools-checks");
      group.appendChild(element("legend", "", title));
      group.dataset.param = name;
      group.dataset.kind = "array";
      for (const value of prop.items.enum) {
        const item = element("label", "tools-check");
        const box = element("input");
        box.type = "checkbox";
        box.value = value;
        box.checked = true;
        item.append(box, ` ${value}`);
        group.appendChild(item);
      }
      wrap.appendChild(group);
      if (help) wrap.appendChild(help);
      return wrap;
    }
    if (kinds.includes("boolean")) {
      input = element("input");
      input.type = "checkbox";
      input.checked = prop.default !== false;
      const item = element("label", "tools-check");
      input.id = id;
      input.dataset.param = name;
      input.dataset.kind = "boolean";
      item.append(input, ` ${title}`);
      wrap.appendChild(item);
      if (help) wrap.appendChild(help);
      return wrap;
    }
    if (values.length) {
      input = element("select");
      for (const value of values) {
        const option = element("option", "", String(value));
        option.value = String(value);
        option.selected = value === prop.default;
        input.appendChild(option);
      }
    } else if (typeof prop.default === "string" && /^#[0-9a-f]{6}$/i.test(prop.default)) {
      input = element("input");
      input.type = "color";
      input.value = prop.default;
    } else if (kinds.includes("integer") || kinds.includes("number")) {
      input = element("input");
      input.type = "number";
      input.step = kinds.includes("integer") ? "1" : "0.05";
      const bounds = (prop.anyOf || [prop]).find((option) => option.type === "integer" || option.type === "number") || {};
      if (bounds.minimum !== undefined) input.min = bounds.minimum;
      if (bounds.maximum !== undefined) input.max = bounds.maximum;
      if (prop.default !== null && prop.default !== undefined) input.value = prop.default;
      else input.placeholder = "optional";
    } else {
      input = element("input");
      input.type = "text";
      if (prop.default) input.value = prop.default;
      else if (!required) input.placeholder = "optional";
      const bounds = (prop.anyOf || [prop]).find((option) => option.maxLength) || {};
      if (bounds.maxLength) input.maxLength = bounds.maxLength;
    }
    input.id = id;
    input.dataset.param = name;
    if (required) input.required = true;
    const text = element("label", "", required ? `${title} (required)` : title);
    text.htmlFor = id;
    wrap.append(text, input);
    if (help) wrap.appendChild(help);
    return wrap;
  }

  function renderParams() {
    paramsBox.querySelectorAll(".tools-field").forEach((node) => node.remove());
    const properties = tool.params.properties || {};
    const required = tool.params.required || [];
    for (const [name, prop] of Object.entries(properties)) paramsBox.appendChild(field(name, prop, required.includes(name)));
    paramsBox.hidden = !Object.keys(properties).length;
  }

  function paramValues() {
    const values = {};
    for (const node of paramsBox.querySelectorAll("[data-param]")) {
      const name = node.dataset.param;
      if (node.dataset.kind === "array") {
        values[name] = Array.from(node.querySelectorAll("input:checked")).map((box) => box.value);
      } else if (node.dataset.kind === "boolean") {
        values[name] = node.checked;
      } else if (node.value.trim() !== "") {
        values[name] = node.type === "number" ? Number(node.value) : node.value.trim();
      }
    }
    return values;
  }

  // ---- pictures

  function renderPicked() {
    picked.replaceChildren();
    files.forEach((file, index) => {
      const item = element("li", "tools-file");
      item.append(`${file.name} (${Math.round(file.size / 1024)} KB) `);
      const remove = element("button", "link-button", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove ${file.name}`);
      remove.addEventListener("click", () => { files.splice(index, 1); renderPicked(); });
      item.appendChild(remove);
      picked.appendChild(item);
    });
    $("pick-label").textContent = files.length ? "Choose another" : (tool && tool.max_images > 1 ? "Choose pictures" : "Choose a picture");
    if (tool && tool.needs_mask) loadMaskPicture();
  }

  function addFiles(list) {
    const images = imageFiles(list);
    if (!images.length) { showError("Choose an image file (PNG, JPEG, WebP, GIF or TIFF)."); return; }
    showError("");
    const room = tool ? tool.max_images : 1;
    files = [...files, ...images].slice(-room);
    renderPicked();
  }

  // ---- the eraser's mask

  function drawMask() {
    if (!photo) return;
    const context = maskCanvas.getContext("2d");
    context.drawImage(photo, 0, 0, maskCanvas.width, maskCanvas.height);
    context.globalAlpha = 0.55;
    context.drawImage(strokes, 0, 0);
    context.globalAlpha = 1;
    if (cursor) {
      context.strokeStyle = "#1d4ed8";
      context.lineWidth = Math.max(2, maskCanvas.width / 300);
      context.beginPath();
      context.arc(cursor.x, cursor.y, brushRadius(), 0, Math.PI * 2);
      context.stroke();
    }
  }

  function brushRadius() {
    // The slider is in screen pixels; the mask is at the picture's own size.
    const scale = maskCanvas.width / Math.max(1, maskCanvas.getBoundingClientRect().width);
    return (Number(brushSize.value) / 2) * scale;
  }

  function paintAt(x, y) {
    for (const [layer, colour] of [[mask, "#ffffff"], [strokes, "#ff2020"]]) {
      const context = layer.getContext("2d");
      context.fillStyle = colour;
      context.beginPath();
      context.arc(x, y, brushRadius(), 0, Math.PI * 2);
      context.fill();
    }
    painted = true;
    drawMask();
  }

  function clearMask() {
    const context = mask.getContext("2d");
    context.fillStyle = "#000000";
    context.fillRect(0, 0, mask.width, mask.height);
    strokes.getContext("2d").clearRect(0, 0, strokes.width, strokes.height);
    painted = false;
  }

  function canvasPoint(event) {
    const box = maskCanvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * maskCanvas.width,
      y: ((event.clientY - box.top) / box.height) * maskCanvas.height,
    };
  }

  function loadMaskPicture() {
    maskBox.hidden = !files.length;
    if (!files.length) { photo = null; mask = null; strokes = null; painted = false; return; }
    const image = new Image();
    image.onload = () => {
      photo = image;
      maskCanvas.width = image.naturalWidth;
      maskCanvas.height = image.naturalHeight;
      mask = document.createElement("canvas");
      strokes = document.createElement("canvas");
      mask.width = strokes.width = image.naturalWidth;
      mask.height = strokes.height = image.naturalHeight;
      clearMask();
      cursor = { x: mask.width / 2, y: mask.height / 2 };
      drawMask();
      URL.revokeObjectURL(image.src);
    };
    image.src = URL.createObjectURL(files[0]);
  }

  let painting = false;
  maskCanvas.addEventListener("pointerdown", (event) => {
    if (!mask) return;
    painting = true;
    maskCanvas.setPointerCapture(event.pointerId);
    const point = canvasPoint(event);
    cursor = point;
    paintAt(point.x, point.y);
  });
  maskCanvas.addEventListener("pointermove", (event) => {
    if (!mask) return;
    cursor = canvasPoint(event);
    if (painting) paintAt(cursor.x, cursor.y);
    else drawMask();
  });
  maskCanvas.addEventListener("pointerup", () => { painting = false; });
  maskCanvas.addEventListener("keydown", (event) => {
    if (!mask) return;
    const step = Math.max(4, mask.width / 40);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      event.preventDefault();
      cursor.x = Math.min(mask.width, Math.max(0, cursor.x + moves[event.key][0]));
      cursor.y = Math.min(mask.height, Math.max(0, cursor.y + moves[event.key][1]));
      if (event.shiftKey) paintAt(cursor.x, cursor.y);
      else drawMask();
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      paintAt(cursor.x, cursor.y);
    }
  });
  $("mask-clear").addEventListener("click", () => {
    if (!mask) return;
    clearMask();
    drawMask();
  });

  // ---- choosing a tool

  function choose(name) {
    tool = tools.find((item) => item.name === name);
    if (!tool) return;
    for (const card of cards.querySelectorAll(".tools-card")) {
      card.setAttribute("aria-pressed", String(card.dataset.tool === name));
    }
    $("tool-title").textContent = tool.title;
    $("tool-summary").textContent = tool.summary;
    fileInput.multiple = tool.max_images > 1;
    drop.hidden = tool.max_images === 0;
    $("drop-hint").textContent = tool.max_images > 1
      ? `or drop up to ${tool.max_images} pictures here (the first is the photo${tool.name === "watermark" ? ", the second a logo" : ", the second the new background"})`
      : tool.min_images === 0 ? "optional: or drop a picture here" : "or drop it here";
    files = files.slice(0, Math.max(tool.max_images, 0));
    renderParams();
    renderPicked();
    maskBox.hidden = !(tool.needs_mask && files.length);
    previewButton.hidden = !tool.slow;
    results.hidden = true;
    showError("");
    panel.hidden = false;
    window.location.hash = name;
  }

  cards.addEventListener("click", (event) => {
    const card = event.target.closest(".tools-card");
    if (card) { choose(card.dataset.tool); $("tool-title").scrollIntoView({ block: "start" }); }
  });

  acceptFiles({ zone: drop, input: fileInput, hoverClass: "dropping", onFiles: addFiles });

  // ---- running, following, showing

  async function start(preview) {
    if (!tool) return;
    if (files.length < tool.min_images) {
      showError(tool.min_images === 1 ? "Choose a picture first." : `Choose ${tool.min_images} pictures first.`);
      return;
    }
    const body = new FormData();
    for (const file of files) body.append("image", file, file.name);
    body.append("params", JSON.stringify(paramValues()));
    if (preview) body.append("preview", "true");
    if (tool.needs_mask) {
      if (!mask || !painted) { showError("Paint over what to remove first."); return; }
      const blob = await new Promise((resolve) => mask.toBlob(resolve, "image/png"));
      body.append("mask", blob, "mask.png");
    }
    showError("");
    runButton.disabled = previewButton.disabled = true;
    progressBox.hidden = false;
    stage.textContent = "Sending…";
    bar.value = 0;
    try {
      const response = await fetch(`/api/v1/tools/${tool.name}`, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }, body,
      });
      const data = await response.json();
      if (!response.ok) throw new Error(data && data.error ? data.error.message : `Request failed (${response.status})`);
      await follow(data, preview);
    } catch (error) {
      showError(error.message);
      progressBox.hidden = true;
    } finally {
      runButton.disabled = previewButton.disabled = false;
    }
  }

  function follow(job, preview) {
    return new Promise((resolve) => {
      if (stopFollowing) stopFollowing();
      stopFollowing = window.NanobananasJobs.follow(job.events_url, {
        onProgress: (state) => {
          stage.textContent = state.stage || "Working…";
          bar.value = state.progress || 0;
        },
        onEnd: (kind, state) => {
          stopFollowing = null;
          if (kind === "done") show(state, preview);
          else if (kind === "gone") showError("This run was deleted.");
          else if (kind !== "lost") showError(state.error_message || "That did not work.");
          progressBox.hidden = true;
          resolve();
        },
      });
    });
  }

  function outputName(asset) {
    const step = (asset.steps || [])[0] || {};
    const extension = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/avif": "avif" }[asset.content_type] || "png";
    return `${step.output || `version-${asset.number}`}.${extension}`;
  }

  function show(job, preview) {
    const reply = job.result;
    results.hidden = false;
    $("results-title").textContent = preview ? "Preview" : "Result";
    $("results-text").textContent = reply ? reply.text : "Done.";
    const actions = $("results-actions");
    actions.replaceChildren();
    const assets = reply ? reply.assets : [];
    if (assets.length > 1) {
      const zip = element("a", "button primary", `Download all ${assets.length} (ZIP)`);
      zip.href = `/api/v1/tools/jobs/${job.id}/download`;
      zip.id = "download-zip";
      actions.append(zip, " ");
    }
    const open = element("a", "button", "Open in AI Image");
    open.href = `/image/#${job.conversation_id}`;
    actions.appendChild(open);
    const list = $("outputs");
    list.replaceChildren();
    for (const asset of assets) {
      const item = element("li", "tools-output");
      const frame = element("div", "tools-output-frame checker");
      const img = element("img");
      img.src = asset.content_url;
      img.alt = `${tool.title} result: ${outputName(asset)}`;
      img.width = asset.width;
      img.height = asset.height;
      img.loading = "lazy";
      frame.appendChild(img);
      const caption = element("p", "tools-output-caption");
      const link = element("a", "", `Download ${outputName(asset)}`);
      link.href = asset.content_url;
      link.download = outputName(asset);
      link.className = "download-output";
      caption.append(
        element("strong", "", outputName(asset)),
        ` · ${asset.width}×${asset.height} · ${Math.max(1, Math.round(asset.byte_size / 1024))} KB · `,
        element("span", "expiry", `kept until ${formatTime(asset.expires_at)}`),
        " · ",
        link,
      );
      item.append(frame, caption);
      list.appendChild(item);
    }
    results.scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); start(false); });
  previewButton.addEventListener("click", () => start(true));

  fetch("/api/v1/tools", { credentials: "same-origin" })
    .then((response) => response.json())
    .then((list) => {
      tools = list;
      const wanted = window.location.hash.slice(1);
      if (wanted && tools.some((item) => item.name === wanted)) choose(wanted);
    })
    .catch(() => showError("The tools could not be loaded; reload the page."));
})();
