/*
 * The browser client of a live class: connects to the classroom websocket,
 * sends chat messages and shows what arrives. The page works without it,
 * because the chat form also posts as a normal page request.
 *
 * Everything people wrote is inserted with textContent, never innerHTML.
 * The message types are documented in live/PROTOCOL.md.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-live-session]");
  if (!root || !("WebSocket" in window) || !window.JSON) {
    return;
  }

  // Close codes after which reconnecting cannot help (see live/protocol.py).
  var FINAL_CLOSE_CODES = [4401, 4403, 4404, 4410];
  var PING_INTERVAL_MS = 25000;
  var BACKOFF_START_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

  var labels = root.dataset;
  var log = root.querySelector("[data-chat-log]");
  var form = root.querySelector("[data-chat-form]");
  var input = form ? form.querySelector("textarea, input[name=text]") : null;
  var errorBox = root.querySelector("[data-chat-error]");
  var statusBox = root.querySelector("[data-connection]");
  var stateBadge = root.querySelector("[data-live-state]");
  var presenceList = root.querySelector("[data-presence]");
  var countdown = root.querySelector("[data-countdown]");

  var socket = null;
  var pingTimer = null;
  var reconnectTimer = null;
  var backoff = BACKOFF_START_MS;
  var finished = false;
  var refCounter = 0;
  var connectionError = "";
  var pending = {};
  var lastSeq = parseInt(labels.lastSeq || "0", 10);
  var seenSeqs = {};

  Array.prototype.forEach.call(log.querySelectorAll("[data-seq]"), function (item) {
    seenSeqs[item.getAttribute("data-seq")] = true;
  });

  function setStatus(text, className) {
    statusBox.textContent = text;
    statusBox.className = "connection" + (className ? " " + className : "");
  }

  function showError(text) {
    if (errorBox) {
      errorBox.textContent = text || "";
    }
  }

  // The server replays every event after last_seq before live ones, so a
  // reconnect misses nothing and repeats nothing.
  function websocketUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    // classroom-controls.js sets data-low-data="1" for low-data mode.
    var lowData = root.getAttribute("data-low-data") === "1" ? "&low_data=1" : "";
    return (
      scheme + window.location.host + labels.wsPath + "?last_seq=" + lastSeq + lowData
    );
  }

  // Append text to parent, turning http and https URLs into links.
  function appendLinkified(parent, text) {
    var position = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(position, match.index)));
      var link = document.createElement("a");
      link.href = match[0];
      link.rel = "nofollow noopener";
      link.textContent = match[0];
      parent.appendChild(link);
      position = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(position)));
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return "";
    }
    return date.toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });
  }

  function roleBadge(role) {
    var badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = role === "teacher" ? labels.labelTeacher : labels.labelStudent;
    return badge;
  }

  function noteSeq(seq) {
    if (typeof seq === "number" && seq > lastSeq) {
      lastSeq = seq;
    }
  }

  function renderChat(message) {
    var key = String(message.seq);
    if (seenSeqs[key]) {
      return;
    }
    seenSeqs[key] = true;
    noteSeq(message.seq);
    var empty = log.querySelector("[data-chat-empty]");
    if (empty) {
      empty.remove();
    }

    var item = document.createElement("li");
    item.setAttribute("data-seq", key);
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.from.name;
    item.appendChild(who);
    if (message.from.role === "teacher") {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(roleBadge("teacher"));
    }
    item.appendChild(document.createTextNode(" "));
    var time = document.createElement("time");
    time.dateTime = message.at;
    time.textContent = formatTime(message.at);
    item.appendChild(time);
    var text = document.createElement("span");
    text.className = "text";
    appendLinkified(text, message.text);
    item.appendChild(text);

    // Events from several server processes may arrive out of order.
    var next = null;
    Array.prototype.some.call(log.querySelectorAll("[data-seq]"), function (other) {
      if (parseInt(other.getAttribute("data-seq"), 10) > message.seq) {
        next = other;
        return true;
      }
      return false;
    });
    var nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.insertBefore(item, next);
    if (nearBottom) {
      log.scrollTop = log.scrollHeight;
    }
  }

  function renderPresence(participants) {
    while (presenceList.firstChild) {
      presenceList.removeChild(presenceList.firstChild);
    }
    participants.forEach(function (person) {
      var item = document.createElement("li");
      item.textContent = person.name;
      if (person.role === "teacher") {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(roleBadge("teacher"));
      }
      presenceList.appendChild(item);
    });
  }

  function applyState(state) {
    if (!stateBadge) {
      return;
    }
    stateBadge.className = "badge live-state-" + state;
    if (state === "open") {
      stateBadge.textContent = labels.labelOpen;
      if (countdown) {
        countdown.remove();
        countdown = null;
      }
    } else if (state === "ended") {
      stateBadge.textContent = labels.labelEnded;
    }
  }

  function finish(text) {
    finished = true;
    setStatus(text, "is-lost");
    if (form) {
      form.hidden = true;
    }
  }

  var handlers = {
    welcome: function (message) {
      backoff = BACKOFF_START_MS;
      setStatus(labels.labelConnecting, "");
      applyState(message.session.state);
      renderPresence(message.presence);
    },
    resumed: function (message) {
      noteSeq(message.last_seq);
      setStatus(labels.labelConnected, "is-connected");
    },
    ack: function (message) {
      noteSeq(message.seq);
      if (message.ref) {
        delete pending[message.ref];
      }
    },
    draw: function (message) {
      // NOTE: the page has no whiteboard yet; the events only move lastSeq.
      noteSeq(message.seq);
    },
    presence: function (message) {
      renderPresence(message.participants);
    },
    chat: function (message) {
      renderChat(message);
    },
    session: function (message) {
      noteSeq(message.seq);
      applyState(message.state);
      if (message.state === "ended") {
        finish(labels.labelEnded);
      }
    },
    error: function (message) {
      if (!message.ref) {
        // An error without a ref is about the connection, such as "log in
        // first"; the close that follows shows it as the final status.
        connectionError = message.message;
      }
      var text = message.ref ? pending[message.ref] : null;
      if (text && input && !input.value) {
        input.value = text;
      }
      if (message.ref) {
        delete pending[message.ref];
      }
      showError(message.message);
    },
    pong: function () {},
  };

  function onMessage(event) {
    var message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    var handler = handlers[message.type];
    if (handler) {
      handler(message);
    }
    // Other scripts of the page (media.js, slides.js) follow the messages
    // through this event and send their own through "live:send".
    root.dispatchEvent(new CustomEvent("live:message", { detail: message }));
  }

  function scheduleReconnect() {
    setStatus(labels.labelReconnecting, "is-lost");
    // Random jitter keeps a whole class from reconnecting at the same moment
    // after the server restarts.
    var delay = backoff / 2 + Math.random() * (backoff / 2);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    reconnectTimer = window.setTimeout(connect, delay);
  }

  function connect() {
    reconnectTimer = null;
    setStatus(labels.labelConnecting, "");
    socket = new WebSocket(websocketUrl());
    socket.addEventListener("message", onMessage);
    socket.addEventListener("open", function () {
      pingTimer = window.setInterval(function () {
        send({ type: "ping" });
      }, PING_INTERVAL_MS);
    });
    socket.addEventListener("close", function (event) {
      window.clearInterval(pingTimer);
      socket = null;
      if (finished) {
        return;
      }
      if (FINAL_CLOSE_CODES.indexOf(event.code) !== -1) {
        finish(connectionError || labels.labelClosed);
        return;
      }
      scheduleReconnect();
    });
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  // detail is {message: {...}}; the listener sets detail.sent.
  root.addEventListener("live:send", function (event) {
    event.detail.sent = send(event.detail.message);
  });

  if (form && input) {
    form.addEventListener("submit", function (event) {
      var text = input.value.trim();
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        // Without a websocket the form posts as a normal page request.
        return;
      }
      event.preventDefault();
      if (!text) {
        return;
      }
      refCounter += 1;
      var ref = "m" + refCounter;
      pending[ref] = text;
      if (send({ type: "chat", text: text, ref: ref })) {
        input.value = "";
        showError("");
      }
    });
    // Enter sends, Shift+Enter starts a new line, as in chat apps.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.dispatchEvent(new Event("submit", { cancelable: true }));
        }
      }
    });
  }

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function updateCountdown() {
    if (!countdown) {
      return;
    }
    var remaining = Math.floor((new Date(countdown.dataset.countdown) - new Date()) / 1000);
    if (isNaN(remaining)) {
      return;
    }
    if (remaining <= 0) {
      countdown.textContent = labels.labelStarting;
      return;
    }
    if (remaining >= 86400) {
      // A day or more ahead, the server's "in 2 days, 3 hours" reads better
      // than a ticking clock.
      return;
    }
    var clock = pad(Math.floor(remaining / 3600)) + ":" +
      pad(Math.floor((remaining % 3600) / 60)) + ":" + pad(remaining % 60);
    countdown.textContent = labels.labelStartsIn.replace("{time}", clock);
  }

  if (countdown) {
    updateCountdown();
    window.setInterval(updateCountdown, 1000);
  }

  window.addEventListener("pagehide", function () {
    finished = true;
    window.clearTimeout(reconnectTimer);
    if (socket) {
      socket.close(1000);
    }
  });
  // A page restored from the back-forward cache needs a new connection.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !socket) {
      finished = false;
      backoff = BACKOFF_START_MS;
      connect();
    }
  });

  connect();
})();
