/**
 * The compiler's driver. Its stages, in order:
 *   1. read and parse each file, following imports (syntax errors recovered, all reported);
 *   2. collect each file's names, then the scope each file sees through its imports;
 *   3. check every declaration once, and every policy and overlay (check.ts);
 *   4. lower the checked library to the intermediate form, a module per file (lower.ts).
 * Names must exist before types can be checked, and only a library without errors is lowered,
 * hence the order.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type * as A from "./ast.js";
import type { IrDefinition, IrFact, IrLibrary, IrPolicy } from "./ir.js";
import { typeText } from "./tools/canonical.js";
import { fieldsOf } from "./ir.js";
import { walk } from "./ast.js";
import { lexPol, parsePol, type ParseOutput } from "../grammar/parser.js";
import { nestingDiagnostic } from "./nesting-limit.js";
import { literalDiagnostics } from "./literal-limits.js";
import { cstToAst } from "./cst-to-ast.js";
import { error, finalizeDiagnostics, suggest, type Diagnostic } from "./diagnostics.js";
import { buildNamespaces, buildScopes, reportSharedFactPaths, isExpression, ownSymbols, type Scope, type SymbolEntry } from "./scope.js";
import { Checker, type Checked } from "./check.js";
import { sourcesDigest } from "./sources-digest.js";
import { lower } from "./lower.js";
import { assumedWhereRequired, type AssumedWhereRequired } from "./absence-check.js";
import { buildExtensions, reportClashes } from "./extensions.js";
import { policyCycles } from "./policy-criteria.js";
import { inSpoiltPart, namesWhatBrokenCodeHid, syntaxCodes, unknownNameCodes, syntaxDiagnostics } from "./syntax-errors.js";
import { isValidIsoDate } from "../runtime/dates.js";
import { stateCode } from "../runtime/states.js";
import type { CheckedFile, CompileCache, ParsedFile, SeenFile } from "./compile-cache.js";

/** A policy with what the docs need of its source. */
export interface CompiledPolicy {
  readonly ir: IrPolicy;
  readonly policy: A.PolicyDecl;
  readonly overlays: readonly A.OverlayDecl[];
  /** The definitions the policy reaches, as written, for the docs. */
  readonly definitions: readonly A.DefineDecl[];
}

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** What each file can see, by file. */
  readonly scopes: ReadonlyMap<string, Scope>;
  readonly sources: ReadonlyMap<string, string>;
  readonly files: ReadonlyMap<string, A.PolFile>;
  /** What the checker resolved, for the docs and the lowering. */
  readonly checked: Checked;
  /** The lowered library, when there are no errors. */
  readonly library: IrLibrary | undefined;
  /** Every policy of the library, sorted by id; none when there are errors. */
  readonly policies: readonly CompiledPolicy[];
}

export const policyProperties = ["guideline", "version", "original_date", "last_revised", "implementation_date"] as const;

/**
 * The name of a policy's module and page: `NIA_CG_300` → `nia-cg-300`. Ids that differ only in
 * case or punctuation (`_` and `__`, `Input` and `input`) have one, so the checker refuses them.
 */
