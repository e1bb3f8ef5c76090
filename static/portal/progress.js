// Polls a job's status and keeps its progress bar current; opens the result when it is done.
(function () {
  "use strict";
  var job = document.getElementById("job");
  // A finished job's page shows its outcome and has nothing to poll.
  if (!job || job.dataset.finished === "true") { return; }
  var bar = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");
  var counts = document.getElementById("job-counts");
  var message = document.getElementById("job-message");
  var cancel = document.getElementById("job-cancel");
  var restart = document.getElementById("job-restart");

  function show(status) {
    stage.textContent = status.stage;
    if (status.percent !== null) { bar.value = status.percent; }
    else if (status.is_finished) { bar.value = 0; }
    else { bar.removeAttribute("value"); }
    counts.textContent = status.total ? status.done + " of " + status.total + " records read" : "";
    if (status.state === "done") { window.location.assign(job.dataset.doneUrl); return false; }
    if (status.is_finished) {
      if (status.message) { message.textContent = status.message; message.hidden = false; }
      if (cancel) { cancel.hidden = true; }
      restart.hidden = false;
      return false;
    }
    return true;
  }

  function poll() {
    fetch(job.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) { if (show(status)) { window.setTimeout(poll, 700); } })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
