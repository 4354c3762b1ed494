/**
 * The compiler's driver. Its stages, in order:
 *   1. read and parse each file, following imports (syntax errors recovered, all reported);
 *   2. collect each file's names, then the scope each file sees through its imports;
 *   3. check every declaration, so errors in unused definitions are reported too;
 *   4. lower each policy, with the overlays that target it, to a runtime Program.
 * Names must exist before types can be checked, and a policy can only be lowered once its
 * overlays are known, hence the order.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type * as A from "./ast.js";
import type { FactSchema, IrOverlay, Program } from "../runtime/program.js";
import type * as C from "../grammar/cst.generated.js";
import { lexPol, parsePol } from "../grammar/parser.js";
import { nestingDiagnostic } from "./nesting-limit.js";
import { cstToAst } from "./cst-to-ast.js";
import { error, finalizeDiagnostics, suggest, type Diagnostic } from "./diagnostics.js";
import { buildScopes, ownSymbols, type Scope, type SymbolEntry } from "./scope.js";
import { ProgramBuilder } from "./check.js";
import { spoiltParts, syntaxDiagnostics } from "./syntax-errors.js";
import { isValidIsoDate } from "../runtime/dates.js";

export interface CompiledPolicy {
  readonly program: Program;
  readonly policy: A.PolicyDecl;
  readonly overlays: readonly A.OverlayDecl[];
  /** Definitions the policy reaches, for the docs. */
  readonly definitions: readonly A.DefineDecl[];
  /** Documentation of fact groups, by path. */
  readonly groupDocs: ReadonlyMap<string, string>;
  /** Enum and record names of facts and fields, for typed input. */
  readonly typeNames: ReadonlyMap<string, string>;
  readonly enums: readonly A.EnumDecl[];
  readonly records: readonly A.RecordDecl[];
}

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** What each file can see, by file. */
  readonly scopes: ReadonlyMap<string, Scope>;
  readonly sources: ReadonlyMap<string, string>;
  readonly files: ReadonlyMap<string, A.PolFile>;
  readonly policies: readonly CompiledPolicy[];
}

export const policyProperties = ["guideline", "version", "original_date", "last_revised", "implementation_date"] as const;

/** Reads files from disk, following imports. Paths are shown relative to `base`. */
export function compileFiles(paths: readonly string[], base: string = process.cwd()): CompileResult {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const display = (absolute: string) => relative(base, absolute) || absolute;
  const load = (absolute: string): string | undefined => {
    const shown = display(absolute);
    if (sources.has(shown)) return sources.get(shown);
    try {
      if (!existsSync(absolute) || !statSync(absolute).isFile()) return undefined;
      const text = readFileSync(absolute, "utf8");
      sources.set(shown, text);
      return text;
    } catch {
      return undefined;
    }
  };
  return compileSources(
    paths.map((p) => resolve(base, p)),
    (absolute) => load(absolute),
    display,
    sources,
    diagnostics,
  );
}

/** Compiles from an in-memory map of path → text (used by tests and the fuzzer). */
export function compileText(files: Readonly<Record<string, string>>, entries?: readonly string[]): CompileResult {
  const sources = new Map<string, string>();
  const root = "/virtual";
  const byAbsolute = new Map(Object.entries(files).map(([p, t]) => [resolve(root, p), t]));
  return compileSources(
    (entries ?? Object.keys(files)).map((p) => resolve(root, p)),
    (absolute) => {
      const text = byAbsolute.get(absolute);
      if (text !== undefined) sources.set(relative(root, absolute), text);
      return text;
    },
    (absolute) => relative(root, absolute),
    sources,
    [],
  );
}

