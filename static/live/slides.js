/*
 * Slides of a live class: everybody's view follows the teacher's page.
 *
 * "slide" messages arrive as events of the log and as a snapshot after the
 * welcome. Each carries a version, and the page keeps the highest version
 * it has seen, so an old event replayed after a newer snapshot changes
 * nothing. Teachers get controls that send slide_show, slide_page and
 * slide_stop over the classroom websocket (see live/PROTOCOL.md).
 *
 * Without JavaScript the page still shows the slide current at load time.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-live-session]");
  var panel = document.querySelector("[data-slides]");
  if (!root || !panel) {
    return;
  }
  var labels = panel.dataset;
  var figure = panel.querySelector("[data-slide-figure]");
  var image = panel.querySelector("[data-slide-image]");
  var caption = panel.querySelector("[data-slide-caption]");
  var empty = panel.querySelector("[data-slide-empty]");
  var form = panel.querySelector("[data-slide-form]");
  var errorBox = panel.querySelector("[data-slide-error]");
  var version = parseInt(labels.version || "0", 10);
  var current = { deck: null, page: null };
  var refCounter = 0;

  function send(message) {
    refCounter += 1;
    message.ref = "slide" + refCounter;
    var detail = { message: message, sent: false };
    root.dispatchEvent(new CustomEvent("live:send", { detail: detail }));
    if (!detail.sent) {
      errorBox.textContent = labels.labelOffline;
    }
    return detail.sent;
  }

  function show(message) {
    if (message.version < version) {
      return;
    }
    version = message.version;
    current = { deck: message.deck, page: message.page };
    errorBox.textContent = "";
    if (!message.deck) {
      figure.hidden = true;
      empty.hidden = false;
      return;
    }
    image.src = message.image;
    image.alt = labels.labelAlt
      .replace("{title}", message.deck.title)
      .replace("{page}", String(message.page));
    caption.textContent = labels.labelCaption
      .replace("{title}", message.deck.title)
      .replace("{page}", String(message.page))
      .replace("{pages}", String(message.deck.pages));
    figure.hidden = false;
    empty.hidden = true;
    if (form) {
      form.elements.page.value = message.page;
    }
  }

  function turn(step) {
    if (!current.deck) {
      errorBox.textContent = labels.labelNoSlides;
      return;
    }
    var page = current.page + step;
    if (page < 1 || page > current.deck.pages) {
      return;
    }
    send({ type: "slide_page", page: page });
  }

  if (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var choice = form.elements.document.value;
      var libraryFile = form.elements.library_file.value.trim();
      var page = parseInt(form.elements.page.value, 10) || 1;
      var message = null;
      if (libraryFile) {
        message = { type: "slide_show", source: "library", document: parseInt(libraryFile, 10), page: page };
      } else if (choice) {
        message = { type: "slide_show", source: "course", document: parseInt(choice, 10), page: page };
      }
      if (!message || isNaN(message.document)) {
        errorBox.textContent = labels.labelChoose;
        return;
      }
      send(message);
    });
    panel.querySelector("[data-slide-previous]").addEventListener("click", function () {
      turn(-1);
    });
    panel.querySelector("[data-slide-next]").addEventListener("click", function () {
      turn(1);
    });
    panel.querySelector("[data-slide-stop]").addEventListener("click", function () {
      send({ type: "slide_stop" });
    });
  }

  root.addEventListener("live:message", function (event) {
    var message = event.detail;
    if (message.type === "slide") {
      show(message);
    } else if (message.type === "error" && message.ref && message.ref.indexOf("slide") === 0) {
      errorBox.textContent = message.message;
    }
  });
})();
