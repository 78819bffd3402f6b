// Mark a lesson done once the student scrolls to its end. The form's own
// button does the same without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("lesson-end");
  if (!form || !form.dataset.autoDone || !("IntersectionObserver" in window)) {
    return;
  }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var observer = new IntersectionObserver(function (entries) {
    if (!entries.some(function (entry) { return entry.isIntersecting; })) {
      return;
    }
    observer.disconnect();
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": token ? token.value : "",
        "X-Requested-With": "fetch"
      }
    }).then(function (response) {
      if (response.ok) {
        form.classList.add("done");
      }
    }).catch(function () {
      // Offline: the button stays, so the student can press it later.
    });
  });
  observer.observe(form);
})();
