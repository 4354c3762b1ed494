/**
 * Text from a policy on its way into generated code: as string literals and inside comments,
 * where nothing it contains can end the literal or the comment.
 */

/**
 * Characters that end a line in JavaScript (and so a `//` comment), control characters, and
 * bidirectional controls, which can make code display differently from what it is.
 */
// eslint-disable-next-line no-control-regex
const unsafeCharacters = /[\u0000-\u001f\u007f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeUnsafe(text: string): string {
  return text.replace(unsafeCharacters, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A string literal for any text: JSON, with every unsafe character escaped as \uXXXX. */
export function literal(value: unknown): string {
  return escapeUnsafe(JSON.stringify(value));
}

/** Text that can stand inside a comment: it cannot end the comment or the line. */
export function commentText(text: string): string {
  return escapeUnsafe(text.replace(/\*\//g, "*\\/"));
}