export function policySlug(policyId: string): string {
  return policyId.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

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

/** Reads each file once through `readText`, keeping its text under the path shown (relative to `base`). */
function sourceReader(readText: (absolute: string) => string | undefined, base: string) {
  const sources = new Map<string, string>();
  const display = (absolute: string) => relative(base, absolute) || absolute;
  const read = (absolute: string): string | undefined => {
    const shown = display(absolute);
    if (sources.has(shown)) return sources.get(shown);
    const text = readText(absolute);
    if (text !== undefined) sources.set(shown, text);
    return text;
  };
  return { sources, display, read };
}

/**
 * Reads files through `readText` (an editor's open documents, then the disk), following imports.
 * Paths are shown relative to `base`.
 */
export function compileFilesWith(paths: readonly string[], readText: (absolute: string) => string | undefined, base: string): CompileResult {
  const { sources, display, read } = sourceReader(readText, base);
  return compileSources(
    paths.map((p) => resolve(base, p)),
    read,
    display,
    sources,
    [],
  );
}

/** What a compile with a cache did, beside its result. */
export interface IncrementalResult extends CompileResult {
  /** The files checked by this compile (the others' diagnostics are those of their last check). */
  readonly checkedNow: ReadonlySet<string>;
  /**
   * Files whose check was kept though a file they import changed (what they see of it did not):
   * their diagnostics stand, but the checker's record of their names points at the old trees.
   */
  readonly keptAcrossChanges: ReadonlySet<string>;
  /** Files that need checking again but were left for later (`only`). */
  readonly pending: ReadonlySet<string>;
}

export interface IncrementalOptions {
  /** Check these files even when their last check could be kept. */
  readonly fresh?: ReadonlySet<string>;
  /** Check only these (and files never checked); others that need it are left pending. */
  readonly only?: ReadonlySet<string>;
}

/**
 * Checks a library as `compileFilesWith` does, keeping in `cache` each file's parse and check for
 * the next call: a file is parsed again only when its text changed, and checked again only when
 * it or what its imports declare changed. Nothing is lowered. The diagnostics are a compile's
 * from scratch, apart from pending files, whose diagnostics are their last check's.
 */
export function checkFilesIncrementally(
  paths: readonly string[],
  readText: (absolute: string) => string | undefined,
  base: string,
  cache: CompileCache,
  options: IncrementalOptions = {},
): IncrementalResult {
  const { sources, display, read } = sourceReader(readText, base);
  const outcome: Incremental = { cache, fresh: options.fresh, only: options.only, checkedNow: new Set(), keptAcrossChanges: new Set(), pending: new Set() };
  const result = compileSources(
    paths.map((p) => resolve(base, p)),
    read,
    display,
    sources,
    [],
    outcome,
  );
  cache.keepOnly(new Set(result.files.keys()));
  return { ...result, checkedNow: outcome.checkedNow, keptAcrossChanges: outcome.keptAcrossChanges, pending: outcome.pending };
}

/** A compile's cache, what it was asked, and what it did. */
interface Incremental {
  readonly cache: CompileCache;
  readonly fresh: ReadonlySet<string> | undefined;
  readonly only: ReadonlySet<string> | undefined;
  readonly checkedNow: Set<string>;
  readonly keptAcrossChanges: Set<string>;
  readonly pending: Set<string>;
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
  incremental?: Incremental,
): CompileResult {
  // 1. Parse, following imports.
  const files = new Map<string, A.PolFile>();
  const parsedFiles = new Map<string, ParseOutput>();
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
    const kept = incremental?.cache.parsed.get(shown);
    const unit = kept && kept.text === text ? kept : parseFile(text, shown);
    incremental?.cache.parsed.set(shown, unit);
    diagnostics.push(...unit.diagnostics);
    files.set(shown, unit.file);
    if (!unit.parsed) {
      // Nested too deeply to parse: no imports are followed.
      importsOf.set(shown, []);
      continue;
    }
    parsedFiles.set(shown, unit.parsed);
    const file = unit.file;
    const imported: ImportEdge[] = [];
    for (const imp of file.imports) {
      if (!imp.path) continue; // a syntax error has already been reported
      const target = resolve(dirname(absolute), imp.path);
      // Only policy files are read: an import of `/proc/self/environ` must not read it into messages.
      if (!imp.path.endsWith(".pol")) {
        diagnostics.push(error("POL005", imp.span, `'${imp.path}' is not a .pol file; only policy files can be imported`));
        continue;
      }
      if (read(target) === undefined) {
        diagnostics.push(error("POL005", imp.span, `cannot find the imported file '${imp.path}'`, { hint: `looked for ${display(target)}` }));
        continue;
      }
      imported.push({ target: display(target), span: imp.span, alias: imp.alias, aliasSpan: imp.aliasSpan });
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
    // A file imported under a name adds no bare names: only `nia.NAME` reaches them.
    new Map([...importsOf].map(([path, edges]) => [path, edges.filter((e) => !e.alias).map((e) => e.target)])),
    diagnostics,
  );
  const namespaces = buildNamespaces(importsOf, scopes, diagnostics);
  // Names in two files each imported under a name of its own do not clash; facts still share the request.
  if ([...importsOf.values()].some((edges) => edges.some((e) => e.alias))) reportSharedFactPaths(importsOf, own, diagnostics);

  // 3. Each file, its imports first, so that what a file's check says depends on it and its
  //    imports alone (a file's checker diagnostics can then be kept while neither changes); then
  //    what concerns the library as a whole.
  const order = importOrder(files, importsOf);
  const visibleFrom = closures(order, importsOf);
  const extensions = buildExtensions(files, scopes, namespaces, order, visibleFrom, diagnostics);
  const spoilt = (decl: { readonly span: A.Span }) => {
    const parsed = parsedFiles.get(decl.span.file);
    return parsed !== undefined && inSpoiltPart(parsed, decl.span.start);
  };
  const checker = new Checker(files, scopes, diagnostics, namespaces, spoilt, extensions, visibleFrom);
  const keep = new Set(incremental ? order.filter((path) => keepCheck(path, visibleFrom.get(path)!, files, incremental)) : []);
  /** What the checker found now, by the file it is in (a kept file's check already says what is found in it). */
  const found = new Map<string, Diagnostic[]>();
  for (const path of order) {
    const file = files.get(path)!;
    if (keep.has(path)) {
      diagnostics.push(...incremental!.cache.checked.get(path)!.diagnostics);
      continue;
    }
    const before = diagnostics.length;
    checker.declarations(file);
    for (const policy of file.policies) {
      checkProperties(policy, diagnostics);
      for (const section of policy.sections) checker.section(section);
      for (const service of policy.services) checker.service(service);
    }
    for (const overlay of file.overlays) {
      checkProperties(overlay, diagnostics);
      if (overlay.state && stateCode(overlay.state) !== overlay.state) {
        diagnostics.push(error("POL031", overlay.span, `'${overlay.state}' is not a US state or territory code in capitals like WA`));
      }
      for (const clause of overlay.applies) checker.appliesClause(clause);
      for (const section of overlay.sections) checker.section(section);
      for (const service of overlay.services) checker.service(service);
    }
    if (incremental) {
      const now = diagnostics.splice(before).filter((d) => !keep.has(d.span.file));
      diagnostics.push(...now);
      for (const d of now) found.set(d.span.file, [...(found.get(d.span.file) ?? []), d]);
      incremental.checkedNow.add(path);
    }
  }
  if (incremental) {
    const { cache } = incremental;
    for (const path of incremental.checkedNow) {
      const against = new Map<string, SeenFile>();
      for (const seen of visibleFrom.get(path)!) against.set(seen, { file: files.get(seen)!, surface: cache.surfaceOf(files.get(seen)!, sources.get(seen) ?? "") });
      cache.checked.set(path, { against, diagnostics: found.get(path) ?? [] });
    }
    for (const path of keep) {
      const { against } = cache.checked.get(path)!;
      if ([...against].some(([seen, was]) => was.file !== files.get(seen))) incremental.keptAcrossChanges.add(path);
    }
  }
  const allPolicies = [...files.values()].flatMap((f) => f.policies);
  const allOverlays = [...files.values()].flatMap((f) => f.overlays);
  const policyNames = new Map<string, A.PolicyDecl>();
  for (const policy of allPolicies) {
    const previous = policyNames.get(policy.name);
    if (previous) {
      diagnostics.push(error("POL010", policy.nameSpan, `policy '${policy.name}' is already declared`, { related: [{ message: "first declared here", span: previous.nameSpan }] }));
    } else if (policy.name) policyNames.set(policy.name, policy);
  }
  // Two ids that name the same files would overwrite each other's module and page, in a build and in memory.
  const policySlugs = new Map<string, A.PolicyDecl>();
  for (const policy of policyNames.values()) {
    const slug = policySlug(policy.name);
    const previous = policySlugs.get(slug);
    if (!previous) policySlugs.set(slug, policy);
    else {
      diagnostics.push(
        error("POL010", policy.nameSpan, `policy '${policy.name}' would overwrite policy '${previous.name}': both are written to ${slug}.ts and ${slug}.md`, {
          hint: "policy ids that differ only in case or punctuation name the same files; rename one",
          related: [{ message: `policy '${previous.name}' is declared here`, span: previous.nameSpan }],
        }),
      );
    }
  }
  diagnostics.push(...versionDiagnostics([...policyNames.values()]));
  // An overlay of a policy the build does not know cannot see that policy's names.
  const orphanOverlays: A.Span[] = [];
  for (const overlay of allOverlays) {
    if (overlay.target && !policyNames.has(overlay.target)) {
      const guess = suggest(overlay.target, policyNames.keys());
      orphanOverlays.push(overlay.span);
      diagnostics.push(error("POL016", overlay.targetSpan, `overlay '${overlay.name}' targets '${overlay.target}', which is not a policy this build knows`, { hint: guess ? `did you mean '${guess}'?` : "import the policy's file" }));
    }
  }
  const checked = checker.result();

  // Checking a part spoilt by a syntax error only echoes that error; so does checking a file that
  // is broken, or that reads one (its names may be the ones the error hid).
  const broken = brokenFiles(diagnostics);
  const unchecked = filesImportingBrokenFiles(broken, importsOf);
  const missingImports = new Set(diagnostics.filter((d) => d.code === "POL005").map((d) => d.span.file));
  const kept = diagnostics.filter(
    (d) => {
      if (syntaxCodes.has(d.code) || importCodes.has(d.code)) return true;
      if (unchecked.has(d.span.file)) return false;
      if (unknownNameCodes.has(d.code) && (missingImports.has(d.span.file) || orphanOverlays.some((o) => o.file === d.span.file && o.start <= d.span.start && d.span.end <= o.end))) return false;
      const parsed = parsedFiles.get(d.span.file);
      if (parsed === undefined) return true;
      return !inSpoiltPart(parsed, d.span.start) && !(broken.has(d.span.file) && namesWhatBrokenCodeHid(parsed, d));
    },
  );
  const finalDiagnostics = finalizeDiagnostics(kept);

  // 4. Lowering, of a library without errors.
  if (incremental || finalDiagnostics.some((d) => d.severity === "error")) {
    return { diagnostics: finalDiagnostics, scopes, sources, files, checked, library: undefined, policies: [] };
  }
  const lowered = lower(checked, order);
  // 5. Policies used together: each loop of `meets` is refused, and so is a field two extensions
  //    one policy's input has both add (the extensions of its file, its overlays' and of the
  //    policies it consults).
  const together: Diagnostic[] = [];
  for (const loop of policyCycles(lowered.library.policies)) {
    const first = policyNames.get(loop[0].id)!;
    const names = [...loop, loop[0]].map((p) => p.id).join(" → ");
    together.push(error("POL085", first.nameSpan, `policies meet each other in a loop: ${names}`, { hint: "a policy cannot read, through 'meets', a determination that reads its own" }));
  }
  const clashed = new Set<A.FieldDecl>();
  for (const [p, decls] of lowered.extensionsOf) reportClashes(decls, checked.extensions.targets, clashed, together, `policy ${p.id}`);
  // One path is one fact of a request: two declarations a policy's input would have both of
  // (through its overlays' files or the policies it consults) could not both be given.
  for (const p of lowered.library.policies) {
    const byPath = new Map<string, IrFact>();
    for (const f of p.facts) {
      const first = byPath.get(f.path);
      if (!first) byPath.set(f.path, f);
      else if (first !== f) {
        const types = typeText(first.type) === typeText(f.type) ? "" : ` (${typeText(first.type)} there, ${typeText(f.type)} here)`;
        together.push(
          error("POL010", lineSpan(f.module.file, f.line, sources), `the fact '${f.path}' is also declared in ${first.module.file}${types}, and policy ${p.id} reads both: a request has only one '${f.path}'`, {
            related: [{ message: "first declared here", span: lineSpan(first.module.file, first.line, sources) }],
            hint: "read one declaration of the fact (import its file), or give one of them another name",
          }),
        );
      }
    }
  }
  // Only the entries of a list fact are read with added fields (the policy module makes their record anew).
  const nested = new Set<A.ExtendDecl>();
  for (const [p, decls] of lowered.extensionsOf) {
    for (const holder of p.records) {
      for (const field of fieldsOf(holder, p.extensions)) {
        if (field.type.t !== "list") continue;
        // The policy's extensions are lowered from its declarations, in their order.
        const held = field.type.record;
        decls.forEach((decl, i) => {
          if (p.extensions[i].record !== held || nested.has(decl)) return;
          nested.add(decl);
          together.push(error("POL086", decl.nameSpan, `'${held.name}' cannot be extended for ${p.id}: its entries stand in the field '${field.name}' of ${holder.name}, and only the entries of a list fact can have added fields`));
        });
      }
    }
  }
  if (together.length > 0) {
    return { diagnostics: finalizeDiagnostics([...finalDiagnostics, ...together]), scopes, sources, files, checked, library: undefined, policies: [] };
  }
  // 6. What must be shown is never assumed (absence-check.ts).
  const assumed = assumedWhereRequired(lowered.library.policies);
  if (assumed.length > 0) {
    const refused = finalizeDiagnostics([...finalDiagnostics, ...assumed.map((a) => assumedDiagnostic(a, files, sources))]);
    return { diagnostics: refused, scopes, sources, files, checked, library: undefined, policies: [] };
  }
  // The digest of each policy's sources: the compile step knows the files, the lowering does not.
  for (const ir of lowered.library.policies) {
    (ir as { digest?: string }).digest = sourcesDigest([ir.file, ...ir.overlays.map((o) => o.file)], (f) => (importsOf.get(f) ?? []).map((e) => e.target), sources);
  }
  const policies = lowered.library.policies.map((ir): CompiledPolicy => {
    const policy = policyNames.get(ir.id)!;
    return {
      ir,
      policy,
      overlays: allOverlays.filter((o) => o.target === ir.id).sort((a, b) => a.name.localeCompare(b.name)),
      definitions: (lowered.definitionsOf.get(ir) ?? []).map((d: IrDefinition) => lowered.declOf(d)).sort((a, b) => a.name.localeCompare(b.name)),
    };
  });
  return { diagnostics: finalDiagnostics, scopes, sources, files, checked, library: lowered.library, policies };
}

/** POL047 at the fact's `absent unless documented`, pointing at the criterion that requires it. */
function assumedDiagnostic(a: AssumedWhereRequired, files: ReadonlyMap<string, A.PolFile>, sources: ReadonlyMap<string, string>): Diagnostic {
  let reading: A.Span | undefined;
  walk(files.get(a.fact.module.file) ?? { kind: "File", path: "", imports: [], declarations: [], policies: [], overlays: [], span: { file: "", start: 0, end: 0, line: 1, column: 1 } }, (node) => {
    if (node.kind === "Fact" && node.span.line === a.fact.line && node.absentUnlessDocumented) reading ??= node.absentUnlessDocumented.span;
    return !isExpression(node);
  });
  const at = reading ?? lineSpan(a.fact.module.file, a.fact.line, sources);
  const related = a.place.line > 0 ? [{ message: `${a.place.what} in "${a.place.section}" reads it`, span: lineSpan(a.place.file, a.place.line, sources) }] : [];
  return error("POL047", at, `fact '${a.fact.path}' is absent unless documented, but ${a.place.what} in "${a.place.section}" of ${a.policy.id} reads it: what a request must show is never assumed`, {
    hint: "take 'absent unless documented' off, or read the finding only in exclusions, contraindications, services not covered or advisories",
    related,
  });
}

/** A whole line of a file, for a place the intermediate form knows only by its line. */
function lineSpan(file: string, line: number, sources: ReadonlyMap<string, string>): A.Span {
  const lines = (sources.get(file) ?? "").split(/\r\n|\r|\n/);
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  const text = lines[line - 1] ?? "";
  const indent = text.length - text.trimStart().length;
  return { file, start: start + indent, end: start + text.length, line, column: indent + 1 };
}

/** Files ordered so that each comes after the files it imports. */
function importOrder(files: ReadonlyMap<string, A.PolFile>, importsOf: ReadonlyMap<string, readonly ImportEdge[]>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const edge of importsOf.get(path) ?? []) visit(edge.target);
    if (files.has(path)) order.push(path);
  };
  for (const path of files.keys()) visit(path);
  return order;
}

