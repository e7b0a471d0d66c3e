// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // <form data-confirm="…">: ask before a destructive submit.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // <button data-copy="text">: copy a Slack mention.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copied";
    });
  });

  // htmx does not swap error responses: say what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("flash");
    if (!box) return;
    var status = event.detail.xhr.status;
    var message = document.createElement("p");
    message.className = "message error";
    message.setAttribute("role", "alert");
    message.textContent = status === 403
      ? "You are not allowed to do this."
      : "That did not work (HTTP " + status + "). Reload the page and try again.";
    box.replaceChildren(message);
  });
})();
