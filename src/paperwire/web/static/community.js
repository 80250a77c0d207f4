// Progressive enhancement: upvote forms update in place. Without JS they post and redirect.
(function () {
  "use strict";
  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("vote")) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      document.querySelectorAll(".count[data-upvotes]").forEach(function (el) {
        if (el.getAttribute("data-upvotes") === data.paper) { el.textContent = String(data.upvotes); }
      });
      document.querySelectorAll("form.vote").forEach(function (other) {
        if (other.action !== form.action) { return; }
        other.querySelector("input[name=on]").value = data.voted ? "0" : "1";
        var b = other.querySelector("button");
        b.setAttribute("aria-pressed", data.voted ? "true" : "false");
        b.title = data.voted ? "Remove your upvote" : "Upvote";
        other.parentElement.classList.toggle("voted", data.voted);
      });
    }).catch(function () {
      form.submit();
    }).finally(function () {
      if (button) { button.disabled = false; }
    });
  }
  document.addEventListener("submit", onSubmit);
})();
