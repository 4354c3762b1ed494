/**
 * What a lint rule sees and how it reports. Lint runs on a library without errors, over the
 * intermediate form (the one statement of what every rule of a policy means), and reports
 * warnings with codes from the catalogue (compiler/diagnostics.ts). One rule per file.
 */
import type * as A from "../ast.js";
import type { CompileResult } from "../compile.js";
import type { IrLibrary } from "../ir.js";
import type { Diagnostic, DiagnosticCode, Related } from "../diagnostics.js";

export interface LintContext {
  readonly result: CompileResult;
  readonly library: IrLibrary;
  /** Where a declaration whose name is written on a line of a file is (its name), for reports. */
  at(file: string, line: number): A.Span;
  /** The facts each policy's case files document (their paths), when the cases root is known. */
  readonly documented: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  /** Whether a file was checked itself, not only imported by one that was. */
  checked(file: string): boolean;
  report(code: DiagnosticCode, span: A.Span, message: string, extra?: { hint?: string; related?: Related[] }): void;
}

export interface LintRule {
  readonly code: DiagnosticCode;
  /** A short name, as in the docs. */
  readonly name: string;
  run(context: LintContext): void;
}

export type { Diagnostic };
