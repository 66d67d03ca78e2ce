// racegraph's only page script: copy buttons. Everything else works without JavaScript; the buttons
// stay hidden (and the IRI stays selectable text) where scripts do not run.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        var label = button.textContent;
        button.textContent = button.dataset.copied || label;
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(button.dataset.copy).then(done, function () {});
      } else {
        var field = document.createElement("textarea");
        field.value = button.dataset.copy;
        document.body.appendChild(field);
        field.select();
        document.execCommand("copy");
        field.remove();
        done();
      }
    });
  });
});
