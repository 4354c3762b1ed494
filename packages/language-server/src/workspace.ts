/**
 * The library as the server knows it between edits: the compiler's cache (each file's parse and
 * check), the last compile's result (every file's tree, scope and diagnostics), and for each file
 * the index of names built when it was last checked. An edit checks the edited file again; its
 * importers only when what it declares to them changed. A file whose check was kept across a
 * change to a file it imports keeps its diagnostics, but its index points at the old trees: it is
 * checked again before a request reads it.
 */
import type * as A from "../../../compiler/ast.js";
import type { Ty } from "../../../compiler/check.js";
import { CompileCache } from "../../../compiler/compile-cache.js";
import { checkFilesIncrementally, type IncrementalOptions, type IncrementalResult } from "../../../compiler/compile.js";
import type { CheckedTypes } from "./completion.js";
import { LibraryIndex, sortOccurrences, type Occurrence, type Target } from "./analysis.js";

export class Workspace implements CheckedTypes {
  private readonly cache = new CompileCache();
  private readonly indexes = new Map<string, LibraryIndex>();
  /** Files whose index is missing or points at trees that have changed. */
  private readonly stale = new Set<string>();
  private last: IncrementalResult | undefined;

  get latest(): IncrementalResult | undefined {
    return this.last;
  }

  /** Compiles the library with the cache, and indexes the files checked. */
  analyze(paths: readonly string[], read: (absolute: string) => string | undefined, base: string, options: IncrementalOptions = {}): IncrementalResult {
    const result = checkFilesIncrementally(paths, read, base, this.cache, options);
    this.last = result;
    if (result.checkedNow.size > 0) {
      const index = new LibraryIndex(result, result.checkedNow);
      for (const file of result.checkedNow) {
        this.indexes.set(file, index);
        this.stale.delete(file);
      }
    }
    for (const file of [...result.keptAcrossChanges, ...result.pending]) this.stale.add(file);
    for (const file of this.indexes.keys()) {
      if (!result.files.has(file)) {
        this.indexes.delete(file);
        this.stale.delete(file);
      }
    }
    return result;
  }

  /** Whether a file's index is current. */
  isCurrent(file: string): boolean {
    return this.indexes.has(file) && !this.stale.has(file);
  }

  /** Files whose index is not current. */
  staleFiles(): Set<string> {
    const files = new Set(this.stale);
    for (const file of this.last?.files.keys() ?? []) if (!this.indexes.has(file)) files.add(file);
    return files;
  }

  occurrenceAt(file: string, offset: number): Occurrence | undefined {
    return this.indexes.get(file)?.occurrenceAt(file, offset);
  }

  /** Every place a declaration's name is written in the library, its declaration first. */
  occurrencesOf(target: Target): Occurrence[] {
    return sortOccurrences([...this.indexes].flatMap(([file, index]) => index.occurrencesIn(file, target)));
  }

  /** The hover text of a declaration, from the check of the file that declares it. */
  describe(target: Target, from: string): string {
    const index = this.indexes.get(target.decl.nameSpan.file) ?? this.indexes.get(from)!;
    return index.describe(target);
  }

  /** The type the checker gave a written type, from the check of the file it is written in. */
  typeOf(ref: A.TypeRef): Ty | undefined {
    return this.indexes.get(ref.span.file)?.checked.typeRefs.get(ref);
  }

  /** The type of a definition's body, from the check of the file that declares it. */
  defineType(decl: A.DefineDecl): Ty | undefined {
    return this.indexes.get(decl.span.file)?.checked.defineTypes.get(decl);
  }
}
