// Me -> API tokens: list, create (the secret is shown once), revoke. Talks to /api/v1/tokens.
"use strict";

(() => {
  const list = document.getElementById("token-list");
  const form = document.getElementById("token-form");
  const secret = document.getElementById("token-secret");
  const errorBox = document.getElementById("token-error");
  if (!list || !form) return;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path, body) {
    const headers = { "X-CSRFToken": csrfToken() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`/api/v1${path}`, {
      method, credentials: "same-origin", headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new Error(data && data.error ? data.error.message : `Request failed (${response.status})`);
    return data;
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "never";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  async function refresh() {
    const tokens = await api("GET", "/tokens");
    list.replaceChildren();
    for (const token of tokens) {
      const item = document.createElement("li");
      item.dataset.tokenId = token.id;
      const label = document.createElement("span");
      const state = token.revoked_at ? ` · revoked ${when(token.revoked_at)}` : ` · last used ${when(token.last_used_at)}`;
      label.textContent = `${token.name} (nb_${token.prefix}_…) · ${token.scopes.join(", ")}${state}`;
      item.appendChild(label);
      if (!token.revoked_at) {
        const revoke = document.createElement("button");
        revoke.type = "button";
        revoke.className = "button small";
        revoke.textContent = "Revoke";
        revoke.addEventListener("click", async () => {
          try { await api("DELETE", `/tokens/${token.id}`); await refresh(); } catch (error) { showError(error.message); }
        });
        item.appendChild(revoke);
      }
      list.appendChild(item);
    }
  }

  // The new token once, with a button that copies it (the clipboard API, or the selection where the page is
  // not a secure context and that API is missing).
  function showSecret(token) {
    const code = document.createElement("code");
    code.id = "token-value";
    code.textContent = token;
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "button small";
    copy.id = "token-copy";
    copy.textContent = "Copy";
    copy.addEventListener("click", async () => {
      try {
        if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(token);
        else {
          window.getSelection().selectAllChildren(code);
          if (!document.execCommand("copy")) throw new Error("copy refused");
        }
        copy.textContent = "Copied";
      } catch (error) {
        window.getSelection().selectAllChildren(code);
        copy.textContent = "Press Ctrl+C to copy";
      }
    });
    secret.replaceChildren("Copy it now, it will not be shown again: ", code, " ", copy);
    secret.hidden = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    const name = form.elements.name.value.trim();
    try {
      const created = await api("POST", "/tokens", { name, scopes: ["images:read", "images:write"] });
      showSecret(created.token);
      form.reset();
      await refresh();
    } catch (error) { showError(error.message); }
  });

  refresh().catch((error) => showError(error.message));
})();
