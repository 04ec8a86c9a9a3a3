// Stripe Payment Element for an approved booking. Starts the payment through POST /api/v1/bookings/{id}/payment/
// (session auth + CSRF), which answers {provider, client_secret, publishable_key, amount_cents, ...}.
(function () {
  "use strict";
  function csrf(form) { var input = form.querySelector("input[name=csrfmiddlewaretoken]"); return input ? input.value : ""; }
  function init() {
    var form = document.getElementById("payment-form");
    var message = document.getElementById("payment-message");
    var submit = document.getElementById("payment-submit");
    // The page's words (data-msg-*, in the visitor's language); the Dutch ones only if a template forgot them.
    var say = function (name, fallback) { return (message && message.getAttribute("data-msg-" + name)) || fallback; };
    if (!form || typeof Stripe === "undefined") { if (message) { message.textContent = say("unavailable", "Stripe kon niet worden geladen."); } return; }
    fetch(form.getAttribute("data-payment-api"), { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(form), "Content-Type": "application/json", "Accept": "application/json" }, body: "{}" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok || res.body.provider !== "stripe") { message.textContent = res.body.detail || res.body.instructions || ""; return; }
        var stripe = Stripe(res.body.publishable_key);
        var elements = stripe.elements({ clientSecret: res.body.client_secret, locale: document.documentElement.lang });
        elements.create("payment").mount("#payment-element");
        submit.disabled = false;
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          submit.disabled = true;
          stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.getAttribute("data-return-url") } })
            .then(function (result) { if (result.error) { message.textContent = result.error.message; submit.disabled = false; } });
        });
      })
      .catch(function () { message.textContent = say("failed", "De betaling kon niet worden gestart. Probeer het later opnieuw."); });
  }
  if (document.readyState !== "loading") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
