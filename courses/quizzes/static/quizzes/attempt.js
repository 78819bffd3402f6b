// Save each answer of a quiz attempt as soon as it changes.
//
// The page works without this script: every question is a form with its own
// save button. With the script, a change posts the form with fetch, asking
// for JSON, and retries with a growing pause while the connection is down.
(function () {
  "use strict";

  var labels = document.getElementById("quiz-messages");
  if (!labels) {
    return;
  }
  var RETRY_MAX_MS = 30000;

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function setStatus(form, text) {
    var status = form.querySelector(".quiz-status");
    if (status) {
      status.textContent = text;
    }
  }

  function send(form, delay) {
    form.dataset.pending = "1";
    setStatus(form, labels.dataset.saving);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (result) {
        delete form.dataset.pending;
        if (result.status === 200) {
          setStatus(form, labels.dataset.saved);
        } else if (result.status === 409) {
          setStatus(form, result.body.message || labels.dataset.timeUp);
          window.location.reload();
        } else {
          setStatus(form, result.body.message || "");
        }
      })
      .catch(function () {
        // The network failed: keep the answer and try again later.
        var next = Math.min((delay || 1000) * 2, RETRY_MAX_MS);
        setStatus(form, labels.dataset.retrying);
        window.setTimeout(function () {
          send(form, next);
        }, next);
      });
  }

  var timers = new WeakMap();
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("change", function () {
      send(form, 1000);
    });
    form.addEventListener("input", function (event) {
      if (event.target.type !== "text" && event.target.tagName !== "TEXTAREA") {
        return;
      }
      window.clearTimeout(timers.get(form));
      timers.set(
        form,
        window.setTimeout(function () {
          send(form, 1000);
        }, 800)
      );
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form, 1000);
    });
  });

  var timer = document.getElementById("quiz-timer");
  if (timer) {
    var endsAt = Date.now() + Number(timer.dataset.remaining) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = String(left % 60).padStart(2, "0");
      timer.textContent = minutes + ":" + seconds;
      if (left === 0) {
        timer.textContent = labels.dataset.timeUp;
        window.setTimeout(function () {
          window.location.reload();
        }, 2000);
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
