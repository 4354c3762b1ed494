/**
 * JSON for files a person writes (case files): the platform's parser, plus what it lets
 * through silently. A key given twice in one object is refused with its path and place (the
 * platform keeps the last one, even over an impossible date written first), and a byte order
 * mark at the start is read as nothing, as editors on some systems write it.
 *
 * The duplicate scan runs only over text the platform's parser has accepted, so it reads valid
 * JSON; it keeps its own stack, so a file nested a million levels deep cannot exhaust the call
 * stack, and it takes time linear in the text.
 */

export class StrictJsonError extends Error {}

export function parseStrictJson(text: string): unknown {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const value: unknown = JSON.parse(body);
  const duplicate = firstDuplicateKey(body);
  if (duplicate) throw new StrictJsonError(`${duplicate.path} is given twice (line ${duplicate.line}, column ${duplicate.column}); each key may appear once in an object`);
  return value;
}

export interface Duplicate {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

/** One open object or array: the keys it has, and where it stands in its parent. */
interface Frame {
  readonly keys: Set<string> | undefined;
  readonly parent: Frame | undefined;
  /** The key or index this container has in its parent. */
  readonly at: string | number;
  /** For an array, the index of the next element; for an object, the key being read. */
  index: number;
  key: string;
  /** In an object: whether the next string is a key (rather than a value). */
  expectKey: boolean;
}

/** The path to a frame's member, built only when a duplicate is found (without recursion: nesting may be deep). */
function pathOf(frame: Frame | undefined, key: string | number): string {
  if (!frame) return "(the file)";
  const steps: (string | number)[] = [key];
  for (let f: Frame = frame; f.parent !== undefined; f = f.parent) steps.push(f.at);
  let path = "";
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (typeof step === "number") path = `${path}[${step}]`;
    else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(step) ? step : JSON.stringify(step);
      path = path ? (name.startsWith('"') ? `${path}[${name}]` : `${path}.${name}`) : name;
    }
  }
  return path;
}

/**
 * The first key given twice in one object of a valid JSON text (one the platform's parser, or
 * another strict one, has accepted), with its path from the top and its place.
 */
export function firstDuplicateKey(text: string): Duplicate | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const at = top === undefined ? "" : top.keys ? top.key : top.index;
      stack.push({ keys: c === 0x7b ? new Set() : undefined, parent: top, at, index: 0, key: "", expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c /* \ */) {
          escaped = true;
          i++;
        }
      }
      if (top?.keys && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
        if (top.keys.has(key)) {
          const before = text.slice(0, start);
          const line = before.split(/\r\n|\r|\n/).length;
          const column = start - Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r"));
          return { path: pathOf(top, key), line, column };
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
    }
  }
  return undefined;
}
