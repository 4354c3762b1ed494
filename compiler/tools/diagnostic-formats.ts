/**
 * Diagnostics for machines: `polc check --json` (one object per diagnostic, with its place as
 * line and column from 1, start and end) and `--format sarif` (SARIF 2.1.0, what code-scanning
 * views in CI read).
 */
import type { Span } from "../ast.js";
import { messages, type Diagnostic, type DiagnosticCode } from "../diagnostics.js";
import { catalogue } from "../diagnostics-catalogue.js";

export interface Place {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** A span's start and end as lines and columns (from 1; the end column is just past the last character). */
export function placeOf(span: Span, sources: ReadonlyMap<string, string>): Place {
  const text = sources.get(span.file);
  let endLine = span.line;
  let endColumn = span.column + Math.max(0, span.end - span.start);
  if (text !== undefined) {
    const slice = text.slice(span.start, span.end);
    const breaks = slice.split(/\r\n|\r|\n/);
    if (breaks.length > 1) {
      endLine = span.line + breaks.length - 1;
      endColumn = breaks[breaks.length - 1].length + 1;
    }
  }
  return { file: span.file, line: span.line, column: span.column, endLine, endColumn };
}

/** The severity a code has, as the catalogue gives it: lint's are warnings, every other an error. */
export function defaultSeverity(code: DiagnosticCode): "error" | "warning" {
  return catalogue[code].severity;
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, files: number): unknown {
  return {
    files,
    errors: diagnostics.filter((d) => d.severity === "error").length,
    warnings: diagnostics.filter((d) => d.severity === "warning").length,
    diagnostics: diagnostics.map((d) => ({
      code: d.code,
      name: messages[d.code],
      severity: d.severity,
      message: d.message,
      ...placeOf(d.span, sources),
      ...(d.hint ? { hint: d.hint } : {}),
      ...(d.related?.length ? { related: d.related.map((r) => ({ message: r.message, ...placeOf(r.span, sources) })) } : {}),
    })),
  };
}

function location(span: Span, sources: ReadonlyMap<string, string>) {
  const p = placeOf(span, sources);
  return {
    physicalLocation: {
      artifactLocation: { uri: p.file.split("\\").join("/"), uriBaseId: "%SRCROOT%" },
      region: { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn },
    },
  };
}

/** A SARIF 2.1.0 log of one polc run: every code of the catalogue as a rule, each diagnostic a result. */
export function diagnosticsSarif(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, version: string): unknown {
  const codes = Object.keys(messages) as DiagnosticCode[];
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "polc",
            version,
            rules: codes.map((code) => ({
              id: code,
              name: messages[code].replace(/(?:^|\s)(\w)/g, (_, c: string) => c.toUpperCase()),
              shortDescription: { text: messages[code] },
              fullDescription: { text: catalogue[code].explanation },
              defaultConfiguration: { level: defaultSeverity(code) },
            })),
          },
        },
        columnKind: "utf16CodeUnits",
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: codes.indexOf(d.code),
          level: d.severity,
          message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
          locations: [location(d.span, sources)],
          ...(d.related?.length ? { relatedLocations: d.related.map((r, i) => ({ id: i, message: { text: r.message }, ...location(r.span, sources) })) } : {}),
        })),
      },
    ],
  };
}