/**
 * Several policies of one `guideline` are its versions: the date of service chooses the one in
 * force (runtime/versions.ts). Each needs an `effective` period, and no two periods may share a
 * day, or a date of service would have no version or two.
 */
function versionDiagnostics(policies: readonly A.PolicyDecl[]): Diagnostic[] {
  const byGuideline = new Map<string, A.PolicyDecl[]>();
  for (const policy of policies) {
    const guideline = policy.properties.find((p) => p.key === "guideline")?.value;
    if (guideline === undefined) continue;
    byGuideline.set(guideline, [...(byGuideline.get(guideline) ?? []), policy]);
  }
  const found: Diagnostic[] = [];
  for (const [guideline, versions] of byGuideline) {
    if (versions.length < 2) continue;
    const others = (p: A.PolicyDecl) => {
      const names = versions.filter((v) => v !== p).map((v) => `'${v.name}'`);
      return names.length === 1 ? `${names[0]} is` : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are`;
    };
    for (const policy of versions) {
      if (!policy.effective) found.push(error("POL080", policy.nameSpan, `policy '${policy.name}' is a version of guideline '${guideline}', as ${others(policy)}: it needs an effective period, so that the date of service chooses the version in force`, { hint: "add: effective 2025-01-01 to 2025-12-31" }));
    }
    const dated = versions.filter((v) => v.effective && isValidIsoDate(v.effective.from) && isValidIsoDate(v.effective.to));
    for (let i = 0; i < dated.length; i++) {
      for (let j = i + 1; j < dated.length; j++) {
        const [a, b] = [dated[i].effective!, dated[j].effective!];
        if (a.from <= b.to && b.from <= a.to) {
          found.push(
            error("POL081", dated[j].effective!.span, `the effective periods of '${dated[i].name}' (${a.from} to ${a.to}) and '${dated[j].name}' (${b.from} to ${b.to}) overlap: a date of service in both would have two versions of guideline '${guideline}'`, {
              related: [{ message: `'${dated[i].name}' is in force from here`, span: a.span }],
            }),
          );
        }
      }
    }
  }
  return found;
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
      diagnostics.push(error("POL073", doc.effective.span, `the effective period ends (${doc.effective.to}) before it starts (${doc.effective.from})`));
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
    // Every citation in the document's sections, however deeply its lists nest.
    for (const section of [...doc.sections, ...doc.services.flatMap((s) => s.sections)]) {
      walk(section, (node) => {
        if (node.kind === "RefRange") check([node]);
        return !isExpression(node);
      });
    }
  }
}

/** One import of a file: the file it names, and where the import is written. */
/** The diagnostics about reading and importing files: each is its own mistake, never an echo. */
const importCodes: ReadonlySet<string> = new Set(["POL003", "POL004", "POL005"]);

/** The files with a syntax error, or with an import that cannot be read. */
function brokenFiles(diagnostics: readonly Diagnostic[]): Set<string> {
  return new Set(diagnostics.filter((d) => syntaxCodes.has(d.code) || d.code === "POL005").map((d) => d.span.file));
}

/**
 * The files that import a broken file, directly or not: their checker diagnostics are withheld.
 * What the checker would say there (unknown names, types that do not fit) is nearly always an
 * echo of the broken file; it is said once that file is fixed.
 */
function filesImportingBrokenFiles(broken: ReadonlySet<string>, importsOf: ReadonlyMap<string, readonly ImportEdge[]>): Set<string> {
  const importers = new Map<string, string[]>();
  for (const [file, edges] of importsOf) {
    for (const edge of edges) importers.set(edge.target, [...(importers.get(edge.target) ?? []), file]);
  }
  const reached = new Set<string>();
  const queue = [...broken];
  while (queue.length > 0) {
    for (const importer of importers.get(queue.pop()!) ?? []) {
      if (!broken.has(importer) && !reached.has(importer)) {
        reached.add(importer);
        queue.push(importer);
      }
    }
  }
  return reached;
}

interface ImportEdge {
  readonly target: string;
  readonly span: A.Span;
  /** `as nia`: the file's names are reached through that name only. */
  readonly alias?: string;
  readonly aliasSpan?: A.Span;
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

/** Lexes and parses one file, and builds its tree, with the diagnostics of each step. */
function parseFile(text: string, shown: string): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexPol(text);
  const tooDeep = nestingDiagnostic(lexed.tokens, shown);
  if (tooDeep) {
    const file: A.PolFile = { kind: "File", path: shown, imports: [], declarations: [], policies: [], overlays: [], span: tooDeep.span };
    return { text, file, parsed: undefined, diagnostics: [tooDeep] };
  }
  diagnostics.push(...literalDiagnostics(lexed.tokens, shown));
  const parsed = parsePol(text, lexed);
  diagnostics.push(...syntaxDiagnostics(parsed, shown, text));
  const file = cstToAst(parsed, shown, diagnostics);
  return { text, file, parsed, diagnostics };
}

/** Each file with every file it sees: itself and its imports, transitively. */
function closures(order: readonly string[], importsOf: ReadonlyMap<string, readonly ImportEdge[]>): Map<string, Set<string>> {
  const seen = new Map<string, Set<string>>();
  for (const path of order) {
    const visible = new Set([path]);
    const stack = [path];
    while (stack.length > 0) {
      for (const { target } of importsOf.get(stack.pop()!) ?? []) {
        if (!visible.has(target)) {
          visible.add(target);
          stack.push(target);
        }
      }
    }
    seen.set(path, visible);
  }
  return seen;
}

/**
 * Whether a file's last check still holds: the file is the same tree, it sees the same files,
 * and each of them is the same tree or declares the same to it (and none of the kept diagnostics
 * points into one that changed, whose places may have moved).
 */
function keepCheck(path: string, visible: ReadonlySet<string>, files: ReadonlyMap<string, A.PolFile>, incremental: Incremental): boolean {
  const last: CheckedFile | undefined = incremental.cache.checked.get(path);
  if (!last || incremental.fresh?.has(path)) return false;
  const stillHolds = () => {
    if (last.against.size !== visible.size || last.against.get(path)?.file !== files.get(path)) return false;
    for (const seen of visible) {
      const was = last.against.get(seen);
      const now = files.get(seen);
      if (!was || !now) return false;
      if (was.file === now) continue;
      const text = incremental.cache.parsed.get(seen)?.text ?? "";
      if (was.surface !== incremental.cache.surfaceOf(now, text)) return false;
      if (last.diagnostics.some((d) => d.related?.some((r) => r.span.file === seen))) return false;
    }
    return true;
  };
  if (stillHolds()) return true;
  if (incremental.only && !incremental.only.has(path)) {
    incremental.pending.add(path);
    return true;
  }
  return false;
}
