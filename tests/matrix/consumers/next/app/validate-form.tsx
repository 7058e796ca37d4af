"use client";

import { useState } from "react";
import type { ValidationResult } from "connectsafely-wasm/validate";
import { validateSendGroupWithAck } from "connectsafely-wasm/validate";

// A form checked as the user types, with validation only: the send happens in a route
// handler (app/api/send), where the API key stays.
export default function ValidateForm() {
  const [checked, setChecked] = useState<ValidationResult | null>(null);
  function check(form: HTMLFormElement) {
    setChecked(validateSendGroupWithAck(Object.fromEntries(new FormData(form))));
  }
  return (
    <form
      onInput={(e) => check(e.currentTarget)}
      onSubmit={(e) => {
        e.preventDefault();
        check(e.currentTarget);
      }}
    >
      <input name="recipientProfileUrn" placeholder="urn:li:fsd_profile:..." />
      <input name="groupId" placeholder="12345678" />
      <textarea name="message" />
      <button>Send</button>
      <output>{checked ? JSON.stringify(checked) : ""}</output>
    </form>
  );
}
