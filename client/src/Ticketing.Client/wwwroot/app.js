// The few lines of script the site has. Both are custom elements, so they start whenever their element appears,
// on a full page load or after Blazor's enhanced navigation patched the page, and stop when it goes away.

// <ticketing-countdown expires-at="ISO" server-now="ISO">: "Time left to pay: N seconds", ticking every second.
// It counts from the server's clock at render time (server-now), so a wrong clock in the browser does not matter.
// At zero it reloads the page (a few times, a few seconds apart) so the server's status says whether the order expired.
class TicketingCountdown extends HTMLElement {
  connectedCallback() {
    const expiresAt = Date.parse(this.getAttribute("expires-at"));
    const serverNow = Date.parse(this.getAttribute("server-now"));
    if (Number.isNaN(expiresAt) || Number.isNaN(serverNow)) return;
    this.deadline = performance.now() + (expiresAt - serverNow);
    this.value = this.querySelector(".countdown-value");
    this.unit = this.querySelector(".countdown-unit");
    this.tick = this.tick.bind(this);
    this.tick();
  }

  disconnectedCallback() {
    clearTimeout(this.timer);
  }

  tick() {
    const left = Math.max(0, Math.floor((this.deadline - performance.now()) / 1000));
    if (this.value) this.value.textContent = String(left);
    if (this.unit) this.unit.textContent = left === 1 ? "second" : "seconds";
    if (left > 0) {
      // Wake just after the next whole second.
      const untilNext = ((this.deadline - performance.now()) % 1000) + 20;
      this.timer = setTimeout(this.tick, untilNext);
      return;
    }
    this.classList.add("countdown-done");
    const key = "ticketing-countdown-reloads:" + location.pathname;
    const reloads = Number(sessionStorage.getItem(key) || "0");
    if (reloads < 20) {
      this.timer = setTimeout(() => {
        sessionStorage.setItem(key, String(reloads + 1));
        location.reload();
      }, reloads === 0 ? 1500 : 3000);
    }
  }
}
customElements.define("ticketing-countdown", TicketingCountdown);

// <ticketing-stripe-card publishable-key="pk_..." form="id" token-input="id" error-id="id">: Stripe Elements' card
// field (only rendered when STRIPE_PUBLISHABLE_KEY is set; Stripe's script is loaded only then). On submit it asks
// Stripe for a PaymentMethod and posts its id as the form's token; the card number never reaches our servers.
class TicketingStripeCard extends HTMLElement {
  async connectedCallback() {
    const key = this.getAttribute("publishable-key");
    const form = document.getElementById(this.getAttribute("form"));
    const tokenInput = document.getElementById(this.getAttribute("token-input"));
    if (!key || !form || !tokenInput) return;
    try {
      await loadStripe();
    } catch {
      this.showError("The card form could not be loaded. Check your connection and reload the page.");
      return;
    }
    const stripe = window.Stripe(key);
    const card = stripe.elements().create("card", { hidePostalCode: true });
    card.mount(this.querySelector(".stripe-card"));
    card.on("change", (event) => this.showError(event.error ? event.error.message : ""));
    form.addEventListener("submit", async (event) => {
      if (tokenInput.value) return;  // the token is set: let the form post
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      const { paymentMethod, error } = await stripe.createPaymentMethod({ type: "card", card });
      if (error) {
        this.showError(error.message);
        if (button) button.disabled = false;
        return;
      }
      tokenInput.value = paymentMethod.id;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  showError(message) {
    let box = document.getElementById(this.getAttribute("error-id"));
    if (!box && message) {
      box = document.createElement("div");
      box.id = this.getAttribute("error-id");
      box.className = "field-error";
      box.setAttribute("role", "alert");
      this.after(box);
    }
    if (box) box.textContent = message;
  }
}

let stripeLoading;
function loadStripe() {
  if (window.Stripe) return Promise.resolve();
  stripeLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "https://js.stripe.com/v3/";
    script.onload = resolve;
    script.onerror = () => { stripeLoading = undefined; reject(new Error("stripe.js failed to load")); };
    document.head.appendChild(script);
  });
  return stripeLoading;
}
customElements.define("ticketing-stripe-card", TicketingStripeCard);
