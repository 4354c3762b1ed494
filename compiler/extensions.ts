/**
 * Extending a shared record from a policy: `extend record procedure { relief_hours: duration "…" }`.
 * Which record each extension extends, and which extensions each file sees: its own and those of
 * every file it imports (as it sees their other declarations). A field the record already has, or
 * that another extension seen with it adds, is refused where it is added.
 */
import type * as A from "./ast.js";
import { error, suggest, type Diagnostic } from "./diagnostics.js";
import type { Namespaces, Scope } from "./scope.js";

export interface Extensions {
  /** The record each extension extends; an extension of a name that is no record is left out. */
  readonly targets: ReadonlyMap<A.ExtendDecl, A.RecordDecl>;
  /** For each file, the extensions it sees, in the order of `order`, then of the source. */
  readonly visible: ReadonlyMap<string, readonly A.ExtendDecl[]>;
}

/**
 * Resolves each extension's record in the scope of its file, and reports a field added twice
 * among what a file sees. `order` lists the files, each after those it imports; `visibleFrom`
 * gives each file with the files it imports, transitively.
 */
export function buildExtensions(
  files: ReadonlyMap<string, A.PolFile>,
  scopes: ReadonlyMap<string, Scope>,
  namespaces: Namespaces,
  order: readonly string[],
  visibleFrom: ReadonlyMap<string, ReadonlySet<string>>,
  diagnostics: Diagnostic[],
): Extensions {
  const targets = new Map<A.ExtendDecl, A.RecordDecl>();
  const own = new Map<string, A.ExtendDecl[]>();
  for (const path of order) {
    const file = files.get(path);
    if (!file) continue;
    const list: A.ExtendDecl[] = [];
    for (const decl of file.declarations) {
      if (decl.kind !== "Extend" || !decl.name) continue;
      const record = extendedRecord(decl, scopes.get(path) ?? new Map(), namespaces, scopes, diagnostics);
      if (!record) continue;
      targets.set(decl, record);
      list.push(decl);
      ownFieldClashes(decl, record, diagnostics);
    }
    own.set(path, list);
  }
  const visible = new Map<string, A.ExtendDecl[]>();
  const reported = new Set<A.FieldDecl>();
  for (const path of order) {
    const seen = visibleFrom.get(path) ?? new Set([path]);
    const list = order.filter((p) => seen.has(p)).flatMap((p) => own.get(p) ?? []);
    visible.set(path, list);
    reportClashes(list, targets, reported, diagnostics);
  }
  return { targets, visible };
}

/** The record `extend record NAME` names, reported when the file sees no record of that name. */
function extendedRecord(decl: A.ExtendDecl, fileScope: Scope, namespaces: Namespaces, scopes: ReadonlyMap<string, Scope>, diagnostics: Diagnostic[]): A.RecordDecl | undefined {
  let scope = fileScope;
  if (decl.namespace !== undefined) {
    const imported = namespaces.get(decl.span.file)?.get(decl.namespace);
    if (!imported) {
      diagnostics.push(error("POL082", decl.nameSpan, `'${decl.namespace}' is not the name of an imported file`, { hint: `import a file under that name: import "…" as ${decl.namespace}` }));
      return undefined;
    }
    scope = scopes.get(imported.file) ?? new Map();
  }
  const entry = scope.get(decl.name);
  if (entry?.kind === "record") return entry.decl;
  const records = [...scope.entries()].filter(([, e]) => e.kind === "record").map(([n]) => n);
  const guess = suggest(decl.name, records);
  const what = entry ? `'${decl.name}' is a ${entry.kind === "requirement" ? "criterion" : entry.kind}, not a record` : `'${decl.name}' is not a record this file sees`;
  diagnostics.push(error("POL082", decl.nameSpan, `cannot extend ${what}`, { hint: guess ? `did you mean '${guess}'?` : "import the file that declares the record" }));
  return undefined;
}

/** A field the record already has, a field given twice in one extension, or the entry's date. */
function ownFieldClashes(decl: A.ExtendDecl, record: A.RecordDecl, diagnostics: Diagnostic[]): void {
  const names = new Map<string, A.FieldDecl>();
  for (const field of decl.fields) {
    if (!field.name) continue;
    const onRecord = record.fields.find((f) => f.name === field.name);
    const earlier = names.get(field.name);
    if (field.name === "date") {
      diagnostics.push(error("POL083", field.nameSpan, `an extension cannot add the field 'date': an entry's date belongs to the shared record '${record.name}'`, { hint: "name the field after what the date is (relief_end_date)" }));
    } else if (onRecord) {
      diagnostics.push(error("POL083", field.nameSpan, `record '${record.name}' already has a field '${field.name}'`, { related: [{ message: "declared here", span: onRecord.nameSpan }], hint: "use the record's field, or give this one another name" }));
    } else if (earlier) {
      diagnostics.push(error("POL083", field.nameSpan, `'${field.name}' is already added to '${record.name}' by this extension`, { related: [{ message: "first added here", span: earlier.nameSpan }] }));
    } else names.set(field.name, field);
  }
}

/**
 * Two extensions used together (in one file's view, or one policy's: see lowering) that add one
 * field name to one record: the later is reported, once.
 */
export function reportClashes(list: readonly A.ExtendDecl[], targets: ReadonlyMap<A.ExtendDecl, A.RecordDecl>, reported: Set<A.FieldDecl>, diagnostics: Diagnostic[], usedBy?: string): void {
  const added = new Map<A.RecordDecl, Map<string, A.FieldDecl>>();
  for (const decl of list) {
    const record = targets.get(decl);
    if (!record) continue;
    let fields = added.get(record);
    if (!fields) added.set(record, (fields = new Map()));
    const mine = new Set<string>();
    for (const field of decl.fields) {
      if (!field.name || mine.has(field.name)) continue;
      mine.add(field.name);
      const first = fields.get(field.name);
      if (!first) {
        fields.set(field.name, field);
        continue;
      }
      if (reported.has(field)) continue;
      reported.add(field);
      diagnostics.push(
        error("POL083", field.nameSpan, `'${field.name}' is also added to '${record.name}' in ${first.nameSpan.file}${usedBy ? `, and ${usedBy} uses both` : ", and this file sees both"}: an entry has only one '${field.name}'`, {
          related: [{ message: "first added here", span: first.nameSpan }],
          hint: "give one of them another name",
        }),
      );
    }
  }
}
