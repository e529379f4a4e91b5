// Loaded after Sphinx's inline MathJax 3 configuration and before MathJax itself runs
// (conf.py: html_js_files with priority 501; MathJax is a deferred script).
//
// The widget manager of ipywidgets 8 (@jupyter-widgets/html-manager 1.0) typesets HTMLMath
// widgets with MathJax 2's API, `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`, while
// this site serves MathJax 3. This bridge gives MathJax 3 that one call: elements queued before
// MathJax is ready are typeset when it is, later ones at once. Widgets write `$...$`, so single
// dollars are inline delimiters too (pages are unaffected: MyST marks their math explicitly).
(function () {
  "use strict";
  var pending = [];

  function typeset(elements) {
    window.MathJax.typesetPromise(elements).catch(function (error) {
      console.error("MathJax could not typeset a widget:", error);
    });
  }

  function queue(command) {
    var element = Array.isArray(command) ? command[2] : null;
    if (!element) {
      return;
    }
    if (window.MathJax && typeof window.MathJax.typesetPromise === "function") {
      typeset([element]);
    } else {
      pending.push(element);
    }
  }

  var config = window.MathJax || {};
  config.tex = config.tex || {};
  config.tex.inlineMath = config.tex.inlineMath || [["$", "$"], ["\\(", "\\)"]];
  config.tex.processEscapes = true;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) {
      ready();
    } else {
      window.MathJax.startup.defaultReady();
    }
    window.MathJax.Hub = { Queue: queue };
    window.MathJax.startup.promise.then(function () {
      if (pending.length) {
        typeset(pending.splice(0));
      }
    });
  };
  config.Hub = { Queue: queue };
  window.MathJax = config;
})();
