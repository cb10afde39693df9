// Me -> Export my data: start an export, follow its progress, offer the download link when ready.
"use strict";

(() => {
  const start = document.getElementById("export-start");
  const status = document.getElementById("export-status");
  const download = document.getElementById("export-download");
  if (!start) return;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path) {
    const response = await fetch(`/api/v1${path}`, {
      method, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() },
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data && data.error ? data.error.message : `Request failed (${response.status})`);
    return data;
  }

  function show(exportRow) {
    download.hidden = true;
    if (!exportRow) { status.textContent = ""; return; }
    if (exportRow.status === "ready" && exportRow.download_url) {
      status.textContent = "Ready.";
      download.href = exportRow.download_url;
      download.hidden = false;
    } else if (exportRow.status === "failed") {
      status.textContent = "The export failed; try again.";
    } else if (exportRow.status === "expired") {
      status.textContent = "Your last export has expired.";
    } else {
      status.textContent = `${exportRow.stage || "Waiting"} (${exportRow.progress || 0}%)`;
      window.setTimeout(poll, 1000);
    }
  }

  async function poll() {
    try {
      const rows = await api("GET", "/me/exports");
      const list = Array.isArray(rows) ? rows : rows.items || [];
      show(list[0]);
    } catch (error) { status.textContent = error.message; }
  }

  start.addEventListener("click", async () => {
    start.disabled = true;
    try { show(await api("POST", "/me/exports")); } catch (error) { status.textContent = error.message; }
    finally { start.disabled = false; }
  });

  poll();
})();
