import { validateSendGroupWithAck } from "connectsafely-wasm/validate";

// A page that checks the form as the user types, with validation only: the send happens
// on your server (a route handler or a Worker), where the API key stays.
const form = document.querySelector("form");
const output = document.querySelector("output");

function check() {
  const checked = validateSendGroupWithAck(Object.fromEntries(new FormData(form)));
  output.value = JSON.stringify(checked);
  form.querySelector("button").title = checked.ok ? "" : checked.error.fieldErrors.map((e) => e.message).join("\n");
  return checked;
}

form.addEventListener("input", check);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  check();
});
