/**
 * Text for a terminal: every character that a terminal would act on rather than show (ESC and
 * the rest of C0 and C1, DEL, a carriage return that would let a line overwrite another) and the
 * bidirectional controls that reorder what is shown are written as `\u001b`-style escapes. A
 * file, a case or a policy can then never paint over polc's own output (a fake "no errors").
 * Written as JSON writes escapes, so a JSON text stays the same JSON.
 */

// Line feeds and tabs are layout, and stay.
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
  return text.replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
