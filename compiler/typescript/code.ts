/**
 * The expressions generated code is made of, as a small tree, and how each is laid out: the
 * choices Prettier makes for the same constructs (which call argument hugs, when an arrow's body
 * moves to its own line, when a property's value does), so that a module is written already
 * formatted. `test/codegen/formatted-output.test.ts` runs Prettier on every generated file to hold
 * this to it.
 */
import { conditionalGroup, group, ifBreak, indent, indentIfBreak, join, line, softline, willBreak, breakParent, type Doc } from "./layout.js";

export type Code =
  /** An identifier, keyword, number or member access (`k.NONE`, `c.dos`): text that never breaks. */
  | { readonly k: "atom"; readonly text: string; readonly member?: boolean; readonly number?: boolean }
  /** A string literal, as JSON writes it (quotes are chosen when printed). */
  | { readonly k: "string"; readonly json: string }
  | { readonly k: "call"; readonly callee: string; readonly args: readonly Code[] }
  | { readonly k: "arrow"; readonly params: string; readonly body: Code }
  | { readonly k: "array"; readonly items: readonly Code[] }
  | { readonly k: "object"; readonly props: readonly Property[]; readonly expanded: boolean }
  | { readonly k: "not"; readonly arg: Code };

export type Property = { readonly key: string; readonly value: Code } | { readonly shorthand: string };

export const atom = (text: string): Code => ({ k: "atom", text, member: /^[\w$]+(\.[\w$]+)+$/.test(text) });
export const num = (text: string): Code => ({ k: "atom", text, number: true });
export const str = (json: string): Code => ({ k: "string", json });
export const call = (callee: string, args: readonly Code[]): Code => ({ k: "call", callee, args });
export const arrow = (params: string, body: Code): Code => ({ k: "arrow", params, body });
export const array = (items: readonly Code[]): Code => ({ k: "array", items });
export const object = (props: readonly Property[], expanded = false): Code => ({ k: "object", props, expanded });
export const not = (arg: Code): Code => ({ k: "not", arg });

/** A JSON value (the policy's metadata) as code: plain objects, arrays, strings, numbers, booleans, null. */
export function jsonCode(value: unknown): Code {
  if (value === null) return atom("null");
  if (Array.isArray(value)) return array(value.map(jsonCode));
  if (typeof value === "object") {
    return object(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([key, v]) => ({ key: propertyKey(key), value: jsonCode(v) })));
  }
  if (typeof value === "string") return str(jsonString(value));
  if (typeof value === "number") return num(String(value));
  return atom(String(value));
}

/** A property's name: bare when it is an identifier, quoted otherwise. */
function propertyKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : printString(jsonString(key));
}

