/**
 * Names: what each file can see (its own declarations and everything it imports, transitively),
 * with duplicates and reserved words reported where they are declared.
 */
import type * as A from "./ast.js";
import { walk } from "./ast.js";
import { error, type Diagnostic } from "./diagnostics.js";

export type SymbolEntry =
  | { readonly kind: "fact"; readonly decl: A.FactDecl; readonly path: string }
  | { readonly kind: "group"; readonly decl: A.GroupDecl; readonly path: string; readonly members: ReadonlyMap<string, SymbolEntry> }
  | { readonly kind: "enum"; readonly decl: A.EnumDecl }
  | { readonly kind: "record"; readonly decl: A.RecordDecl }
  | { readonly kind: "define"; readonly decl: A.DefineDecl }
  | { readonly kind: "requirement"; readonly decl: A.RequirementDecl };

export type Scope = ReadonlyMap<string, SymbolEntry>;

/** Names the language gives every policy. */
/** Built-in functions of values, each with the runtime operation it stands for, its operands' types and its result's. */
export const builtinFunctions = {
  percent_change: { fn: "percentChange", params: ["number", "number"], result: "percent" },
  percent_reduction: { fn: "percentReduction", params: ["number", "number"], result: "percent" },
  same_level: { fn: "sameLevel", params: ["levels", "levels"], result: "boolean" },
  adjacent_level: { fn: "adjacentLevel", params: ["levels", "levels"], result: "boolean" },
  levels_within: { fn: "levelsWithin", params: ["levels", "levels"], result: "boolean" },
  levels_apart: { fn: "levelsApart", params: ["levels", "levels"], result: "integer" },
  level_count: { fn: "countLevels", params: ["levels"], result: "integer" },
  level_range: { fn: "levelRange", params: ["levels", "levels"], result: "levels" },
  level_union: { fn: "levelUnion", params: ["levels", "levels"], result: "levels" },
} as const satisfies Record<string, { fn: string; params: readonly ("number" | "levels")[]; result: "percent" | "boolean" | "integer" | "levels" }>;
export type BuiltinFunction = keyof typeof builtinFunctions;
export type BuiltinOperation = (typeof builtinFunctions)[BuiltinFunction]["fn"];

export const builtinNames = ["date_of_service", "later_of", "earlier_of", "recent_run", ...(Object.keys(builtinFunctions) as BuiltinFunction[])] as const;
export const builtinTypes = ["boolean", "number", "integer", "percent", "duration", "date", "text", "spinal_levels"] as const;

function spanOf(entry: SymbolEntry): A.Span {
  return entry.decl.nameSpan;
}

/** The declarations a file makes itself, including inline criteria inside its sections. */
export function ownSymbols(file: A.PolFile, diagnostics: Diagnostic[]): Map<string, SymbolEntry> {
  const symbols = new Map<string, SymbolEntry>();
  const add = (name: string, entry: SymbolEntry) => {
    if (!name) return;
    const previous = symbols.get(name);
    if (previous) {
      diagnostics.push(
        error("POL010", spanOf(entry), `'${name}' is already declared`, {
          related: [{ message: `first declared here`, span: spanOf(previous) }],
        }),
      );
      return;
    }
    if ((builtinNames as readonly string[]).includes(name) || (builtinTypes as readonly string[]).includes(name)) {
      diagnostics.push(error("POL015", spanOf(entry), `'${name}' is a name the language reserves; choose another`));
      return;
    }
    symbols.set(name, entry);
  };
  /** The criteria declared anywhere under a node (inline in lists and sections), and checked notes. */
  const addRequirementsUnder = (root: A.Node) => {
    walk(root, (node) => {
      if (node.kind === "Requirement") add(node.name, { kind: "requirement", decl: node });
      else if (node.kind === "Note" && node.name && node.nameSpan && node.rule) {
        // A checked note is a requirement too; it is named like one.
        add(node.name, { kind: "requirement", decl: checkedNote(node, node.name, node.nameSpan, node.rule) });
      }
      // Criteria are declared in lists, never inside expressions.
      return !isExpression(node);
    });
  };
  for (const decl of file.declarations) {
    switch (decl.kind) {
      case "Fact":
        add(decl.name, { kind: "fact", decl, path: decl.name });
        break;
      case "Group":
        add(decl.name, groupEntry(decl, decl.name, diagnostics));
        break;
      case "Enum":
        add(decl.name, { kind: "enum", decl });
        break;
      case "Record":
        add(decl.name, { kind: "record", decl });
        break;
      case "Define":
        add(decl.name, { kind: "define", decl });
        break;
      case "Requirement":
        addRequirementsUnder(decl);
        break;
    }
  }
  for (const doc of [...file.policies, ...file.overlays]) {
    for (const section of doc.sections) addRequirementsUnder(section);
    for (const service of doc.services) for (const section of service.sections) addRequirementsUnder(section);
  }
  return symbols;
}

