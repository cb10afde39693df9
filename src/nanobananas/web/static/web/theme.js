// The theme switch in the footer: the system's setting (default), light or dark, remembered in this browser.
// Loaded in <head> before the page is drawn, so a chosen theme never flashes the other one first.
"use strict";

(() => {
  const KEY = "nanobananas-theme";
  const root = document.documentElement;
  let saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (error) { saved = null; }
  if (saved === "light" || saved === "dark") root.dataset.theme = saved;

  document.addEventListener("DOMContentLoaded", () => {
    const choice = document.getElementById("theme");
    if (!choice) return;
    choice.hidden = false;
    const select = choice.querySelector("select");
    select.value = root.dataset.theme || "system";
    select.addEventListener("change", () => {
      if (select.value === "system") delete root.dataset.theme;
      else root.dataset.theme = select.value;
      try {
        if (select.value === "system") window.localStorage.removeItem(KEY);
        else window.localStorage.setItem(KEY, select.value);
      } catch (error) { /* private mode: the choice lasts for this page only */ }
    });
  });
})();
