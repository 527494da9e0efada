/* qz-ebook serve: reload the page after each good build; show a failed build's messages over it.
   The preview server injects this into the pages it serves; the edition's files never hold it.
   Message text is only ever set as textContent: it is the manuscript's, not markup. */
(function () {
  "use strict";
  var ID = "qz-live-overlay";
  var returnFocus = null;

  function made(name, text) {
    var element = document.createElement(name);
    if (text !== undefined) { element.textContent = text; }
    return element;
  }

  function styled(element, style) {
    Object.keys(style).forEach(function (key) { element.style.setProperty(key, style[key]); });
    return element;
  }

  function dismiss() {
    var overlay = document.getElementById(ID);
    if (overlay) { overlay.remove(); }
    if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    returnFocus = null;
  }

  function show(report) {
    var previous = document.getElementById(ID);
    if (previous) { previous.remove(); } else { returnFocus = document.activeElement; }
    var dialog = styled(made("div"), {
      "position": "fixed", "left": "1rem", "right": "1rem", "bottom": "1rem", "z-index": "2147483647",
      "max-height": "70vh", "overflow": "auto", "box-sizing": "border-box", "padding": "1rem 1.25rem",
      "background": "#ffffff", "color": "#1b1b1b", "color-scheme": "light", "border": "0.25rem solid #b3261e",
      "border-radius": "0.5rem", "box-shadow": "0 0.5rem 2rem rgba(0, 0, 0, 0.35)",
      "font": "1rem/1.5 system-ui, sans-serif", "text-align": "left"
    });
    dialog.id = ID;
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", ID + "-title");
    dialog.setAttribute("aria-describedby", ID + "-messages");
    var title = styled(made("h2", report.words.title),
      {"margin": "0 0 0.5rem", "font-size": "1.25rem", "color": "#8c1d18"});
    title.id = ID + "-title";
    var list = styled(made("ul"), {"margin": "0 0 0.75rem", "padding-left": "1.25rem"});
    list.id = ID + "-messages";
    report.messages.forEach(function (message) {
      var code = styled(made("code", message), {"white-space": "pre-wrap", "overflow-wrap": "anywhere",
        "font": "0.95rem/1.4 ui-monospace, monospace", "color": "#1b1b1b"});
      list.appendChild(made("li")).appendChild(code);
    });
    dialog.append(title, list);
    report.downloads.forEach(function (href) {
      var link = styled(made("a", report.words.download), {"color": "#0b57d0", "margin-right": "1rem"});
      link.href = href;
      dialog.appendChild(link);
    });
    var close = styled(made("button", report.words.close), {"font": "inherit", "padding": "0.25rem 1rem",
      "color": "#ffffff", "background": "#b3261e", "border": "0", "border-radius": "0.25rem", "cursor": "pointer"});
    close.type = "button";
    close.addEventListener("click", dismiss);
    dialog.addEventListener("keydown", function (event) { if (event.key === "Escape") { dismiss(); } });
    dialog.appendChild(close);
    document.body.appendChild(dialog);
    close.focus();
  }

  var events = new EventSource("/__qz/events");
  events.addEventListener("reload", function () { window.location.reload(); });
  events.addEventListener("failed", function (event) { show(JSON.parse(event.data)); });
}());
