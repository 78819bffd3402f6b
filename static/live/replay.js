// Plays back a live class from its event log: chat, slides, whiteboard and
// polls, on a timeline that can be paused, sped up and moved. The page
// lists the events as plain HTML for browsers without JavaScript.
(function () {
  "use strict";

  var root = document.querySelector("[data-replay-events]");
  if (!root) {
    return;
  }
  var BOARD_SIZE = 10000;
  var TICK_MS = 100;
  var eventsUrl = root.dataset.replayEvents;
  var toggle = root.querySelector("[data-replay-toggle]");
  var speedSelect = root.querySelector("[data-replay-speed]");
  var position = root.querySelector("[data-replay-position]");
  var clock = root.querySelector("[data-replay-clock]");
  var slide = root.querySelector("[data-replay-slide]");
  var board = root.querySelector("[data-replay-board]");
  var pollBox = root.querySelector("[data-replay-poll]");
  var chat = root.querySelector("[data-replay-chat]");
  var context = board.getContext("2d");

  var entries = [];
  var applied = 0;
  var now = 0;
  var timer = null;
  var strokes = [];

  function formatClock(ms) {
    var seconds = Math.floor(ms / 1000);
    var minutes = Math.floor(seconds / 60);
    var rest = String(seconds % 60).padStart(2, "0");
    return minutes + ":" + rest;
  }

  function drawBoard() {
    var scaleX = board.width / BOARD_SIZE;
    var scaleY = board.height / BOARD_SIZE;
    context.clearRect(0, 0, board.width, board.height);
    strokes.forEach(function (stroke) {
      var points = stroke.points;
      if (points.length < 2) {
        return;
      }
      context.strokeStyle = stroke.color;
      context.lineWidth = Math.max(stroke.width * scaleX, 1);
      context.lineCap = "round";
      context.beginPath();
      context.moveTo(points[0] * scaleX, points[1] * scaleY);
      for (var i = 2; i + 1 < points.length; i += 2) {
        context.lineTo(points[i] * scaleX, points[i + 1] * scaleY);
      }
      context.stroke();
    });
  }

  function addChat(message) {
    var item = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = (message.from && message.from.name) || "";
    item.appendChild(name);
    // Chat is text: it is never parsed as HTML.
    item.appendChild(document.createTextNode(": " + message.text));
    chat.appendChild(item);
    chat.scrollTop = chat.scrollHeight;
  }

  var poll = null;

  function showPoll() {
    pollBox.textContent = "";
    pollBox.hidden = poll === null;
    if (poll === null) {
      return;
    }
    var title = document.createElement("p");
    title.textContent = poll.question;
    pollBox.appendChild(title);
    var list = document.createElement("ul");
    (poll.options || []).forEach(function (option, index) {
      var item = document.createElement("li");
      var count = poll.counts ? poll.counts[index] : undefined;
      item.textContent = count === undefined ? option : option + ": " + count;
      list.appendChild(item);
    });
    pollBox.appendChild(list);
  }

  function updatePoll(message) {
    if (message.op === "open" || message.op === "close") {
      poll = Object.assign({}, message.poll);
    } else if (message.op === "results" && poll && poll.id === message.poll) {
      // Polls that show results only at the end keep them hidden until then.
      if (message.live_results) {
        poll.counts = message.counts;
      }
    }
    showPoll();
  }

  function apply(message) {
    if (message.type === "chat") {
      addChat(message);
    } else if (message.type === "draw") {
      if (message.op === "clear") {
        strokes = [];
      } else if (message.op === "undo") {
        strokes = strokes.filter(function (stroke) {
          return stroke.id !== message.stroke;
        });
      } else {
        (message.strokes || []).forEach(function (stroke) {
          strokes.push(stroke);
        });
      }
      drawBoard();
    } else if (message.type === "slide") {
      if (message.image) {
        slide.src = message.image;
        slide.hidden = false;
      } else {
        slide.hidden = true;
      }
    } else if (message.type === "poll") {
      updatePoll(message);
    }
  }

  function reset() {
    applied = 0;
    strokes = [];
    poll = null;
    chat.textContent = "";
    pollBox.hidden = true;
    slide.hidden = true;
    drawBoard();
  }

  function advanceTo(ms) {
    if (ms < now) {
      reset();
    }
    now = ms;
    while (applied < entries.length && entries[applied].offset_ms <= now) {
      apply(entries[applied].message);
      applied += 1;
    }
    position.value = String(now);
    clock.textContent = formatClock(now);
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
    toggle.textContent = root.dataset.labelPlay;
  }

  function play() {
    var end = entries.length ? entries[entries.length - 1].offset_ms : 0;
    if (now >= end) {
      advanceTo(0);
    }
    toggle.textContent = root.dataset.labelPause;
    timer = window.setInterval(function () {
      var next = now + TICK_MS * Number(speedSelect.value);
      advanceTo(Math.min(next, end));
      if (next >= end) {
        stop();
      }
    }, TICK_MS);
  }

  function load(after) {
    var url = eventsUrl + "?after=" + encodeURIComponent(after);
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("replay events: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (page) {
        entries = entries.concat(page.events);
        if (page.next !== null) {
          return load(page.next);
        }
        return null;
      });
  }

  toggle.textContent = root.dataset.labelLoading;
  toggle.disabled = true;
  root.hidden = false;
  load(0)
    .then(function () {
      var end = entries.length ? entries[entries.length - 1].offset_ms : 0;
      position.max = String(end);
      toggle.disabled = false;
      toggle.textContent = root.dataset.labelPlay;
      var timeline = document.querySelector("[data-replay-timeline]");
      if (timeline) {
        timeline.hidden = true;
      }
    })
    .catch(function () {
      // The plain timeline stays in view when the log cannot be loaded.
      root.hidden = true;
    });

  toggle.addEventListener("click", function () {
    if (timer === null) {
      play();
    } else {
      stop();
    }
  });
  position.addEventListener("input", function () {
    advanceTo(Number(position.value));
  });
})();
