/* Peelian public site: small progressive enhancements. Every page works without them. */
(function () {
  "use strict";

  document.documentElement.classList.add("has-js");

  /* htmx requests carry the CSRF token published in <meta name="csrf-token">. */
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content && document.body) {
    var headers = {};
    var existing = document.body.getAttribute("hx-headers");
    if (existing) {
      try {
        headers = JSON.parse(existing);
      } catch (error) {
        headers = {};
      }
    }
    headers["X-CSRFToken"] = meta.content;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
  }

  /* On narrow screens the main navigation folds behind a "Menu" button (site.css decides
     when the button shows; on wide screens the list is always visible). */
  var nav = document.getElementById("primary-nav");
  var list = document.getElementById("primary-nav-list");
  if (nav && list) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "nav-toggle";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", list.id);
    button.textContent = nav.getAttribute("data-menu-label") || "Menu";
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        nav.classList.remove("is-open");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
    list.parentNode.insertBefore(button, list);
  }
})();
