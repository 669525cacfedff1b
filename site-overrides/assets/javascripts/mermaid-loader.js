/* Diagrams without a 3.5 MB script on every page.
 *
 * Material draws `pre.mermaid` blocks with a global `mermaid`, and fetches it from a CDN
 * when there is none. This file (loaded on every page, before Material mounts anything)
 * defines a stand-in that records Material's settings and, on the first diagram, loads
 * the vendored assets/javascripts/vendor/mermaid.min.js from this site; pages without a
 * diagram never fetch it, and nothing comes from outside.
 *
 * Diagrams are drawn at their natural size (useMaxWidth off) in a box that scrolls
 * sideways, so their text stays readable on a phone instead of shrinking to fit; on a
 * narrow screen a left-to-right flowchart is drawn top-down. Each drawn diagram's natural
 * size is kept in window.fmDiagrams (the browser test compares it with what is shown).
 */
(function () {
  "use strict";
  if (typeof window.mermaid !== "undefined") return;
  var here = document.currentScript && document.currentScript.src;
  var src = here ? here.replace(/mermaid-loader\.js(?:[?#].*)?$/, "vendor/mermaid.min.js") : "";
  var settings = {};
  var loading = null;

  function readable(config) {
    var natural = { useMaxWidth: false };
    return Object.assign({}, config, {
      securityLevel: "strict",
      flowchart: Object.assign({}, config.flowchart, natural),
      sequence: Object.assign({}, config.sequence, natural),
      state: Object.assign({}, config.state, natural),
      class: Object.assign({}, config.class, natural),
      er: Object.assign({}, config.er, natural)
    });
  }

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = src;
        el.async = true;
        el.onload = function () {
          var real = window.mermaid;
          if (!real || real === stand_in) { reject(new Error("mermaid did not load")); return; }
          real.initialize(readable(settings));
          resolve(real);
        };
        el.onerror = function () { reject(new Error("mermaid not found at " + src)); };
        document.head.appendChild(el);
      });
    }
    return loading;
  }

  function forScreen(text) {
    if (window.innerWidth >= 720) return text;
    return text.replace(/^(\s*(?:flowchart|graph)\s+)(?:LR|RL)\b/m, "$1TD");
  }

  window.fmDiagrams = {};
  var stand_in = {
    initialize: function (config) { settings = config || {}; },
    render: function (id, text, container) {
      return load().then(function (real) {
        return real.render(id, forScreen(text), container);
      }).then(function (out) {
        var box = /viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"/.exec(out.svg || "");
        if (box) window.fmDiagrams[id] = { width: +box[1], height: +box[2] };
        return out;
      });
    }
  };
  window.mermaid = stand_in;
})();
