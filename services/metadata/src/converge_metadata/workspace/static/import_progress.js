// The import progress page, enhanced: poll the job's status, update the bar and the counts,
// and reload the page when the report is ready. Without this script the page has a reload
// link. Loaded from a file (the pages' Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  var section = document.getElementById("progress");
  if (!section) return;
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var reload = document.getElementById("reload");
  var delay = 1000;
  var lastText = text ? text.textContent : "";
  if (reload) reload.hidden = true;

  function show(job) {
    if (bar) {
      bar.value = job.percent;
      bar.textContent = job.percent + " %";
    }
    var line = job.records_seen + " records read: " + job.created + " created, " +
      job.updated + " updated, " + job.unchanged + " unchanged, " + job.rejected + " rejected.";
    // the status region is announced: only when something changed
    if (text && line !== lastText) {
      text.textContent = line;
      lastText = line;
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // the page still works: show the reload link instead
        if (reload) reload.hidden = false;
      });
  }

  window.setTimeout(poll, delay);
})();