function compileSources(
  entries: readonly string[],
  read: (absolute: string) => string | undefined,
  display: (absolute: string) => string,
  sources: Map<string, string>,
  diagnostics: Diagnostic[],
): CompileResult {
  // 1. Parse, following imports.
  const files = new Map<string, A.PolFile>();
  const spoilt: { file: string; start: number; end: number }[] = [];
  const importsOf = new Map<string, ImportEdge[]>();
  const queue = [...entries];
  const requested = new Set<string>();
  for (const entry of entries) {
    if (read(entry) === undefined) {
      diagnostics.push(error("POL003", { file: display(entry), start: 0, end: 0, line: 1, column: 1 }, `cannot read ${display(entry)}: no such file`));
    }
  }
  while (queue.length > 0) {
    const absolute = queue.shift()!;
    if (requested.has(absolute)) continue;
    requested.add(absolute);
    const text = read(absolute);
    if (text === undefined) continue;
    const shown = display(absolute);
    const lexed = lexPol(text);
    const tooDeep = nestingDiagnostic(lexed.tokens, shown);
    if (tooDeep) {
      diagnostics.push(tooDeep);
      files.set(shown, { kind: "File", path: shown, imports: [], declarations: [], policies: [], overlays: [] });
      importsOf.set(shown, []);
      continue;
    }
    const parsed = parsePol(text, lexed);
    diagnostics.push(...syntaxDiagnostics(parsed, shown, text));
    for (const [start, end] of spoiltParts(parsed)) spoilt.push({ file: shown, start, end });
    const file = cstToAst(parsed.cst as C.FileCstNode, shown, diagnostics);
    files.set(shown, file);
    const imported: ImportEdge[] = [];
    for (const imp of file.imports) {
      if (!imp.path) continue; // a syntax error has already been reported
      const target = resolve(dirname(absolute), imp.path);
      if (read(target) === undefined) {
        diagnostics.push(error("POL005", imp.span, `cannot find the imported file '${imp.path}'`, { hint: `looked for ${display(target)}` }));
        continue;
      }
      imported.push({ target: display(target), span: imp.span });
      queue.push(target);
    }
    importsOf.set(shown, imported);
  }
  reportImportCycles(files, importsOf, diagnostics);

  // 2. Names.
  const own = new Map<string, Map<string, SymbolEntry>>();
  for (const [path, file] of files) own.set(path, ownSymbols(file, diagnostics));
  const scopes = buildScopes(
    files,
    own,
    new Map([...importsOf].map(([path, edges]) => [path, edges.map((e) => e.target)])),
    diagnostics,
  );

  // 3. Every declaration, reached or not.
  for (const [path, file] of files) {
    const builder = new ProgramBuilder(scopes, diagnostics);
    const scope = scopes.get(path)!;
    for (const decl of file.declarations) {
      if (decl.kind === "Define") builder.define(decl);
      else if (decl.kind === "Requirement") builder.requirement(decl.name, decl, scope);
      else if (decl.kind === "Fact") builder.factType(decl, scope);
      else if (decl.kind === "Record") for (const f of decl.fields) builder.typeRef(f.type, scope);
      else if (decl.kind === "Group") checkGroupTypes(decl, builder, scope);
    }
  }

  // 4. Policies with their overlays.
  const allPolicies = [...files.values()].flatMap((f) => f.policies);
  const allOverlays = [...files.values()].flatMap((f) => f.overlays);
  const policyNames = new Map<string, A.PolicyDecl>();
  for (const policy of allPolicies) {
    const previous = policyNames.get(policy.name);
    if (previous) {
      diagnostics.push(error("POL010", policy.nameSpan, `policy '${policy.name}' is already declared`, { related: [{ message: "first declared here", span: previous.nameSpan }] }));
    } else if (policy.name) policyNames.set(policy.name, policy);
    checkProperties(policy, diagnostics);
  }
  for (const overlay of allOverlays) {
    checkProperties(overlay, diagnostics);
    if (overlay.target && !policyNames.has(overlay.target)) {
      const guess = suggest(overlay.target, policyNames.keys());
      diagnostics.push(error("POL016", overlay.targetSpan, `overlay '${overlay.name}' targets '${overlay.target}', which is not a policy this build knows`, { hint: guess ? `did you mean '${guess}'?` : "import the policy's file" }));
    }
    if (overlay.state && !/^[A-Z]{2}$/.test(overlay.state)) {
      diagnostics.push(error("POL031", overlay.span, `'${overlay.state}' is not a two-letter state code like WA`));
    }
  }

  const policies: CompiledPolicy[] = [];
  for (const policy of [...policyNames.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const builder = new ProgramBuilder(scopes, diagnostics);
    const sections = policy.sections.map((s, i) => builder.section(s, `${policy.name}.section${i + 1}`));
    const overlayDecls = allOverlays.filter((o) => o.target === policy.name).sort((a, b) => a.name.localeCompare(b.name));
    const overlays: IrOverlay[] = overlayDecls.map((o) => {
      const scope = scopes.get(o.span.file) ?? new Map();
      return {
        id: o.name,
        title: o.title,
        state: o.state,
        applies: o.applies.map((a) => ({ mode: a.mode, wording: a.wording ?? "", cond: builder.condition(a.condition, scope, new Map()) })),
        sections: o.sections.map((s, i) => builder.section(s, `${o.name}.section${i + 1}`)),
      };
    });
    const version = policy.properties.find((p) => p.key === "version")?.value ?? "";
    const program: Program = {
      id: policy.name,
      title: policy.title,
      version,
      sections,
      overlays,
      requirements: builder.requirements,
      definitions: builder.definitions,
      facts: [...builder.facts.values()],
      records: Object.fromEntries(builder.records),
    };
    const scope = scopes.get(policy.span.file) ?? new Map();
    // Names are resolved where the policy and its overlays can see them, never library-wide.
    const visible = new Map<string, Scope>([[policy.span.file, scope]]);
    for (const o of overlayDecls) visible.set(o.span.file, scopes.get(o.span.file) ?? new Map());
    const typeNames = typeNamesOf(visible, program);
    policies.push({
      program,
      policy,
      overlays: overlayDecls,
      definitions: Object.keys(builder.definitions)
        .map((name) => findDecl(visible, name, "define"))
        .filter((d): d is A.DefineDecl => d?.kind === "Define"),
      groupDocs: groupDocsOf(visible, program.facts),
      typeNames,
      enums: enumsOf(visible, program, typeNames),
      records: Object.keys(program.records)
        .map((name) => findDecl(visible, name, "record"))
        .filter((d): d is A.RecordDecl => d?.kind === "Record"),
    });
  }

  // Checking a part spoilt by a syntax error only echoes that error.
  const kept = diagnostics.filter(
    (d) => d.code === "POL001" || d.code === "POL002" || !spoilt.some((s) => s.file === d.span.file && d.span.start >= s.start && d.span.start <= s.end),
  );
  return { diagnostics: finalizeDiagnostics(kept), scopes, sources, files, policies };
}

function checkGroupTypes(group: A.GroupDecl, builder: ProgramBuilder, scope: Scope): void {
  for (const member of group.members) {
    if (member.kind === "Fact") builder.factType(member, scope);
    else checkGroupTypes(member, builder, scope);
  }
}

function checkProperties(doc: A.PolicyDecl | A.OverlayDecl, diagnostics: Diagnostic[]): void {
  const seen = new Set<string>();
  for (const property of doc.properties) {
    if (!(policyProperties as readonly string[]).includes(property.key)) {
      const guess = suggest(property.key, policyProperties);
      diagnostics.push(error("POL017", property.span, `unknown property '${property.key}'`, { hint: guess ? `did you mean '${guess}'?` : `the properties are ${policyProperties.join(", ")}` }));
    } else if (seen.has(property.key)) {
      diagnostics.push(error("POL010", property.span, `'${property.key}' is given twice`));
    }
    seen.add(property.key);
  }
  if (doc.kind === "Policy" && doc.name && !seen.has("version")) {
    diagnostics.push(error("POL029", doc.nameSpan, `policy '${doc.name}' needs a version`, { hint: 'add: version "2024"' }));
  }
  if (doc.effective) {
    for (const date of [doc.effective.from, doc.effective.to]) {
      if (date && !isValidIsoDate(date)) diagnostics.push(error("POL023", doc.effective.span, `${date} is not a date in the calendar`));
    }
    if (isValidIsoDate(doc.effective.from) && isValidIsoDate(doc.effective.to) && doc.effective.from > doc.effective.to) {
      diagnostics.push(error("POL018", doc.effective.span, `the effective period ends (${doc.effective.to}) before it starts (${doc.effective.from})`));
    }
  }
  const refNumbers = new Set(doc.references.map((r) => r.number));
  if (doc.references.length > 0) {
    const check = (refs: readonly A.RefRange[]) => {
      for (const r of refs) {
        for (let n = r.from; n <= r.to && n - r.from < 1000; n++) {
          if (!refNumbers.has(n)) {
            diagnostics.push(error("POL019", r.span, `reference ${n} is not in this document's references`));
            break;
          }
        }
      }
    };
    const walk = (items: readonly A.Item[]) => {
      for (const item of items) {
        if (item.kind === "Requirement") {
          check(item.refs);
          if (item.body.kind === "GroupBody") walk(item.body.items);
        } else if (item.kind === "Note") check(item.refs);
        else if (item.kind === "GroupBody") {
          check(item.refs);
          walk(item.items);
        }
      }
    };
    for (const section of doc.sections) {
      check(section.refs);
      walk(section.items);
    }
  }
}

/** One import of a file: the file it names, and where the import is written. */
interface ImportEdge {
  readonly target: string;
  readonly span: A.Span;
}

function reportImportCycles(files: ReadonlyMap<string, A.PolFile>, importsOf: ReadonlyMap<string, readonly ImportEdge[]>, diagnostics: Diagnostic[]): void {
  const state = new Map<string, "visiting" | "done">();
  const visit = (path: string, trail: string[]) => {
    state.set(path, "visiting");
    for (const { target, span } of importsOf.get(path) ?? []) {
      if (state.get(target) === "visiting") {
        const cycle = [...trail.slice(trail.indexOf(target) === -1 ? trail.length : trail.indexOf(target)), path, target];
        diagnostics.push(error("POL004", span, `import cycle: ${cycle.join(" → ")}`, { hint: "move the shared declarations into a file both can import" }));
      } else if (!state.has(target)) visit(target, [...trail, path]);
    }
    state.set(path, "done");
  };
  for (const path of files.keys()) if (!state.has(path)) visit(path, []);
}

function findDecl(scopes: ReadonlyMap<string, Scope>, name: string, kind: SymbolEntry["kind"]): A.Declaration | undefined {
  for (const scope of scopes.values()) {
    const entry = scope.get(name);
    if (entry?.kind === kind && entry.kind !== "fact" && entry.kind !== "group") return entry.decl as A.Declaration;
  }
  return undefined;
}

function groupDocsOf(scopes: ReadonlyMap<string, Scope>, facts: readonly FactSchema[]): Map<string, string> {
  const docs = new Map<string, string>();
  for (const fact of facts) {
    const parts = fact.path.split(".");
    for (let i = 1; i < parts.length; i++) {
      const path = parts.slice(0, i).join(".");
      if (docs.has(path)) continue;
      let entry: SymbolEntry | undefined;
      for (const scope of scopes.values()) {
        entry = scope.get(parts[0]);
        if (entry) break;
      }
      for (const part of parts.slice(1, i)) entry = entry?.kind === "group" ? entry.members.get(part) : undefined;
      if (entry?.kind === "group") docs.set(path, entry.decl.doc ?? "");
    }
  }
  return docs;
}

function typeNamesOf(scopes: ReadonlyMap<string, Scope>, program: Program): Map<string, string> {
  const names = new Map<string, string>();
  const lookupFact = (path: string): A.FactDecl | undefined => {
    const parts = path.split(".");
    for (const scope of scopes.values()) {
      let entry: SymbolEntry | undefined = scope.get(parts[0]);
      for (const part of parts.slice(1)) entry = entry?.kind === "group" ? entry.members.get(part) : undefined;
      if (entry?.kind === "fact") return entry.decl;
    }
    return undefined;
  };
  for (const fact of program.facts) {
    const decl = lookupFact(fact.path);
    if (decl && (fact.type.t === "enum" || fact.type.t === "list")) names.set(fact.path, decl.type.name);
  }
  for (const record of Object.keys(program.records)) {
    const decl = findDecl(scopes, record, "record");
    if (decl?.kind !== "Record") continue;
    for (const field of decl.fields) {
      const f = program.records[record].find((x) => x.path === field.name);
      if (f && (f.type.t === "enum" || f.type.t === "list")) names.set(`${record}.${field.name}`, field.type.name);
    }
  }
  return names;
}

/** The enums the policy's facts and record fields use, by the names `typeNamesOf` found. */
function enumsOf(scopes: ReadonlyMap<string, Scope>, program: Program, typeNames: ReadonlyMap<string, string>): A.EnumDecl[] {
  const names = new Set<string>();
  for (const [path, name] of typeNames) {
    const fact = program.facts.find((f) => f.path === path);
    const [record, field] = path.split(".");
    const schema = fact ?? program.records[record]?.find((f) => f.path === field);
    if (schema?.type.t === "enum") names.add(name);
  }
  return [...names]
    .sort()
    .map((name) => findDecl(scopes, name, "enum"))
    .filter((d): d is A.EnumDecl => d?.kind === "Enum");
}