// eslint-disable-next-line no-control-regex
const unsafe = /[\u0000-\u001f\u007f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
function jsonString(text: string): string {
  return JSON.stringify(text).replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A string literal as Prettier writes it: in double quotes, unless the text holds more double
 * quotes than single ones. The JSON escapes are kept; only the quotes' escaping changes.
 */
export function printString(json: string): string {
  const content = json.slice(1, -1);
  if (!content.includes('"') && !content.includes("'")) return json;
  const doubles = (content.match(/"/g) ?? []).length;
  const singles = (content.match(/'/g) ?? []).length;
  const quote = doubles > singles ? "'" : '"';
  const body = content.replace(/\\(.)|(["'])/gs, (match, escaped: string | undefined, bare: string | undefined) => {
    if (escaped !== undefined) {
      if (escaped === quote) return match;
      if (escaped === '"' || escaped === "'") return escaped;
      return match;
    }
    return bare === quote ? `\\${bare}` : bare!;
  });
  return `${quote}${body}${quote}`;
}

// ── Layout ──────────────────────────────────────────────────────────────────────────────────

interface Context {
  /** The arrow is the last argument of a call, laid out hugging it. */
  readonly expandLastArg?: boolean;
}

export function layout(code: Code, context: Context = {}): Doc {
  switch (code.k) {
    case "atom":
      return code.text;
    case "string":
      return printString(code.json);
    case "not":
      return ["!", layout(code.arg)];
    case "call":
      // A call on a member (`k.and(…)`) is a member chain of one call: Prettier groups it.
      return code.callee.includes(".") ? group([code.callee, callArguments(code.args)]) : [code.callee, callArguments(code.args)];
    case "arrow":
      return arrowLayout(code, context);
    case "array":
      return arrayLayout(code);
    case "object":
      return objectLayout(code);
  }
}

function arrowLayout(code: Extract<Code, { k: "arrow" }>, context: Context): Doc {
  const body = code.body;
  const sameLine = body.k === "array" || body.k === "object" || body.k === "arrow";
  const bodyDoc = layout(body);
  const printed = sameLine ? [" ", bodyDoc] : [indent([line, bodyDoc]), context.expandLastArg ? ifBreak(",") : "", context.expandLastArg ? softline : ""];
  return group([group(code.params), " =>", group(printed)]);
}

function arrayLayout(code: Extract<Code, { k: "array" }>): Doc {
  if (code.items.length === 0) return "[]";
  const items = code.items;
  const shouldBreak =
    items.length > 1 &&
    items.every((item, i) => {
      if (item.k !== "object" && item.k !== "array") return false;
      const next = items[i + 1];
      if (next && next.k !== item.k) return false;
      return (item.k === "object" ? item.props.length : item.items.length) > 1;
    });
  return group(["[", indent([softline, join([",", line], items.map((i) => layout(i)))]), ifBreak(","), softline, "]"], { shouldBreak });
}

function objectLayout(code: Extract<Code, { k: "object" }>): Doc {
  if (code.props.length === 0) return "{}";
  const props = code.props.map((p) => ("shorthand" in p ? p.shorthand : property(p.key, p.value)));
  return group(["{", indent([line, join([",", line], props)]), ifBreak(","), line, "}"], { shouldBreak: code.expanded });
}

/** `key: value`, with the line break where Prettier puts it (see `assignment`). */
function property(key: string, value: Code): Doc {
  return assignment(key, ":", value, key.length < 5);
}

/** `const name = value` (without the semicolon). */
export function declaration(left: string, value: Code): Doc {
  return assignment(left, " =", value, false);
}

/**
 * An assignment or property, in Prettier's layouts: a string (or a call that can hardly break)
 * goes to the next line whole when it does not fit; a short key never breaks from its value;
 * otherwise the value breaks first ("fluid").
 */
function assignment(left: string, operator: string, value: Code, shortKey: boolean): Doc {
  const right = layout(value);
  if (!shortKey && (value.k === "string" || poorlyBreakable(value))) return group([left, operator, group(indent([line, right]))]);
  if (shortKey || (value.k === "atom" && value.number) || (value.k === "atom" && (value.text === "true" || value.text === "false"))) {
    return group([left, operator, " ", right]);
  }
  const id = Symbol("assignment");
  return group([left, operator, group(indent(line), { id }), indentIfBreak(right, id)]);
}

/** A member access, or a call of one with no argument or a single short one: breaking it helps nothing. */
function poorlyBreakable(code: Code, deep = false): boolean {
  if (code.k === "call") {
    const short = code.args.length === 0 || (code.args.length === 1 && loneShort(code.args[0]));
    return short && (code.callee.includes(".") || /^[\w$]+$/.test(code.callee));
  }
  if (code.k === "atom" && code.member) return true;
  return deep && code.k === "atom" && !code.number;
}

function loneShort(code: Code): boolean {
  const threshold = 120 * 0.25;
  if (code.k === "atom") return code.member ? false : code.number || code.text.length <= threshold;
  if (code.k === "string") return printString(code.json).length <= threshold;
  if (code.k === "not") return loneShort(code.arg);
  return false;
}

function couldExpand(arg: Code): boolean {
  if (arg.k === "object") return arg.props.length > 0;
  if (arg.k === "array") return arg.items.length > 0;
  if (arg.k === "arrow") return arg.body.k === "object" || arg.body.k === "array" || arg.body.k === "call" || (arg.body.k === "arrow" && couldExpandChain(arg.body));
  return false;
}

function couldExpandChain(arg: Extract<Code, { k: "arrow" }>): boolean {
  return arg.body.k === "object" || arg.body.k === "array" || (arg.body.k === "arrow" && couldExpandChain(arg.body));
}

/** Two or more functions among the arguments, or a call among them taking one: each argument on its own line. */
function isFunctionComposition(args: readonly Code[]): boolean {
  if (args.length <= 1) return false;
  let functions = 0;
  for (const arg of args) {
    if (arg.k === "arrow") {
      if (++functions > 1) return true;
    } else if (arg.k === "call" && arg.args.some((a) => a.k === "arrow")) return true;
  }
  return false;
}

function isConciselyPrintedArray(arg: Code): boolean {
  return arg.k === "array" && arg.items.length > 1 && arg.items.every((i) => i.k === "atom" && i.number);
}

function callArguments(args: readonly Code[]): Doc {
  if (args.length === 0) return "()";
  const printed = args.map((a, i) => (i === args.length - 1 ? layout(a) : [layout(a), ",", line]));
  const allBrokenOut = () => group(["(", indent([line, ...printed]), ",", line, ")"], { shouldBreak: true });
  if (isFunctionComposition(args)) return allBrokenOut();
  const last = args[args.length - 1];
  const penultimate = args[args.length - 2];
  const expandLast =
    couldExpand(last) &&
    (!penultimate || penultimate.k !== last.k) &&
    (args.length !== 2 || penultimate.k !== "arrow" || last.k !== "array") &&
    !(args.length > 1 && isConciselyPrintedArray(last));
  if (expandLast) {
    const head = printed.slice(0, -1);
    if (head.some(willBreak)) return allBrokenOut();
    const lastDoc = layout(last, { expandLastArg: true });
    if (willBreak(lastDoc)) {
      return [breakParent, conditionalGroup([["(", ...head, group(lastDoc, { shouldBreak: true }), ")"], allBrokenOut()])];
    }
    return conditionalGroup([["(", ...head, lastDoc, ")"], ["(", ...head, group(lastDoc, { shouldBreak: true }), ")"], allBrokenOut()]);
  }
  return group(["(", indent([softline, ...printed]), ifBreak(","), softline, ")"], { shouldBreak: printed.some(willBreak) });
}

/** Code printed on one line, for the in-memory modules `polc eval` runs (nobody reads them). */
export function flat(code: Code): string {
  switch (code.k) {
    case "atom":
      return code.text;
    case "string":
      return code.json;
    case "not":
      return `!${flat(code.arg)}`;
    case "call":
      return `${code.callee}(${code.args.map(flat).join(", ")})`;
    case "arrow":
      return `${code.params} => ${code.body.k === "object" ? `(${flat(code.body)})` : flat(code.body)}`;
    case "array":
      return `[${code.items.map(flat).join(", ")}]`;
    case "object":
      return `{ ${code.props.map((p) => ("shorthand" in p ? p.shorthand : `${p.key}: ${flat(p.value)}`)).join(", ")} }`;
  }
}
