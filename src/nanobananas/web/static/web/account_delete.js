// Me -> Delete account: password and the typed phrase go to POST /api/v1/me/delete; then Home, as a guest.
"use strict";

(() => {
  const form = document.getElementById("delete-account-form");
  const errorBox = document.getElementById("delete-account-error");
  if (!form || !errorBox) return;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    const password = form.elements.password.value;
    const phrase = form.elements.phrase.value;
    if (!password) { showError("Enter your password."); return; }
    if (phrase.trim().toLowerCase() !== "delete my account") { showError("Type “delete my account” to confirm."); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch("/api/v1/me/delete", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ password, phrase }),
      });
      const data = await response.json().catch(() => null);
      if (!response.ok) {
        throw new Error(data && data.error ? data.error.message : `Request failed (${response.status})`);
      }
      window.location.assign("/");
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
})();
