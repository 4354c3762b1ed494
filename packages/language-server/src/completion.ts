/**
 * Completion from what the checker knows of the file's scope: the facts of a group after
 * `group.`, the fields of a list's entries after `p.`, enum values after `=` or `in {`, units after
 * a number, types after a declaration's colon, and otherwise names and keywords.
 */
import { CompletionItemKind, type CompletionItem } from "vscode-languageserver/node";
import type * as A from "../../../compiler/ast.js";
import { describeType, type Ty } from "../../../compiler/check.js";
import { builtinNames, builtinTypes, type Scope, type SymbolEntry } from "../../../compiler/scope.js";
import { allTokens, DurationUnit, reservedWords } from "../../../grammar/tokens.js";

const name = "[A-Za-z_][A-Za-z0-9_]*";
/** The duration units the lexer knows, plural and singular. */
const units = allTokens
  .filter((token) => token.CATEGORIES?.includes(DurationUnit))
  .flatMap((token) => {
    const plural = (token.LABEL ?? token.name).replace(/'/g, "");
    return [plural, plural.replace(/s$/, "")];
  });

/** The types the checker gave written types and definitions. */
export interface CheckedTypes {
  typeOf(ref: A.TypeRef): Ty | undefined;
  defineType(decl: A.DefineDecl): Ty | undefined;
}

/** Completions in a file that sees `scope`, at the end of `before` (the text before the cursor). */
export function completionsAt(scope: Scope, types: CheckedTypes, before: string): CompletionItem[] {
  const factType = (decl: A.FactDecl | A.FieldDecl): Ty | undefined => types.typeOf(decl.type);
  const entryItem = (entry: SymbolEntry, label: string): CompletionItem => {
    switch (entry.kind) {
      case "fact": {
        const ty = factType(entry.decl);
        return { label, kind: CompletionItemKind.Field, detail: ty ? describeType(ty) : undefined, documentation: entry.decl.doc };
      }
      case "group":
        return { label, kind: CompletionItemKind.Module, detail: "group", documentation: entry.decl.doc };
      case "enum":
        return { label, kind: CompletionItemKind.Enum, detail: "enum", documentation: entry.decl.doc };
      case "record":
        return { label, kind: CompletionItemKind.Struct, detail: "record", documentation: entry.decl.doc };
      case "define":
        return { label, kind: CompletionItemKind.Function, detail: "definition", documentation: entry.decl.wording };
      case "requirement":
        return { label, kind: CompletionItemKind.Reference, detail: entry.decl.role, documentation: entry.decl.wording };
    }
  };
  const enumValues = (decl: A.EnumDecl, sortText?: string): CompletionItem[] =>
    decl.members.map((m) => ({ label: m.name, kind: CompletionItemKind.EnumMember, detail: `value of ${decl.name}`, documentation: m.label, sortText }));
  const recordFields = (decl: A.RecordDecl): CompletionItem[] =>
    decl.fields.map((f) => {
      const ty = factType(f);
      return { label: f.name, kind: CompletionItemKind.Field, detail: ty ? describeType(ty) : undefined, documentation: f.doc };
    });
  /** What a written path (`pain`, `request.region`) names in the scope. */
  const resolvePath = (path: string): SymbolEntry | undefined => {
    const [first, ...rest] = path.split(".");
    let entry = scope.get(first);
    for (const segment of rest) entry = entry?.kind === "group" ? entry.members.get(segment) : undefined;
    return entry;
  };
  /** The record of a list a query's entry ranges over: `p` in `count(p in prior_procedures …`. */
  const binderRecord = (binder: string): A.RecordDecl | undefined => {
    const matches = [...before.matchAll(new RegExp(`\\(\\s*${binder}\\s+in\\s+(${name}(?:\\.${name})*)`, "g"))];
    const source = matches.at(-1)?.[1];
    if (!source) return undefined;
    const entry = resolvePath(source);
    const ty = entry?.kind === "fact" ? factType(entry.decl) : entry?.kind === "define" ? types.defineType(entry.decl) : undefined;
    return ty?.t === "list" || ty?.t === "record" ? ty.decl : undefined;
  };

  const line = before.slice(before.lastIndexOf("\n") + 1);

  const member = new RegExp(`(${name}(?:\\.${name})*)\\.(${name})?$`).exec(before);
  if (member) {
    const entry = resolvePath(member[1]);
    if (entry?.kind === "group") return [...entry.members].map(([label, e]) => entryItem(e, label));
    const ty = entry?.kind === "fact" ? factType(entry.decl) : undefined;
    if (ty?.t === "record") return recordFields(ty.decl);
    const record = member[1].includes(".") ? undefined : binderRecord(member[1]);
    return record ? recordFields(record) : [];
  }

  if (/\buse\s+[A-Za-z_0-9]*$/.test(line)) {
    return [...scope].filter(([, e]) => e.kind === "requirement").map(([label, e]) => entryItem(e, label));
  }

  if (/\d\s+[a-z]*$/.test(line)) {
    return units.map((unit) => ({ label: unit, kind: CompletionItemKind.Unit, detail: "duration unit" }));
  }

  if (new RegExp(`^\\s*(?:fact\\s+)?${name}\\s*:\\s*(?:list\\s+of\\s+)?[A-Za-z_]*$`).test(line) || new RegExp(`\\(\\s*(?:${name}\\s*:\\s*${name}\\s*,\\s*)*${name}\\s*:\\s*[A-Za-z_]*$`).test(line)) {
    const named = [...scope.values()].filter((e) => e.kind === "enum" || e.kind === "record").map((e) => entryItem(e, e.decl.name));
    return [...builtinTypes.map((t) => ({ label: t, kind: CompletionItemKind.TypeParameter, detail: "type" })), { label: "list of", kind: CompletionItemKind.Keyword }, ...named];
  }

  const compared = new RegExp(`(${name}(?:\\.${name})*)\\s*(?:=|!=|≠)\\s*[A-Za-z_]*$`).exec(line) ?? new RegExp(`(${name}(?:\\.${name})*)\\s+(?:not\\s+)?in\\s*\\{[^}]*$`).exec(line);
  if (compared) {
    const entry = resolvePath(compared[1]);
    const ty = entry?.kind === "fact" ? factType(entry.decl) : undefined;
    if (ty?.t === "enum") return enumValues(ty.decl);
  }

  const items: CompletionItem[] = [];
  for (const [label, entry] of scope) items.push(entryItem(entry, label));
  for (const entry of scope.values()) if (entry.kind === "enum") items.push(...enumValues(entry.decl, `~${entry.decl.name}`));
  for (const builtin of builtinNames) items.push({ label: builtin, kind: CompletionItemKind.Constant, detail: "built-in" });
  for (const word of reservedWords) if (!units.includes(word)) items.push({ label: word, kind: CompletionItemKind.Keyword });
  return items;
}
