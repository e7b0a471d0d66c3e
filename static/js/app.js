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

  // Person pickers (teams/pickers.py): an input with role=combobox whose list htmx fills as one
  // types. Arrow keys move through the people found, Enter or a click picks one, Escape closes.
  function pickerList(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function pickerOptions(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option][data-value]"));
  }

  function closePicker(input) {
    var list = pickerList(input);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(input, option) {
    var value = option.getAttribute("data-value");
    if (input.getAttribute("data-picker") === "multiple") {
      var parts = input.value.split(",").slice(0, -1).map(function (p) { return p.trim(); });
      parts = parts.filter(function (p) { return p && p !== value; });
      parts.push(value);
      input.value = parts.join(", ") + ", ";
    } else {
      input.value = value;
    }
    var chosen = input.parentNode.querySelector(".picker-chosen");
    if (chosen) chosen.textContent = option.getAttribute("data-label");
    closePicker(input);
  }

  function moveActive(input, step) {
    var list = pickerList(input);
    var options = pickerOptions(list);
    if (!options.length) return;
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = (current + step + options.length) % options.length;
    if (current < 0) next = step > 0 ? 0 : options.length - 1;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list.classList || !list.classList.contains("picker-options")) return;
    var input = document.querySelector("[aria-controls='" + list.id + "']");
    var any = list.children.length > 0;
    list.hidden = !any || document.activeElement !== input;
    if (input) input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-picker]")) return;
    var list = pickerList(input);
    var open = list && !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      moveActive(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && open) {
      var active = list.querySelector("[aria-selected=true][data-value]");
      if (active) {
        event.preventDefault();
        choose(input, active);
      }
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      closePicker(input);
    }
  });

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-picker]")) return;
    var chosen = input.parentNode.querySelector(".picker-chosen");
    if (chosen) chosen.textContent = "";
  });

  // A mousedown would blur the input before the click lands: keep the focus, then pick.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".picker-options")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".picker-options [data-value]");
    if (!option) return;
    var input = document.querySelector("[aria-controls='" + option.parentNode.id + "']");
    if (input) choose(input, option);
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-picker]")) return;
    window.setTimeout(function () {
      if (document.activeElement !== input) closePicker(input);
    }, 150);
  });

  // On a phone the main menu and a team's tabs fold under a button (CSS hides them only when
  // this script runs, so without it they stay open).
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".collapse-toggle");
    if (!toggle) return;
    var target = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (target) target.classList.toggle("open", open);
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
