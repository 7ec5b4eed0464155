// The header's menu on a phone: loaded in <head> without defer, so that the page is drawn with the
// menu already folded (the "js" class); without JavaScript the header simply shows everything.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setOpen(button, menu, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.addEventListener("click", function () {
      setOpen(button, menu, button.getAttribute("aria-expanded") !== "true");
    });
    // Escape folds the open menu and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      setOpen(button, menu, false);
      button.focus();
    });
  });
})();
