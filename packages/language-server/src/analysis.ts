/**
 * What the language server knows about a library: the compiler's own result (its diagnostics,
 * scopes and the checker's side tables of what each name resolves to), and an index from each
 * occurrence of a name to the declaration it stands for. Nothing here decides what a name means:
 * the checker already did, and this only reads what it recorded.
 */
import type * as A from "../../../compiler/ast.js";
import { walk } from "../../../compiler/ast.js";
import { describeType, type Checked, type FactEntry } from "../../../compiler/check.js";
import type { CompileResult } from "../../../compiler/compile.js";
import type { SymbolEntry } from "../../../compiler/scope.js";

/** A declaration a name can stand for. */
export type Target =
  | { readonly kind: "fact"; readonly decl: A.FactDecl; readonly path: string }
  | { readonly kind: "group"; readonly decl: A.GroupDecl; readonly path: string }
  | { readonly kind: "enum"; readonly decl: A.EnumDecl }
  | { readonly kind: "enumValue"; readonly decl: A.EnumMember; readonly owner: A.EnumDecl }
  | { readonly kind: "record"; readonly decl: A.RecordDecl }
  | { readonly kind: "field"; readonly decl: A.FieldDecl; readonly owner: A.RecordDecl }
  | { readonly kind: "define"; readonly decl: A.DefineDecl }
  | { readonly kind: "requirement"; readonly decl: A.RequirementDecl }
  | { readonly kind: "param"; readonly decl: A.Param; readonly owner: A.DefineDecl }
  /** The entry a question over a list names: `p` in `count(p in prior_procedures …)`. */
  | { readonly kind: "entry"; readonly decl: A.Named; readonly query: A.QueryExpr };

/** Where a name is written: its file and offsets. */
export interface NameRange {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface Occurrence {
  readonly range: NameRange;
  readonly target: Target;
  /** Whether this occurrence is the declaration itself. */
  readonly declaration: boolean;
}

/** One key per declaration: where its name is declared. */
export function targetKey(target: Target): string {
  return `${target.decl.nameSpan.file}:${target.decl.nameSpan.start}`;
}

export class LibraryIndex {
  /** Occurrences by file, in source order. */
  private readonly byFile = new Map<string, Occurrence[]>();
  private readonly byTarget = new Map<string, Occurrence[]>();

