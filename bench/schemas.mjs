// zod 4 and ajv 8 schemas with the rules of connectsafely-wasm, as close as each can express them.
// Neither trims before matching (zod's .trim() transform is used where it can), counts code
// points with an unpaired surrogate as one, or suggests the nearest field name.
import { z } from "zod";
import Ajv from "ajv";

const identifier = (re) => z.string().trim().min(1).regex(re);
export const zodSchema = z.strictObject({
  accountId: identifier(/^[A-Za-z0-9_-]{1,128}$/).nullish(),
  recipientProfileUrn: identifier(/^urn:li:fsd_profile:[A-Za-z0-9_-]+$/),
  groupId: identifier(/^[0-9]{1,20}$/),
  message: z.string().refine((m) => [...m].length <= 8000, "too_long").refine((m) => m.isWellFormed(), "not_well_formed").refine((m) => m.trim().length > 0, "empty"),
  messageUrns: z.array(identifier(/^urn:li:[A-Za-z][A-Za-z0-9_]*:(\(.+\)|[^\s()]+)$/).refine((u) => [...u].length <= 512, "too_long")).max(100).nullish(),
});

const ajv = new Ajv({ allErrors: true });
export const ajvValidate = ajv.compile({
  type: "object",
  additionalProperties: false,
  required: ["recipientProfileUrn", "groupId", "message"],
  properties: {
    accountId: { type: ["string", "null"], pattern: "^\\s*[A-Za-z0-9_-]{1,128}\\s*$" },
    recipientProfileUrn: { type: "string", pattern: "^\\s*urn:li:fsd_profile:[A-Za-z0-9_-]+\\s*$" },
    groupId: { type: "string", pattern: "^\\s*[0-9]{1,20}\\s*$" },
    message: { type: "string", maxLength: 8000, pattern: "\\S" },
    messageUrns: {
      type: ["array", "null"],
      maxItems: 100,
      items: { type: "string", maxLength: 512, pattern: "^\\s*urn:li:[A-Za-z][A-Za-z0-9_]*:(\\(.+\\)|[^\\s()]+)\\s*$" },
    },
  },
});
