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

  async function api(method, body, path = "/me/privacy") {
    const response = await fetch(`/api/v1${path}`, {
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

  const ledger = document.getElementById("privacy-ledger");
  const ledgerEmpty = document.getElementById("privacy-ledger-empty");
  const names = Object.fromEntries(boxes.map((box) => [box.name, label(box)]));
  names.commercial_image = "Commercial use of one image";

  const inverted = new Set(boxes.filter((box) => box.hasAttribute("data-inverted")).map((box) => box.name));

  function describe(event) {
    const when = new Date(event.at).toLocaleString();
    const what = names[event.setting] || event.setting;
    // Shown as the switch reads: "Never send ..." on is the setting third_party_ai going false.
    const [from, to] = inverted.has(event.setting) ? [!event.old, !event.new] : [event.old, event.new];
    const subject = event.subject ? ` ${event.subject}` : "";
    const policy = event.policy_version ? ` (privacy policy version ${event.policy_version})` : "";
    const carried = event.source === "carried_over" ? ", chosen as a guest" : "";
    return `${when}: “${what}”${subject} ${from ? "on" : "off"} → ${to ? "on" : "off"}${policy}${carried}`;
  }

  async function showLedger() {
    if (!ledger) return;
    const events = await api("GET", undefined, "/me/consents");
    ledger.replaceChildren(...events.map((event) => {
      const item = document.createElement("li");
      item.textContent = describe(event);
      return item;
    }));
    ledgerEmpty.hidden = events.length > 0;
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
        showLedger().catch(fail);
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
    .then((settings) => { show(settings); boxes.forEach((box) => { box.disabled = false; }); return showLedger(); })
    .catch(fail);
})();