  /** Indexes the files of `only` (default: every file of the result). */
  constructor(
    readonly result: CompileResult,
    only?: ReadonlySet<string>,
  ) {
    const checked = result.checked;
    const factPaths = new Map<A.FactDecl | A.GroupDecl, string>();
    const collectPaths = (entry: SymbolEntry) => {
      if (entry.kind === "fact" || entry.kind === "group") factPaths.set(entry.decl, entry.path);
      if (entry.kind === "group") for (const member of entry.members.values()) collectPaths(member);
    };
    for (const scope of result.scopes.values()) for (const entry of scope.values()) collectPaths(entry);
    const entryTarget = (entry: FactEntry | Extract<SymbolEntry, { kind: "group" }>): Target =>
      entry.kind === "fact" ? { kind: "fact", decl: entry.decl, path: entry.path } : { kind: "group", decl: entry.decl, path: entry.path };

    for (const [path, file] of result.files) {
      if (only && !only.has(path)) continue;
      const occurrences: Occurrence[] = [];
      const add = (range: NameRange, target: Target, declaration = false) => occurrences.push({ range, target, declaration });
      const declared = (target: Target) => add(rangeOf(target.decl.nameSpan), target, true);
      const typeTarget = (ref: A.TypeRef) => {
        const ty = checked.typeRefs.get(ref);
        if (!ty) return;
        // The type's name is the word after any `list of`, before any range.
        const written = result.sources.get(path)?.slice(ref.span.start, ref.span.end) ?? "";
        const start = ref.span.start + (/^list\s+of\s+/.exec(written)?.[0].length ?? 0);
        const range = { file: path, start, end: start + ref.name.length };
        if (ty.t === "enum") add(range, { kind: "enum", decl: ty.decl });
        else if (ty.t === "record" || ty.t === "list") add(range, { kind: "record", decl: ty.decl });
      };
      let currentDefine: A.DefineDecl | undefined;
      const queries: A.QueryExpr[] = [];
      walk(file, (node) => {
        if (node.kind === "Query") queries.push(node);
      });
      const entries = new Map<A.QueryExpr, Target>();
      const entryOf = (query: A.QueryExpr): Target => {
        let target = entries.get(query);
        if (!target) {
          target = { kind: "entry", decl: { name: query.binder, nameSpan: query.binderSpan }, query };
          entries.set(query, target);
        }
        return target;
      };
      walk(file, (node) => {
        switch (node.kind) {
          case "Fact":
            declared({ kind: "fact", decl: node, path: factPaths.get(node) ?? node.name });
            break;
          case "Group":
            declared({ kind: "group", decl: node, path: factPaths.get(node) ?? node.name });
            break;
          case "Enum":
            declared({ kind: "enum", decl: node });
            for (const member of node.members) declared({ kind: "enumValue", decl: member, owner: node });
            break;
          case "Record":
            declared({ kind: "record", decl: node });
            for (const field of node.fields) declared({ kind: "field", decl: field, owner: node });
            break;
          case "Extend": {
            // The record it extends, and the fields it adds, which `p.field` then goes to.
            const record = checked.extensions.targets.get(node);
            if (!record) break;
            add(rangeOf(node.nameSpan), { kind: "record", decl: record });
            for (const field of node.fields) declared({ kind: "field", decl: field, owner: record });
            break;
          }
          case "Define":
            currentDefine = node;
            declared({ kind: "define", decl: node });
            for (const param of node.params) declared({ kind: "param", decl: param, owner: node });
            break;
          case "Requirement":
            declared({ kind: "requirement", decl: node });
            break;
          case "Note": {
            const decl = checked.items.get(node);
            if (decl && node.nameSpan) add(rangeOf(node.nameSpan), { kind: "requirement", decl }, true);
            break;
          }
          case "Use": {
            const decl = checked.items.get(node);
            if (decl) add({ file: path, start: node.span.end - node.name.length, end: node.span.end }, { kind: "requirement", decl });
            break;
          }
          case "TypeRef":
            typeTarget(node);
            break;
          case "Ref": {
            const resolution = checked.refs.get(node);
            const range = { file: path, start: node.span.start, end: node.span.start + node.name.length };
            if (!resolution) break;
            if (resolution.kind === "fact" || resolution.kind === "group") add(range, entryTarget(resolution.entry));
            else if (resolution.kind === "define") add(range, { kind: "define", decl: resolution.decl });
            else if (resolution.kind === "requirement") add(range, { kind: "requirement", decl: resolution.decl });
            else if (resolution.kind === "enumValue") {
              const member = resolution.decl.members.find((m) => m.name === node.name);
              if (member) add(range, { kind: "enumValue", decl: member, owner: resolution.decl });
            } else if (resolution.kind === "local") {
              // The innermost question over a list that names this entry, else a parameter.
              const query = queries
                .filter((q) => q.binder === node.name && q.span.start <= node.span.start && node.span.end <= q.span.end)
                .sort((a, b) => a.span.end - a.span.start - (b.span.end - b.span.start))[0];
              const param = currentDefine && node.span.start >= currentDefine.span.start && node.span.end <= currentDefine.span.end ? currentDefine.params.find((p) => p.name === node.name) : undefined;
              if (query) add(range, entryOf(query));
              else if (param) add(range, { kind: "param", decl: param, owner: currentDefine! });
            }
            break;
          }
          case "Field": {
            const resolution = checked.fields.get(node);
            const range = rangeOf(node.fieldSpan);
            if (!resolution) break;
            if (resolution.kind === "fact" || resolution.kind === "group") add(range, entryTarget(resolution.entry));
            else if (resolution.kind === "recordField") add(range, { kind: "field", decl: resolution.field, owner: resolution.record });
            break;
          }
          case "Query":
            declared(entryOf(node));
            break;
          case "In": {
            const ty = checked.types.get(node.operand);
            if (ty?.t !== "enum") break;
            for (const member of node.members) {
              const decl = ty.decl.members.find((m) => m.name === member.name);
              if (decl) add(rangeOf(member.span), { kind: "enumValue", decl, owner: ty.decl });
            }
            break;
          }
        }
      });
      occurrences.sort((a, b) => a.range.start - b.range.start);
      this.byFile.set(path, occurrences);
      for (const occurrence of occurrences) {
        const key = targetKey(occurrence.target);
        const list = this.byTarget.get(key);
        if (list) list.push(occurrence);
        else this.byTarget.set(key, [occurrence]);
      }
    }
  }

  get checked(): Checked {
    return this.result.checked;
  }

  /** The name under an offset of a file (the cursor may stand just after it). */
  occurrenceAt(file: string, offset: number): Occurrence | undefined {
    const list = this.byFile.get(file) ?? [];
    return list.find((o) => o.range.start <= offset && offset < o.range.end) ?? list.find((o) => o.range.end === offset);
  }

