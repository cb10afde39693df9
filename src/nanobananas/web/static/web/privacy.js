// Me -> Privacy settings: each switch saves at once through PATCH /api/v1/me/privacy and shows its state.
"use strict";

(() => {
  const form = document.getElementById("privacy-form");
  const status = document.getElementById("privacy-status");
  const problem = document.getElementById("privacy-error");
  if (!form) return;
  const boxes = Array.from(form.querySelectorAll("input[type=checkbox]"));

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, body) {
    const response = await fetch("/api/v1/me/privacy", {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data && data.error ? data.error.message : `Request failed (${response.status})`);
    return data;
  }

  // "Never send my content to third-party AI services" is the setting third_party_ai = false.
  const checkedFor = (box, value) => (box.hasAttribute("data-inverted") ? !value : value);
  const label = (box) => box.parentElement.textContent.trim();

  function show(settings) {
    for (const box of boxes) {
      box.checked = checkedFor(box, settings[box.name]);
      const state = form.querySelector(`[data-state-for="${box.name}"]`);
      if (state) state.textContent = box.checked ? "On" : "Off";
    }
  }

  function fail(error) {
    problem.textContent = error.message;
    problem.hidden = false;
    status.textContent = "";
  }

  for (const box of boxes) {
    box.addEventListener("change", async () => {
      const wanted = box.checked;
      box.disabled = true;
      problem.hidden = true;
      status.textContent = "Saving…";
      try {
        const settings = await api("PATCH", { [box.name]: checkedFor(box, wanted) });
        show(settings);
        status.textContent = `Saved: “${label(box)}” is ${wanted ? "on" : "off"}.`;
      } catch (error) {
        box.checked = !wanted;
        fail(error);
      } finally {
        box.disabled = false;
      }
    });
  }

  boxes.forEach((box) => { box.disabled = true; });
  api("GET")
    .then((settings) => { show(settings); boxes.forEach((box) => { box.disabled = false; }); })
    .catch(fail);
})();
