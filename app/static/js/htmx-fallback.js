// Loads the local copy of htmx when the CDN copy did not arrive (blocked, offline, tampered).
// document.write keeps it a parser-inserted script, so htmx starts up as if loaded normally.
(function () {
  if (window.htmx) { return; }
  var local = document.currentScript.getAttribute("data-htmx");
  document.write('<script src="' + local + '"><\/script>');
})();
