/* The "Diagnose a paste" page (docs/diagnose.md): the box posts to the advisor's API on the
 * same origin (`advisor serve --site build/site`) and lists the ranked failure modes with
 * their evidence. Everything from the response is inserted as text, never as HTML: the
 * evidence quotes the paste. On a static host there is no API: the page keeps saying how
 * to run one (that text is in the page, so it also shows without JavaScript).
 */
(function () {
  "use strict";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function api(path) {
    // The page lives at <site>/diagnose/; the API at <site>/match and <site>/healthz.
    return new URL("../" + path, window.location.href).toString();
  }

  function entryLink(id) {
    return new URL("../failure-modes/" + encodeURIComponent(id) + "/", window.location.href).toString();
  }

  function renderMatches(out, body) {
    var list = el("ol", undefined, "fm-diagnose__matches");
    body.matches.forEach(function (m) {
      var li = el("li", undefined, "fm-diagnose__match");
      li.setAttribute("data-entry-id", m.id);
      var a = el("a", m.title);
      a.href = entryLink(m.id);
      var head = el("p");
      head.append(a, el("span", " " + m.confidence + " confidence · score " + Number(m.score).toFixed(2),
                        "fm-diagnose__meta"));
      li.append(head);
      if (m.evidence && m.evidence.length) {
        var ev = el("ul", undefined, "fm-diagnose__evidence");
        m.evidence.slice(0, 6).forEach(function (item) {
          var row = el("li");
          row.append(el("code", (item.line ? "line " + item.line + ": " : "") + item.text),
                     el("span", " " + item.rule, "fm-diagnose__rule"));
          ev.append(row);
        });
        li.append(ev);
      }
      var steps = el("a", "What to do now →", "fm-diagnose__now");
      steps.href = entryLink(m.id) + "#now";
      li.append(steps);
      list.append(li);
    });
    out.append(list);
  }

  function setup() {
    var form = document.getElementById("fm-diagnose");
    if (!form || form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "1");
    var text = document.getElementById("fm-diagnose-text");
    var status = document.getElementById("fm-diagnose-status");
    var out = document.getElementById("fm-diagnose-results");
    var offline = document.getElementById("fm-diagnose-offline");

    fetch(api("healthz"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (h) {
        if (!h || typeof h.entries !== "number") throw new Error("not the advisor");
        form.hidden = false;
        if (offline) offline.hidden = true;
        status.textContent = "Advisor ready: " + h.entries + " failure modes, " + h.mode + " mode.";
      })
      .catch(function () {
        form.hidden = true;
        if (offline) offline.hidden = false;
      });

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      out.replaceChildren();
      status.textContent = "Reading the paste…";
      fetch(api("match") + "?top=5", {
        method: "POST",
        headers: { "Content-Type": "text/plain; charset=utf-8", Accept: "application/json" },
        body: text.value
      }).then(function (res) {
        return res.json().then(function (body) { return { res: res, body: body }; });
      }).then(function (r) {
        if (!r.res.ok) { status.textContent = r.body.error || ("Error " + r.res.status); return; }
        var body = r.body;
        if (body.abstained) {
          status.textContent = body.abstain_reason === "not-go-output"
            ? "This does not look like output of a Go program."
            : "No failure mode matched with enough confidence.";
          return;
        }
        status.textContent = body.matches.length + " failure mode" + (body.matches.length > 1 ? "s" : "")
          + " matched · input: " + (body.input.kinds.join(", ") || "text");
        renderMatches(out, body);
      }).catch(function () {
        status.textContent = "The advisor did not answer; is `advisor serve` still running?";
      });
    });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
