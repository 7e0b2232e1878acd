// Loads the local copy of htmx when the CDN copy did not arrive (blocked, offline, tampered).
(function () {
  if (window.htmx) { return; }
  var me = document.currentScript;
  var local = document.createElement("script");
  local.src = me.getAttribute("data-htmx");
  document.head.appendChild(local);
})();