const noteRequirements = new WeakMap<A.NoteItem, A.RequirementDecl>();

/** The criterion a checked note stands for: one per note, so every pass sees the same declaration. */
export function checkedNote(note: A.NoteItem, name: string, nameSpan: A.Span, rule: A.Expr): A.RequirementDecl {
  let decl = noteRequirements.get(note);
  if (!decl) {
    decl = { kind: "Requirement", role: "criterion", name, nameSpan, wording: note.text, refs: note.refs, when: note.when, body: rule, span: note.span, ...(note.readings ? { readings: note.readings } : {}) };
    noteRequirements.set(note, decl);
    notesByDecl.add(decl);
  }
  return decl;
}

/** Whether a requirement declaration stands for a checked note (its role is "note"). */
export function isCheckedNote(decl: A.RequirementDecl): boolean {
  return notesByDecl.has(decl);
}
const notesByDecl = new WeakSet<A.RequirementDecl>();

const expressionKinds: ReadonlySet<A.NodeKind> = new Set(["Number", "Text", "Date", "Bool", "Ref", "Field", "Binary", "Not", "In", "Known", "Query", "Time", "Refer", "If", "Case"]);

export function isExpression(node: A.Node): node is A.Expr {
  return expressionKinds.has(node.kind);
}

function groupEntry(decl: A.GroupDecl, path: string, diagnostics: Diagnostic[]): SymbolEntry {
  const members = new Map<string, SymbolEntry>();
  for (const member of decl.members) {
    const memberPath = `${path}.${member.name}`;
    const entry: SymbolEntry =
      member.kind === "Fact" ? { kind: "fact", decl: member, path: memberPath } : groupEntry(member, memberPath, diagnostics);
    const previous = members.get(member.name);
    if (previous) {
      diagnostics.push(
        error("POL010", member.nameSpan, `'${member.name}' is already declared in group '${decl.name}'`, {
          related: [{ message: "first declared here", span: spanOf(previous) }],
        }),
      );
    } else members.set(member.name, entry);
  }
  return { kind: "group", decl, path, members };
}

/**
 * The scope of each file: its own symbols over those of every file it imports. A name declared
 * in two different files that one file sees is reported once, at the later declaration.
 */
export function buildScopes(
  files: ReadonlyMap<string, A.PolFile>,
  own: ReadonlyMap<string, Map<string, SymbolEntry>>,
  importsOf: ReadonlyMap<string, readonly string[]>,
  diagnostics: Diagnostic[],
): Map<string, Scope> {
  const scopes = new Map<string, Scope>();
  for (const path of files.keys()) {
    const visible = new Set<string>();
    const stack = [path];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (visible.has(next)) continue;
      visible.add(next);
      stack.push(...(importsOf.get(next) ?? []));
    }
    const scope = new Map<string, SymbolEntry>();
    for (const [name, entry] of own.get(path) ?? []) scope.set(name, entry);
    for (const other of [...visible].sort()) {
      if (other === path) continue;
      for (const [name, entry] of own.get(other) ?? []) {
        const existing = scope.get(name);
        if (!existing) scope.set(name, entry);
        else if (existing.decl !== entry.decl) {
          const [first, second] = [existing, entry].sort((a, b) => spanOf(a).file.localeCompare(spanOf(b).file) || spanOf(a).start - spanOf(b).start);
          diagnostics.push(
            error("POL010", spanOf(second), `'${name}' is already declared in ${spanOf(first).file}`, {
              related: [{ message: "first declared here", span: spanOf(first) }],
            }),
          );
        }
      }
    }
    scopes.set(path, scope);
  }
  return scopes;
}

