/**
 * Lint: warnings about rules that are valid pol but probably not what the guideline means. Run
 * by `polc check` on a library without errors. Each rule is its own file; this one gathers what
 * they see (the intermediate form, where each declaration is written, what the case files
 * document) and returns their warnings in the order of the files.
 */
import type * as A from "../ast.js";
import { walk } from "../ast.js";
import type { CompileResult } from "../compile.js";
import type { Diagnostic, DiagnosticCode, Related } from "../diagnostics.js";
import { caseFolders } from "../tools/case-folders.js";
import { readCaseFile, CaseFileError } from "../cli/case-file.js";
import type { LintContext, LintRule } from "./rule.js";
import { neverApplies } from "./never-applies.js";
import { constantCondition } from "./constant-condition.js";
import { unmeetableList } from "./unmeetable-list.js";
import { overlayRestates } from "./overlay-restates.js";
import { unusedDefinitions, unusedFacts } from "./unused-declarations.js";
import { undocumentedFacts } from "./undocumented-facts.js";
import { wordingDriftRule } from "./wording-drift.js";

export const lintRules: readonly LintRule[] = [neverApplies, constantCondition, unmeetableList, overlayRestates, unusedFacts, unusedDefinitions, undocumentedFacts, wordingDriftRule];

export interface LintOptions {
  /** The cases root, when known: facts no case file documents are reported then. */
  readonly casesRoot?: string;
  /**
   * The files checked (as diagnostics name them): unused facts and definitions are reported only
   * in these, since a file they import may serve policies that were not checked. All when absent.
   */
  readonly checkedFiles?: ReadonlySet<string>;
}

/** Where each named declaration is, by file and line: what the intermediate form keeps of a place. */
function spanIndex(result: CompileResult): (file: string, line: number) => A.Span {
  const byLine = new Map<string, A.Span>();
  for (const [file, ast] of result.files) {
    walk(ast, (node) => {
      const named = (node as Partial<A.Named>).nameSpan;
      const span = named ?? (node.kind === "GroupBody" ? node.span : undefined);
      if (span) {
        const key = `${file}\u0000${span.line}`;
        if (!byLine.has(key)) byLine.set(key, span);
      }
    });
  }
  return (file, line) => {
    const known = byLine.get(`${file}\u0000${line}`);
    if (known) return known;
    // A line with no name on it: its first character.
    const text = result.sources.get(file) ?? "";
    const lines = text.split(/\r\n|\r|\n/);
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    return { file, start, end: start + (lines[line - 1]?.length ?? 0), line, column: 1 };
  };
}

/** Every path a request documents: `pain.average`, and `pain` for the group. */
function documentedPaths(value: unknown, prefix: string, into: Set<string>): void {
  if (value === null || value === undefined) return;
  if (prefix) into.add(prefix);
  if (typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) documentedPaths(v, prefix ? `${prefix}.${key}` : key, into);
}

function documented(result: CompileResult, root: string): Map<string, Set<string>> {
  const folders = caseFolders(root, result.policies.map((p) => p.ir.id));
  const out = new Map<string, Set<string>>();
  for (const [id, files] of folders.byPolicy) {
    const paths = new Set<string>();
    for (const file of files) {
      try {
        documentedPaths(readCaseFile(file).input, "", paths);
      } catch (e) {
        // A malformed case file is polc test's to report; it documents nothing here.
        if (!(e instanceof CaseFileError)) throw e;
      }
    }
    out.set(id, paths);
  }
  return out;
}

export function lint(result: CompileResult, options: LintOptions = {}): Diagnostic[] {
  const library = result.library;
  if (!library) return [];
  const found: Diagnostic[] = [];
  const context: LintContext = {
    result,
    library,
    at: spanIndex(result),
    documented: options.casesRoot === undefined ? undefined : documented(result, options.casesRoot),
    checked: (file) => options.checkedFiles === undefined || options.checkedFiles.has(file),
    report(code: DiagnosticCode, span: A.Span, message: string, extra: { hint?: string; related?: Related[] } = {}) {
      found.push({ code, severity: "warning", message, span, ...extra });
    },
  };
  for (const rule of lintRules) rule.run(context);
  const seen = new Set<string>();
  return found
    .filter((d) => {
      const key = `${d.span.file}\u0000${d.span.start}\u0000${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start || a.code.localeCompare(b.code));
}