  /** Every place a declaration's name is written, its declaration first. */
  occurrencesOf(target: Target): Occurrence[] {
    return sortOccurrences(this.byTarget.get(targetKey(target)) ?? []);
  }

  /** The places a declaration's name is written in one file. */
  occurrencesIn(file: string, target: Target): Occurrence[] {
    return (this.byTarget.get(targetKey(target)) ?? []).filter((o) => o.range.file === file);
  }

  /** The hover text for a declaration: what it is, its wording or description, its type, where it is declared. */
  describe(target: Target): string {
    const source = (span: A.Span) => this.result.sources.get(span.file)?.slice(span.start, span.end) ?? "";
    const where = `Declared in \`${target.decl.nameSpan.file}:${target.decl.nameSpan.line}\``;
    const typeOf = (ref: A.TypeRef) => {
      const ty = this.checked.typeRefs.get(ref);
      return `\`${source(ref.span)}\`${ty ? ` (${describeType(ty)})` : ""}`;
    };
    const lines: string[] = [];
    switch (target.kind) {
      case "fact":
        lines.push(`**fact** \`${target.path}\`: ${typeOf(target.decl.type)}`);
        if (target.decl.doc) lines.push(target.decl.doc);
        break;
      case "group":
        lines.push(`**group** \`${target.path}\``);
        if (target.decl.doc) lines.push(target.decl.doc);
        lines.push(`Facts: ${target.decl.members.map((m) => `\`${m.name}\``).join(", ")}`);
        break;
      case "enum":
        lines.push(`**enum** \`${target.decl.name}\``);
        if (target.decl.doc) lines.push(target.decl.doc);
        lines.push(`Values: ${target.decl.members.map((m) => `\`${m.name}\``).join(", ")}`);
        break;
      case "enumValue":
        lines.push(`**value** \`${target.decl.name}\` of enum \`${target.owner.name}\``);
        if (target.decl.label) lines.push(target.decl.label);
        break;
      case "record":
        lines.push(`**record** \`${target.decl.name}\``);
        if (target.decl.doc) lines.push(target.decl.doc);
        lines.push(`Fields: ${target.decl.fields.map((f) => `\`${f.name}\``).join(", ")}`);
        break;
      case "field":
        lines.push(`**field** \`${target.owner.name}.${target.decl.name}\`: ${typeOf(target.decl.type)}`);
        if (target.decl.doc) lines.push(target.decl.doc);
        break;
      case "define": {
        const params = target.decl.params.map((p) => `${p.name}: ${source(p.type.span)}`).join(", ");
        const ty = this.checked.defineTypes.get(target.decl);
        lines.push(`**define** \`${target.decl.name}${target.decl.params.length ? `(${params})` : ""}\`${ty ? `: ${describeType(ty)}` : ""}`);
        if (target.decl.wording) lines.push(`"${target.decl.wording}"`);
        break;
      }
      case "requirement":
        lines.push(`**${target.decl.role}** \`${target.decl.name}\``);
        lines.push(`"${target.decl.wording}"${target.decl.refs.length ? ` [${source({ ...target.decl.refs[0].span, end: target.decl.refs[target.decl.refs.length - 1].span.end })}]` : ""}`);
        if (target.decl.when) lines.push(`Applies when \`${source(target.decl.when.span)}\``);
        break;
      case "param":
        lines.push(`**parameter** \`${target.decl.name}\`: ${typeOf(target.decl.type)} of \`${target.owner.name}\``);
        break;
      case "entry": {
        const ty = this.checked.types.get(target.query.source);
        lines.push(`**entry** \`${target.decl.name}\` of \`${source(target.query.source.span)}\`${ty?.t === "list" ? `: a ${ty.decl.name}` : ""}`);
        break;
      }
    }
    // How the author read the guideline's text there (`reading "…"`).
    const explained = target.decl as { readonly readings?: readonly A.Reading[] };
    for (const r of explained.readings ?? []) lines.push(`*Reading${r.fragment === undefined ? "" : ` of "${r.fragment}"`}:* ${r.text}`);
    lines.push(where);
    return lines.join("\n\n");
  }
}

/** Declarations first, then by file and place. */
export function sortOccurrences(list: readonly Occurrence[]): Occurrence[] {
  return [...list].sort((a, b) => Number(b.declaration) - Number(a.declaration) || a.range.file.localeCompare(b.range.file) || a.range.start - b.range.start);
}

function rangeOf(span: A.Span): NameRange {
  return { file: span.file, start: span.start, end: span.end };
}
