/**
 * Line breaking for generated code: the layout algebra Prettier prints with (groups that break
 * only when they do not fit, indentation, conditional groups that try layouts in turn), so that
 * generated modules come out exactly as Prettier would format them without running Prettier. Only
 * what the generated code needs is here: no fill, no line suffixes, no alignment by strings.
 */

export type Doc = string | readonly Doc[] | Group | Indent | Line | IfBreak | IndentIfBreak | BreakParent;

export interface Group {
  readonly type: "group";
  readonly contents: Doc;
  /** Set when the group must break: asked for, or a hard line inside it. */
  break: boolean;
  /** Layouts tried in turn, the last in break mode if none fits (a conditional group). */
  readonly expandedStates?: readonly Doc[];
  readonly id?: symbol;
}
interface Indent {
  readonly type: "indent";
  readonly contents: Doc;
}
interface Line {
  readonly type: "line";
  readonly soft?: boolean;
  readonly hard?: boolean;
}
interface IfBreak {
  readonly type: "if-break";
  readonly breakContents: Doc;
  readonly flatContents: Doc;
  readonly groupId?: symbol;
}
interface IndentIfBreak {
  readonly type: "indent-if-break";
  readonly contents: Doc;
  readonly groupId: symbol;
}
interface BreakParent {
  readonly type: "break-parent";
}

export const line: Doc = { type: "line" };
export const softline: Doc = { type: "line", soft: true };
export const breakParent: Doc = { type: "break-parent" };
export const hardline: Doc = [{ type: "line", hard: true }, breakParent];

export function group(contents: Doc, options: { shouldBreak?: boolean; id?: symbol } = {}): Group {
  return { type: "group", contents, break: options.shouldBreak ?? false, id: options.id };
}

/** Tries each layout flat in turn; the last, in break mode, when none fits. */
export function conditionalGroup(states: readonly Doc[]): Group {
  return { type: "group", contents: states[0], break: false, expandedStates: states };
}

export function indent(contents: Doc): Doc {
  return { type: "indent", contents };
}

export function ifBreak(breakContents: Doc, flatContents: Doc = "", groupId?: symbol): Doc {
  return { type: "if-break", breakContents, flatContents, groupId };
}

export function indentIfBreak(contents: Doc, groupId: symbol): Doc {
  return { type: "indent-if-break", contents, groupId };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(separator);
    out.push(d);
  });
  return out;
}

/** Whether the doc holds a forced break (a broken group, a hard line, a break-parent). */
export function willBreak(doc: Doc): boolean {
  const stack: Doc[] = [doc];
  while (stack.length) {
    const d = stack.pop()!;
    if (typeof d === "string") continue;
    if (Array.isArray(d)) {
      for (const x of d as readonly Doc[]) stack.push(x);
      continue;
    }
    const n = d as Exclude<Doc, string | readonly Doc[]>;
    switch (n.type) {
      case "group":
        if (n.break) return true;
        stack.push(n.contents);
        break;
      case "line":
        if (n.hard) return true;
        break;
      case "break-parent":
        return true;
      case "indent":
      case "indent-if-break":
        stack.push(n.contents);
        break;
      case "if-break":
        stack.push(n.breakContents, n.flatContents);
        break;
    }
  }
  return false;
}

/** Marks every group holding a hard line as broken, and its enclosing groups up to a conditional group. */
function propagateBreaks(doc: Doc): void {
  const visited = new Set<Group>();
  const groups: Group[] = [];
  const breakParentGroup = () => {
    const parent = groups[groups.length - 1];
    if (parent && !parent.expandedStates && !parent.break) parent.break = true;
  };
  const exit = Symbol("exit");
  const stack: (Doc | typeof exit)[] = [doc];
  while (stack.length) {
    const d = stack.pop()!;
    if (d === exit) {
      const g = groups.pop()!;
      if (g.break) breakParentGroup();
      continue;
    }
    if (typeof d === "string") continue;
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push((d as readonly Doc[])[i]);
      continue;
    }
    const n = d as Exclude<Doc, string | readonly Doc[]>;
    switch (n.type) {
      case "break-parent":
        breakParentGroup();
        break;
      case "group":
        groups.push(n);
        stack.push(exit);
        if (visited.has(n)) break;
        visited.add(n);
        if (n.expandedStates) for (let i = n.expandedStates.length - 1; i >= 0; i--) stack.push(n.expandedStates[i]);
        else stack.push(n.contents);
        break;
      case "indent":
      case "indent-if-break":
        stack.push(n.contents);
        break;
      case "if-break":
        stack.push(n.flatContents, n.breakContents);
        break;
      case "line":
        break;
    }
  }
}

const FLAT = 0;
const BREAK = 1;
type Mode = typeof FLAT | typeof BREAK;

interface Command {
  readonly indent: number;
  readonly mode: Mode;
  readonly doc: Doc;
}

