/* Failure-mode pages and search.
 *
 * - "Copy runbook link" and the copy-link button beside each fixed section anchor copy the
 *   permanent URL built from site_url (what alerts put in runbook_url), not the address bar.
 *   Event delegation on the document keeps them working across instant navigation.
 * - Search: Material searches when a key is released, so text pasted with the mouse or
 *   entered on a phone (input events, no keyup) found nothing. Every input event now
 *   triggers a search, and a pasted log is cut to the words search can use: lines joined,
 *   file:line positions, URLs, IP addresses, hex values, small numbers, English stop
 *   words and the query operators (+ - " * : ~ ^) a log is full of removed.
 * - Queries sent to the search worker (workerQuery): Material's worker cuts a Chinese
 *   query into the longest index words it finds but never considers the whole run, so
 *   协程泄漏 became 协程 (a shorter word in the index) and lost its meaning; each Chinese
 *   run now ends with U+3007, which the index's separator (mkdocs.yml) drops, so the whole
 *   run is a candidate. Short complete words are matched exactly (see workerQuery).
 */
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

  function copyFrom(button, url, done) {
    var label = button.getAttribute("aria-label") || button.textContent;
    copy(url).then(function () {
      button.setAttribute("data-copied", url);
      done(button, "Copied ✓");
    }, function () {
      button.setAttribute("data-copied", "");
      done(button, "Copy failed: " + url);
    }).then(function () {
      setTimeout(function () { done(button, label); }, 2000);
    });
  }

  document.addEventListener("click", function (ev) {
    var target = ev.target.closest ? ev.target : ev.target.parentElement;
    var page = target && target.closest(".fm-copy-link");
    if (page) {
      ev.preventDefault();
      copyFrom(page, page.getAttribute("data-runbook-url"), function (b, text) { b.textContent = text; });
      return;
    }
    var section = target && target.closest(".fm-copy-section");
    if (section) {
      ev.preventDefault();
      copyFrom(section, section.getAttribute("data-url"), function (b, text) {
        b.setAttribute("aria-label", text);
        b.setAttribute("title", text);
      });
    }
  });

  /* A copy-link button beside each fixed anchor (#now, #diagnosis, ...) of an entry page. */
  function addSectionButtons() {
    var header = document.querySelector(".fm-header[data-anchors]");
    if (!header) return;
    var base = header.getAttribute("data-runbook-url");
    header.getAttribute("data-anchors").split(" ").forEach(function (anchor) {
      var h = document.getElementById(anchor);
      if (!h || !/^H[2-3]$/.test(h.tagName) || h.querySelector(".fm-copy-section")) return;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "fm-copy-section";
      b.setAttribute("data-url", base + "#" + anchor);
      b.setAttribute("aria-label", "Copy link to this section");
      b.setAttribute("title", "Copy link to this section");
      b.textContent = "#";
      h.appendChild(b);
    });
  }

  /* ------------------------------------------------------------------ search */

  var STOP = /^(a|an|and|are|as|at|be|by|for|from|in|is|it|of|on|or|the|to|was|with)$/i;

  function searchText(raw) {
    var lines = raw.split(/\r\n|\r|\n/).map(function (l) { return l.trim(); }).filter(function (l) {
      return l && !/^[^\s]*\.go:\d+(\s|$)/.test(l);  // "/src/app/main.go:42 +0x1d" frames' positions
    });
    return lines.slice(0, 12).join(" ")
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, " ") // URLs: the reporter's hosts and paths
      .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, " ") // IP addresses and ports
      .replace(/\b0x[0-9a-f]+\??/gi, " ")            // addresses, arguments, offsets
      .replace(/[^\p{L}\p{N}._\s]+/gu, " ")          // punctuation, and with it every query operator
      .split(/\s+/)
      .filter(function (w) { return w && !/^[._]+$/.test(w) && !/^\d{1,2}$/.test(w) && !STOP.test(w); })
      .join(" ")
      .slice(0, 300);
  }

  /* The query as the search worker gets it. Material appends a wildcard to every word so
   * that results follow the typing; a short word that is already complete then matches
   * every longer word it starts (`go` in an alert name matched gogc, gomemlimit,
   * goroutine... and outweighed the rest of the name). Words are split at camelCase as the
   * index splits them, and a complete word of three letters or fewer (not the last, which
   * may still be being typed) is matched exactly (`go^1`). */
  function workerQuery(query) {
    var han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
    var words = query.replace(han, "$&\u3007").replace(/(?!\b)(?=[A-Z][a-z])/g, " ").split(/\s+/);
    var last = words.length - 1;
    while (last >= 0 && !words[last]) last--;
    return words.map(function (w, i) {
      return i < last && /^[A-Za-z0-9]{1,3}$/.test(w) ? w + "^1" : w;
    }).join(" ").trim();
  }

  (function rewriteQueries() {
    if (typeof Worker === "undefined" || Worker.prototype.__fmQuery) return;
    var post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message) {
      if (message && typeof message.data === "string") {  // a query (the setup message carries the index)
        message = Object.assign({}, message, { data: workerQuery(message.data) });
      }
      return post.apply(this, [message].concat(Array.prototype.slice.call(arguments, 1)));
    };
    Worker.prototype.__fmQuery = true;
  })();

  function wireSearch() {
    var box = document.querySelector("input.md-search__input");
    if (!box || box.getAttribute("data-fm-search")) return;
    box.setAttribute("data-fm-search", "1");
    var fire = function () { box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true })); };
    box.addEventListener("paste", function (ev) {
      var data = ev.clipboardData && ev.clipboardData.getData("text/plain");
      if (!data) return;
      ev.preventDefault();
      var text = searchText(data);
      var start = box.selectionStart || 0, end = box.selectionEnd || 0;
      box.value = (box.value.slice(0, start) + text + box.value.slice(end)).trim();
      fire();
    });
    box.addEventListener("input", fire);
  }

  function setup() {
    addSectionButtons();
    wireSearch();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);  // Material's page observable: every (instant) page load
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
  window.fmSearchText = searchText;  // for the browser tests
  window.fmWorkerQuery = workerQuery;
})();
