/*
 * Hands, polls, teacher controls and the low-data switch of a live class.
 *
 * classroom.js owns the websocket. This script reads every server message
 * from its "live:message" event and sends through its "live:send" event.
 * It loads before classroom.js, so that the low-data choice saved in this
 * browser is part of the first connection's URL. live/PROTOCOL.md
 * documents the messages. Names people wrote go in with textContent only.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-live-session]");
  var panel = root ? root.querySelector("[data-live-controls]") : null;
  if (!panel || !("WebSocket" in window) || !window.CustomEvent) {
    return;
  }

  var LOW_DATA_KEY = "live-low-data";
  var labels = panel.dataset;
  var isTeacher = labels.role === "teacher";

  var handToggle = panel.querySelector("[data-hand-toggle]");
  var lowerAll = panel.querySelector("[data-hands-lower-all]");
  var handQueue = panel.querySelector("[data-hand-queue]");
  var handEmpty = panel.querySelector("[data-hand-empty]");
  var pollBox = panel.querySelector("[data-poll-current]");
  var pollNone = panel.querySelector("[data-poll-none]");
  var pollQuestion = panel.querySelector("[data-poll-question]");
  var pollOptions = panel.querySelector("[data-poll-options]");
  var pollStatus = panel.querySelector("[data-poll-status]");
  var pollClose = panel.querySelector("[data-poll-close]");
  var pollForm = panel.querySelector("[data-poll-form]");
  var muteButton = panel.querySelector("[data-chat-mute]");
  var endButton = panel.querySelector("[data-end-class]");
  var studentList = panel.querySelector("[data-student-list]");
  var mutedNotice = panel.querySelector("[data-chat-muted-notice]");
  var errorBox = panel.querySelector("[data-controls-error]");
  var lowDataBox = panel.querySelector("[data-low-data]");

  var me = null;
  var hands = [];
  var poll = null;
  var chatMuted = false;
  var refCounter = 0;
  // ref of a poll_answer in flight -> the option's position.
  var pendingAnswers = {};
  // ref of a poll_open in flight: the form is emptied once it is accepted.
  var pendingPoll = null;

  function storedLowData() {
    try {
      return window.localStorage.getItem(LOW_DATA_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  function storeLowData(enabled) {
    try {
      window.localStorage.setItem(LOW_DATA_KEY, enabled ? "1" : "0");
    } catch (error) {
      // Private browsing may reject storage, so the mode lasts for this page only.
    }
  }

  function setLowDataAttribute(enabled) {
    if (enabled) {
      root.setAttribute("data-low-data", "1");
    } else {
      root.removeAttribute("data-low-data");
    }
  }

  // Return the ref of the sent message, or null when the socket is closed.
  function send(message) {
    refCounter += 1;
    message.ref = "c" + refCounter;
    var detail = { message: message, sent: false };
    root.dispatchEvent(new CustomEvent("live:send", { detail: detail }));
    if (!detail.sent) {
      return null;
    }
    showError("");
    return message.ref;
  }

  function showError(text) {
    errorBox.textContent = text || "";
  }

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  function button(text, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.textContent = text;
    if (className) {
      element.className = className;
    }
    element.addEventListener("click", onClick);
    return element;
  }

  // Hands.

  function renderHands() {
    clear(handQueue);
    hands.forEach(function (hand) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = hand.name;
      item.appendChild(name);
      if (isTeacher) {
        item.appendChild(
          button(labels.labelLowerOne, "secondary", function () {
            send({ type: "hand_lower", user: hand.id });
          })
        );
      }
      handQueue.appendChild(item);
    });
    handEmpty.hidden = hands.length > 0;
    if (handToggle && me) {
      var raised = hands.some(function (hand) {
        return hand.id === me.id;
      });
      handToggle.textContent = raised ? labels.labelLower : labels.labelRaise;
      handToggle.setAttribute("aria-pressed", raised ? "true" : "false");
    }
  }

  function dropHand(userId) {
    hands = hands.filter(function (hand) {
      return hand.id !== userId;
    });
  }

  // Events are applied in sequence order, and each one sets the state of
  // one person, so applying an event twice changes nothing.
  function applyHand(message) {
    if (message.op === "raise") {
      dropHand(message.user.id);
      hands.push({
        id: message.user.id,
        name: message.user.name,
        raised_at: message.raised_at,
      });
      // ISO 8601 times in UTC sort as strings.
      hands.sort(function (a, b) {
        if (a.raised_at === b.raised_at) {
          return 0;
        }
        return a.raised_at < b.raised_at ? -1 : 1;
      });
    } else if (message.op === "lower") {
      dropHand(message.user.id);
    } else if (message.op === "lower_all") {
      hands = [];
    }
    renderHands();
  }

  // Polls.

  function formatCount(total) {
    return labels.labelAnswers.replace("{count}", String(total));
  }

  function renderPoll() {
    pollBox.hidden = !poll;
    pollNone.hidden = !!poll;
    if (pollForm) {
      pollForm.hidden = !!(poll && !poll.closed_at);
    }
    if (!poll) {
      return;
    }
    pollQuestion.textContent = poll.question;
    clear(pollOptions);
    var closed = !!poll.closed_at;
    var canAnswer = !isTeacher && !closed && poll.answered === null;
    poll.options.forEach(function (text, position) {
      var item = document.createElement("li");
      if (canAnswer) {
        item.appendChild(
          button(text, "", function () {
            var ref = send({ type: "poll_answer", poll: poll.id, option: position });
            if (ref) {
              pendingAnswers[ref] = position;
            }
          })
        );
      } else {
        var label = document.createElement("span");
        label.textContent = text;
        if (poll.answered === position) {
          label.setAttribute("aria-current", "true");
          label.className = "is-chosen";
        }
        item.appendChild(label);
      }
      if (poll.counts) {
        var total = poll.total || 0;
        var meter = document.createElement("meter");
        meter.min = 0;
        meter.max = Math.max(total, 1);
        meter.value = poll.counts[position] || 0;
        item.appendChild(meter);
        var figure = document.createElement("span");
        figure.textContent = " " + (poll.counts[position] || 0);
        item.appendChild(figure);
      }
      pollOptions.appendChild(item);
    });
    var status = [];
    if (closed) {
      status.push(labels.labelClosed);
    } else if (poll.answered !== null && poll.answered !== undefined && !isTeacher) {
      status.push(labels.labelAnswered);
    }
    if (poll.counts) {
      status.push(formatCount(poll.total || 0));
    } else if (!closed) {
      status.push(labels.labelHiddenResults);
    }
    pollStatus.textContent = status.join(" ");
    if (pollClose) {
      pollClose.hidden = closed;
    }
  }

  function applyPoll(message) {
    if (message.op === "open") {
      poll = Object.assign({ answered: null }, message.poll);
    } else if (message.op === "results" && poll && poll.id === message.poll) {
      poll.counts = message.counts;
      poll.total = message.total;
    } else if (message.op === "close") {
      var answered = poll && poll.id === message.poll.id ? poll.answered : null;
      poll = Object.assign({ answered: answered }, message.poll);
    }
    renderPoll();
  }

  // Teacher controls.

  function renderMuted() {
    if (muteButton) {
      muteButton.textContent = chatMuted ? labels.labelUnmute : labels.labelMute;
      muteButton.setAttribute("aria-pressed", chatMuted ? "true" : "false");
    }
    mutedNotice.hidden = !chatMuted || isTeacher;
  }

  function renderStudents(people) {
    if (!studentList) {
      return;
    }
    clear(studentList);
    people.forEach(function (person) {
      if (person.role !== "student") {
        return;
      }
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = person.name;
      item.appendChild(name);
      item.appendChild(
        button(labels.labelRemove, "secondary", function () {
          var question = labels.labelConfirmRemove.replace("{name}", person.name);
          if (window.confirm(question)) {
            send({ type: "remove", user: person.id });
          }
        })
      );
      studentList.appendChild(item);
    });
  }

  function applyControl(message) {
    if (message.op === "chat_muted" || message.op === "chat_unmuted") {
      chatMuted = message.op === "chat_muted";
      renderMuted();
    } else if (message.op === "removed") {
      dropHand(message.user.id);
      renderHands();
      if (isTeacher) {
        showError(labels.labelRemoved.replace("{name}", message.user.name));
      }
    }
  }

  var handlers = {
    welcome: function (message) {
      me = message.you;
      hands = message.hands || [];
      poll = message.poll || null;
      chatMuted = !!message.chat_muted;
      renderHands();
      renderPoll();
      renderMuted();
      renderStudents(message.presence || []);
      if (lowDataBox) {
        lowDataBox.checked = !!message.low_data;
      }
    },
    presence: function (message) {
      renderStudents(message.participants);
    },
    hand: applyHand,
    poll: applyPoll,
    control: applyControl,
    ack: function (message) {
      if (pollForm && message.ref && message.ref === pendingPoll) {
        pendingPoll = null;
        pollForm.reset();
      }
      if (message.ref in pendingAnswers) {
        if (poll) {
          poll.answered = pendingAnswers[message.ref];
          renderPoll();
        }
        delete pendingAnswers[message.ref];
      }
    },
    error: function (message) {
      if (message.ref && message.ref.charAt(0) === "c") {
        delete pendingAnswers[message.ref];
        showError(message.message);
      }
    },
    session: function (message) {
      if (message.state === "ended") {
        panel.hidden = true;
      }
    },
  };

  root.addEventListener("live:message", function (event) {
    var handler = handlers[event.detail.type];
    if (handler) {
      handler(event.detail);
    }
  });

  if (handToggle) {
    handToggle.addEventListener("click", function () {
      var raised = handToggle.getAttribute("aria-pressed") === "true";
      send({ type: raised ? "hand_lower" : "hand_raise" });
    });
  }
  if (lowerAll) {
    lowerAll.addEventListener("click", function () {
      send({ type: "hands_lower_all" });
    });
  }
  if (pollClose) {
    pollClose.addEventListener("click", function () {
      if (poll) {
        send({ type: "poll_close", poll: poll.id });
      }
    });
  }
  if (pollForm) {
    pollForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var options = pollForm.elements.options.value
        .split("\n")
        .map(function (line) {
          return line.trim();
        })
        .filter(function (line) {
          return line !== "";
        });
      var ref = send({
        type: "poll_open",
        question: pollForm.elements.question.value,
        options: options,
        live_results: pollForm.elements.live_results.checked,
      });
      pendingPoll = ref;
    });
  }
  if (muteButton) {
    muteButton.addEventListener("click", function () {
      send({ type: chatMuted ? "chat_unmute" : "chat_mute" });
    });
  }
  if (endButton) {
    endButton.addEventListener("click", function () {
      if (window.confirm(labels.labelConfirmEnd)) {
        send({ type: "end_class" });
      }
    });
  }
  if (lowDataBox) {
    lowDataBox.checked = storedLowData();
    lowDataBox.addEventListener("change", function () {
      var enabled = lowDataBox.checked;
      storeLowData(enabled);
      setLowDataAttribute(enabled);
      send({ type: "low_data", enabled: enabled });
    });
  }

  setLowDataAttribute(storedLowData());
  panel.hidden = false;
  // The plain forms of the same tools are for browsers without JavaScript.
  var forms = root.querySelector("[data-live-forms]");
  if (forms) {
    forms.hidden = true;
  }
})();