/** Columns a string takes in a terminal: wide East Asian characters two, combining marks none. */
export function stringWidth(text: string): number {
  // Below U+0300 (combining marks start there) every character is one column.
  let simple = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) {
      simple = false;
      break;
    }
  }
  if (simple) return text.length;
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (/\p{M}/u.test(ch) || cp === 0x200b) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function fits(next: Command, rest: readonly Command[], width: number, groupModes: Map<symbol, Mode>, mustBeFlat: boolean): boolean {
  if (width === Number.POSITIVE_INFINITY) return true;
  let restIndex = rest.length;
  const commands: { mode: Mode; doc: Doc }[] = [next];
  while (width >= 0) {
    if (commands.length === 0) {
      if (restIndex === 0) return true;
      commands.push(rest[--restIndex]);
      continue;
    }
    const { mode, doc } = commands.pop()!;
    if (typeof doc === "string") {
      width -= stringWidth(doc);
      continue;
    }
    if (Array.isArray(doc)) {
      for (let i = doc.length - 1; i >= 0; i--) commands.push({ mode, doc: (doc as readonly Doc[])[i] });
      continue;
    }
    const n = doc as Exclude<Doc, string | readonly Doc[]>;
    switch (n.type) {
      case "indent":
      case "indent-if-break":
        commands.push({ mode, doc: n.contents });
        break;
      case "group": {
        if (mustBeFlat && n.break) return false;
        const groupMode = n.break ? BREAK : mode;
        const contents = n.expandedStates && groupMode === BREAK ? n.expandedStates[n.expandedStates.length - 1] : n.contents;
        commands.push({ mode: groupMode, doc: contents });
        break;
      }
      case "if-break": {
        const groupMode = n.groupId ? (groupModes.get(n.groupId) ?? FLAT) : mode;
        const contents = groupMode === BREAK ? n.breakContents : n.flatContents;
        if (contents) commands.push({ mode, doc: contents });
        break;
      }
      case "line":
        if (mode === BREAK || n.hard) return true;
        if (!n.soft) width -= 1;
        break;
      case "break-parent":
        break;
    }
  }
  return false;
}

/**
 * A doc on as few lines as it can take: every group flat unless it must break (a hard line). For
 * code nobody reads (the modules `polc eval` runs in memory), where laying out would be wasted.
 */
export function printFlat(doc: Doc): string {
  const out: string[] = [];
  const stack: Doc[] = [doc];
  while (stack.length) {
    const d = stack.pop()!;
    if (typeof d === "string") {
      out.push(d);
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push((d as readonly Doc[])[i]);
      continue;
    }
    const n = d as Exclude<Doc, string | readonly Doc[]>;
    switch (n.type) {
      case "group":
      case "indent":
      case "indent-if-break":
        stack.push(n.contents);
        break;
      case "if-break":
        stack.push(n.flatContents);
        break;
      case "line":
        out.push(n.hard ? "\n" : n.soft ? "" : " ");
        break;
      case "break-parent":
        break;
    }
  }
  return out.join("");
}

/** Prints a doc at a line width, two spaces an indent, as Prettier's printer does. */
export function printDoc(doc: Doc, width: number): string {
  propagateBreaks(doc);
  const groupModes = new Map<symbol, Mode>();
  const out: string[] = [];
  let position = 0;
  let shouldRemeasure = false;
  const commands: Command[] = [{ indent: 0, mode: BREAK, doc }];
  const trim = () => {
    // Trailing spaces before a line break go, as in Prettier.
    while (out.length) {
      const last = out[out.length - 1];
      const trimmed = last.replace(/[ \t]+$/, "");
      if (trimmed.length === last.length) break;
      if (trimmed.length) {
        out[out.length - 1] = trimmed;
        break;
      }
      out.pop();
    }
  };
  while (commands.length) {
    const { indent: ind, mode, doc: d } = commands.pop()!;
    if (typeof d === "string") {
      out.push(d);
      position += stringWidth(d);
      continue;
    }
    if (Array.isArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) commands.push({ indent: ind, mode, doc: (d as readonly Doc[])[i] });
      continue;
    }
    const n = d as Exclude<Doc, string | readonly Doc[]>;
    switch (n.type) {
      case "indent":
        commands.push({ indent: ind + 2, mode, doc: n.contents });
        break;
      case "group": {
        let command: Command;
        if (mode === FLAT && !shouldRemeasure) {
          command = { indent: ind, mode: n.break ? BREAK : FLAT, doc: n.contents };
        } else {
          shouldRemeasure = false;
          const remaining = width - position;
          const flat: Command = { indent: ind, mode: FLAT, doc: n.contents };
          if (!n.break && fits(flat, commands, remaining, groupModes, false)) command = flat;
          else if (!n.expandedStates) command = { indent: ind, mode: BREAK, doc: n.contents };
          else {
            let chosen: Command | undefined;
            if (!n.break) {
              for (let i = 1; i < n.expandedStates.length - 1; i++) {
                const state: Command = { indent: ind, mode: FLAT, doc: n.expandedStates[i] };
                if (fits(state, commands, remaining, groupModes, false)) {
                  chosen = state;
                  break;
                }
              }
            }
            command = chosen ?? { indent: ind, mode: BREAK, doc: n.expandedStates[n.expandedStates.length - 1] };
          }
        }
        commands.push(command);
        if (n.id) groupModes.set(n.id, command.mode);
        break;
      }
      case "if-break":
      case "indent-if-break": {
        const groupMode = n.groupId ? groupModes.get(n.groupId) : mode;
        if (n.type === "if-break") {
          const contents = groupMode === BREAK ? n.breakContents : n.flatContents;
          if (contents) commands.push({ indent: ind, mode, doc: contents });
        } else {
          commands.push({ indent: groupMode === BREAK ? ind + 2 : ind, mode, doc: n.contents });
        }
        break;
      }
      case "line":
        if (mode === FLAT && !n.hard) {
          if (!n.soft) {
            out.push(" ");
            position += 1;
          }
          break;
        }
        if (mode === FLAT) shouldRemeasure = true;
        trim();
        out.push(`\n${" ".repeat(ind)}`);
        position = ind;
        break;
      case "break-parent":
        break;
    }
  }
  return out.join("");
}
