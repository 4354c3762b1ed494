/**
 * Names: what each file can see (its own declarations and everything it imports, transitively),
 * with duplicates and reserved words reported where they are declared.
 */
import type * as A from "./ast.js";
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
export const builtinNames = ["date_of_service", "later_of", "earlier_of", "recent_run"] as const;
export const builtinTypes = ["boolean", "number", "integer", "percent", "duration", "date", "text"] as const;

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
  const addRequirementsIn = (items: readonly A.Item[]) => {
    for (const item of items) {
      if (item.kind === "Requirement") {
        add(item.name, { kind: "requirement", decl: item });
        if (item.body.kind === "GroupBody") addRequirementsIn(item.body.items);
      } else if (item.kind === "GroupBody") addRequirementsIn(item.items);
      else if (item.kind === "Note" && item.name && item.nameSpan && item.rule) {
        // A checked note is a requirement too; it is named like one.
        add(item.name, {
          kind: "requirement",
          decl: {
            kind: "Requirement",
            role: "criterion",
            name: item.name,
            nameSpan: item.nameSpan,
            wording: item.text,
            refs: item.refs,
            when: item.when,
            body: item.rule ?? { kind: "Bool", value: true, span: item.span },
            span: item.span,
          },
        });
      }
    }
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
        add(decl.name, { kind: "requirement", decl });
        if (decl.body.kind === "GroupBody") addRequirementsIn(decl.body.items);
        break;
    }
  }
  for (const doc of [...file.policies, ...file.overlays]) {
    for (const section of doc.sections) addRequirementsIn(section.items);
  }
  return symbols;
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
