/**
 * What one compile keeps for the next, for an editor that checks the library after every change:
 * each file's parse, by its text, and each file's check, with the files it was checked against.
 * A file is parsed again only when its text changed, and checked again only when it changed or
 * what it sees from its imports changed. The diagnostics are those of a compile from scratch
 * (test/compile/incremental.test.ts holds that); only the checker's side tables are partial, since
 * a file whose check is kept is not walked again.
 */
import type * as A from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import type { ParseOutput } from "../grammar/parser.js";
import { ownSymbols } from "./scope.js";

/** A file as the first stage left it: its tree and the diagnostics of lexing and parsing it. */
export interface ParsedFile {
  readonly text: string;
  readonly file: A.PolFile;
  /** The parser's output; none when the file was nested too deeply to parse. */
  readonly parsed: ParseOutput | undefined;
  /** Lexing, nesting, literal, syntax and tree-building diagnostics, in the order they were found. */
  readonly diagnostics: readonly Diagnostic[];
}

/** One file of what a checked file saw, as it was when the file was checked. */
export interface SeenFile {
  readonly file: A.PolFile;
  readonly surface: string;
}

/** A file's check: the diagnostics the checker placed in it, and what it was checked against. */
export interface CheckedFile {
  /** The file itself and every file it imports, transitively. */
  readonly against: ReadonlyMap<string, SeenFile>;
  readonly diagnostics: readonly Diagnostic[];
}

export class CompileCache {
  readonly parsed = new Map<string, ParsedFile>();
  readonly checked = new Map<string, CheckedFile>();
  private readonly surfaces = new WeakMap<A.PolFile, string>();

  surfaceOf(file: A.PolFile, text: string): string {
    let surface = this.surfaces.get(file);
    if (surface === undefined) {
      surface = exportedSurface(file, text);
      this.surfaces.set(file, surface);
    }
    return surface;
  }

  /** Forgets files no longer in the library. */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const path of this.parsed.keys()) if (!paths.has(path)) this.parsed.delete(path);
    for (const path of this.checked.keys()) if (!paths.has(path)) this.checked.delete(path);
  }
}

/**
 * What a file's importers can see of it, as text: its imports (their names are visible too), and
 * each name it declares (the names `ownSymbols` collects) with the text of its declaration; a
 * criterion or pathway only by its name and role, since its body is checked where it is declared.
 * An edit that leaves this unchanged (a criterion's condition, a wording, a comment, a policy's
 * body) cannot change what the checker says about an importer, whose check is then kept.
 */
export function exportedSurface(file: A.PolFile, text: string): string {
  const parts = file.imports.map((imp) => `import ${imp.path}`);
  for (const [name, entry] of ownSymbols(file, [])) {
    if (entry.kind === "requirement") parts.push(`${entry.decl.role} ${name}`);
    else parts.push(`${entry.kind} ${name}: ${text.slice(entry.decl.span.start, entry.decl.span.end).replace(/\s+/g, " ")}`);
  }
  // The fields an extension adds are seen by the files that import it; `meets` finds a policy by its id or guideline.
  for (const decl of file.declarations) if (decl.kind === "Extend") parts.push(`extend ${text.slice(decl.span.start, decl.span.end).replace(/\s+/g, " ")}`);
  for (const doc of [...file.policies, ...file.overlays]) parts.push(`${doc.kind} ${doc.name}${doc.properties.filter((x) => x.key === "guideline").map((x) => ` guideline ${x.value}`).join("")}`);
  return parts.join("\n");
}
