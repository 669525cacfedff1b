/* "Copy runbook link" on failure-mode pages. Event delegation on the document, so it keeps
 * working across Material's instant navigation without re-binding. The copied URL is the
 * permanent one built from site_url (what alerts put in runbook_url), not the address bar. */
(function () {
  "use strict";

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest(".fm-copy-link");
    if (!button) return;
    ev.preventDefault();
    var url = button.getAttribute("data-runbook-url");
    var label = button.textContent;
    copy(url).then(function () {
      button.setAttribute("data-copied", url);
      button.textContent = "Copied ✓";
    }, function () {
      button.setAttribute("data-copied", "");
      button.textContent = "Copy failed: " + url;
    }).then(function () {
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
})();
