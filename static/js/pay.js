// Card payment: the card goes straight to Stripe (SetupIntent), our server then authorises the
// order's PaymentIntent; 3-D Secure is finished with confirmCardPayment. Works with Stripe.js and
// with localstripe's stand-in.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || !window.Stripe) { return; }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var button = document.getElementById("pay-button");
  var errorBox = document.getElementById("pay-error");

  var messages = {};
  try { messages = JSON.parse(form.dataset.errors || "{}"); } catch (e) { messages = {}; }

  // Stripe answers in English: show the customer's language, by Stripe's code.
  function fail(error) {
    var code = error && (error.decline_code || error.code);
    var ours = error && error.status === "error" ? error.message : null;  // our server's words
    errorBox.textContent = ours || (code && messages[code]) || form.dataset.generic;
    button.disabled = false;
  }

  function post(body) {
    return fetch(form.dataset.confirmUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.textContent = "";
    stripe.confirmCardSetup(form.dataset.setupSecret, { payment_method: { card: card } })
      .then(function (result) {
        var error = result.error;
        if (error && (error.type === "card_error" || error.code === "card_declined")) {
          // Declined by the bank: the server cancels the order and puts the cart back.
          return post({ declined: true, message: error.message });
        }
        if (error) { throw error; }
        return post({ payment_method: result.setupIntent.payment_method });
      })
      .then(function (answer) {
        if (answer.status === "error") { throw answer; }
        if (answer.client_secret) {
          return stripe.confirmCardPayment(answer.client_secret).then(function (result) {
            window.location.href = answer.return_url;
          });
        }
        window.location.href = answer.redirect;
      })
      .catch(function (error) { fail(error); });
  });
})();
