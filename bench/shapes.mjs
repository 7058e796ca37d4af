// The body shapes users send, for validation side by side (make bench) and instruction
// counts (make bench-icount). Each shape is one body; `valid` is what every validator
// must answer on it.
const URN = "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o";
const MSG_URN = (i) => `urn:li:msg_message:(urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o,2-MTc0OTk${i}NzQ4ODcyNmI=)`;
const MESSAGE = "Thanks for your message in the group!";

export const SHAPES = {
  "the three required strings": { valid: true, body: { recipientProfileUrn: URN, groupId: "12345678", message: MESSAGE } },
  "with accountId": { valid: true, body: { accountId: "acct_42", recipientProfileUrn: URN, groupId: "12345678", message: MESSAGE } },
  "with one messageUrns entry": { valid: true, body: { recipientProfileUrn: URN, groupId: "12345678", message: MESSAGE, messageUrns: [MSG_URN(0)] } },
  "with 20 messageUrns": { valid: true, body: { recipientProfileUrn: URN, groupId: "12345678", message: MESSAGE, messageUrns: Array.from({ length: 20 }, (_, i) => MSG_URN(i)) } },
  "padded groupId and URN": { valid: true, body: { recipientProfileUrn: ` ${URN} `, groupId: " 12345678 ", message: MESSAGE } },
  "invalid, four field errors": { valid: false, body: { recipientProfileUrn: "nope", groupId: 12345678, message: " ", messageUrns: "x" } },
  "8000-character ASCII message": { valid: true, body: { recipientProfileUrn: URN, groupId: "12345678", message: "a".repeat(7999) + "!" } },
  '2000 x "😀é" message': { valid: true, body: { recipientProfileUrn: URN, groupId: "12345678", message: "😀é".repeat(2000) } },
};
