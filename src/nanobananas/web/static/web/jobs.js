// Shared by the AI Tools and AI Video pages: the CSRF token for API calls, picking image files (input or drag
// and drop), and following a job's Server-Sent Events until it ends. Loaded before the page's own script.
"use strict";

window.NanobananasJobs = (() => {
  const ENDED = ["done", "failed", "refused", "gone"];

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The image files of a file list (a file input's, a drop's); other files are left out.
  function imageFiles(list) {
    return Array.from(list || []).filter((file) => file.type.startsWith("image/"));
  }

  // `zone` takes dropped files (marked with `hoverClass` while something is dragged over it) and passes them
  // to `onFiles`; the file `input` does the same, and is emptied after so the same file can be picked again.
  function acceptFiles({ zone, input, hoverClass, onFiles }) {
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add(hoverClass); });
    zone.addEventListener("dragleave", () => zone.classList.remove(hoverClass));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove(hoverClass);
      onFiles(event.dataTransfer.files);
    });
    input.addEventListener("change", () => { onFiles(input.files); input.value = ""; });
  }

  // Follow a job's events: `onProgress(state)` for queued and running, then `onEnd(kind, state)` once, with
  // kind done, failed, refused or gone (or "lost" when the stream closes without an end). Returns `stop`.
  function follow(eventsUrl, { onProgress, onEnd }) {
    const source = new EventSource(eventsUrl);
    let ended = false;
    const stop = () => { ended = true; source.close(); };
    const end = (kind, state) => {
      if (ended) return;
      stop();
      onEnd(kind, state);
    };
    for (const name of ["queued", "running"]) {
      source.addEventListener(name, (event) => { if (!ended) onProgress(JSON.parse(event.data)); });
    }
    for (const name of ENDED) {
      source.addEventListener(name, (event) => {
        const state = event.data ? JSON.parse(event.data) : {};
        if (!ended) onProgress(state);
        end(name, state);
      });
    }
    source.onerror = () => { if (source.readyState === EventSource.CLOSED) end("lost", {}); };
    return stop;
  }

  return { acceptFiles, csrfToken, follow, imageFiles };
})();
