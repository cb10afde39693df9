// The new-policy banner: Accept records the acceptance, the close button hides it for this session.
// Without JavaScript the same buttons post the form and the page reloads.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(form, path) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify({ kind: form.dataset.kind, version: form.dataset.version }),
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(
          function (body) { throw new Error((body.error && body.error.message) || "Please try again."); },
          function () { throw new Error("Please try again."); }
        );
      }
    });
  }

  document.querySelectorAll("form.policy-banner").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      var accept = button && button.value === "accept";
      var path = accept ? "/api/v1/me/policy-acceptances" : "/api/v1/me/policy-notices/close";
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      send(form, path).then(
        function () {
          var holder = form.parentNode;
          form.remove();
          if (holder && !holder.querySelector("form")) { holder.remove(); }
        },
        function (error) {
          var problem = form.querySelector(".error");
          problem.textContent = error.message;
          problem.hidden = false;
          form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        }
      );
    });
  });
})();
