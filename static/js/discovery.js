// The ranked list: keep the saved-search form on the current filters, and say so when a
// results request fails (the table stays as it was).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-save-search]");
    if (form) {
      form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    }
  });

  function showError(message) {
    var results = document.getElementById("results");
    if (!results) return;
    var old = document.getElementById("results-error");
    if (old) old.remove();
    var alert = document.createElement("div");
    alert.id = "results-error";
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    results.prepend(alert);
  }

  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showError(
      status === 404
        ? "That brand or profile is not available to you. Choose another one above."
        : "The results could not be loaded (error " + status + "). Try again, or clear the filters."
    );
  });
  document.body.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached. Check your connection and try again.");
  });
})();