/** What a file imports under a name: `import "…" as nia` makes `nia` stand for that file. */
export interface ImportedNamespace {
  /** The file it stands for; its names are those that file sees. */
  readonly file: string;
  readonly span: A.Span;
}

/** For each file, the names it imports files under. */
export type Namespaces = ReadonlyMap<string, ReadonlyMap<string, ImportedNamespace>>;

/**
 * The names each file imports files under. Such a name is the file's own: it may not be given
 * twice, nor be a name the file sees (a fact, a group, a definition…), so that `nia.x` can only
 * mean one thing.
 */
export function buildNamespaces(
  edges: ReadonlyMap<string, readonly { readonly target: string; readonly alias?: string; readonly aliasSpan?: A.Span }[]>,
  scopes: ReadonlyMap<string, Scope>,
  diagnostics: Diagnostic[],
): Map<string, ReadonlyMap<string, ImportedNamespace>> {
  const all = new Map<string, ReadonlyMap<string, ImportedNamespace>>();
  for (const [path, list] of edges) {
    const own = new Map<string, ImportedNamespace>();
    for (const edge of list) {
      if (!edge.alias || !edge.aliasSpan) continue;
      const previous = own.get(edge.alias);
      const declared = scopes.get(path)?.get(edge.alias);
      if (previous) {
        diagnostics.push(error("POL010", edge.aliasSpan, `'${edge.alias}' already names an imported file`, { related: [{ message: "first named here", span: previous.span }] }));
      } else if (declared) {
        diagnostics.push(error("POL010", edge.aliasSpan, `'${edge.alias}' is already declared`, { related: [{ message: "declared here", span: spanOf(declared) }], hint: "import the file under another name" }));
      } else if ((builtinNames as readonly string[]).includes(edge.alias) || (builtinTypes as readonly string[]).includes(edge.alias)) {
        diagnostics.push(error("POL015", edge.aliasSpan, `'${edge.alias}' is a name the language reserves; choose another`));
      } else {
        own.set(edge.alias, { file: edge.target, span: edge.aliasSpan });
      }
    }
    if (own.size > 0) all.set(path, own);
  }
  return all;
}

/**
 * A request holds one value per fact path. Two files imported under different names may both
 * declare a fact `history`; a file that sees both (directly or through its imports) could not be
 * given both in one request, so the second is reported where it is declared.
 */
export function reportSharedFactPaths(
  edges: ReadonlyMap<string, readonly { readonly target: string }[]>,
  own: ReadonlyMap<string, ReadonlyMap<string, SymbolEntry>>,
  diagnostics: Diagnostic[],
): void {
  const factsOf = (path: string): Extract<SymbolEntry, { kind: "fact" }>[] => {
    const out: Extract<SymbolEntry, { kind: "fact" }>[] = [];
    const visit = (entry: SymbolEntry) => {
      if (entry.kind === "fact") out.push(entry);
      else if (entry.kind === "group") for (const member of entry.members.values()) visit(member);
    };
    for (const entry of own.get(path)?.values() ?? []) visit(entry);
    return out;
  };
  const reported = new Set<A.FactDecl>();
  for (const start of edges.keys()) {
    const reachable = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (reachable.has(next)) continue;
      reachable.add(next);
      for (const edge of edges.get(next) ?? []) stack.push(edge.target);
    }
    const byPath = new Map<string, Extract<SymbolEntry, { kind: "fact" }>>();
    for (const file of [...reachable].sort()) {
      for (const fact of factsOf(file)) {
        const first = byPath.get(fact.path);
        if (!first) byPath.set(fact.path, fact);
        else if (first.decl !== fact.decl && !reported.has(fact.decl)) {
          reported.add(fact.decl);
          diagnostics.push(
            error("POL010", fact.decl.nameSpan, `the fact '${fact.path}' is also declared in ${first.decl.nameSpan.file}, and ${start} sees both: a request has only one '${fact.path}'`, {
              related: [{ message: "first declared here", span: first.decl.nameSpan }],
              hint: "give one of them another name",
            }),
          );
        }
      }
    }
  }
}
