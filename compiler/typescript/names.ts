/**
 * The identifiers of generated code. Every name from a policy gets a fixed prefix for its kind
 * (criterion `acute_duration` → `criterion_acute_duration`, definition `episode_injections` →
 * `define_episode_injections`), so that none can be a word of JavaScript or TypeScript or a
 * built-in property; the rare clash between two policy names (`pain.average` and `pain_average`
 * both reading as `fact_pain_average`) takes a numbered suffix. Types are named in PascalCase.
 */
import type { IrDeclaration, IrModule } from "../ir.js";

/** Names already given in one scope of generated code; `take` never gives one twice. */
export class Names {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  take(candidate: string): string {
    let name = candidate;
    for (let i = 2; this.taken.has(name); i++) name = `${candidate}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/** `spinal_region` → `SpinalRegion`; a name with no letters to start from becomes `T…`. */
export function pascalCase(name: string): string {
  const pascal = name
    .split(/_+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
  return /^[A-Za-z]/.test(pascal) ? pascal : `T${pascal}`;
}

/** What a declaration is called in generated code, before any clash is resolved. */
export function candidateName(d: IrDeclaration): string {
  switch (d.kind) {
    case "enum":
      return `enum_${d.name}`;
    case "record":
      return `record_${d.name}`;
    case "field":
      return `field_${d.record.name}_${d.name}`;
    case "fact":
      return `fact_${d.path.replace(/\./g, "_")}`;
    case "define":
      return `define_${d.name}`;
    case "requirement":
      return d.role === "group" ? `list_${d.id.replace(/\./g, "_")}` : `${d.role}_${d.id}`;
  }
}

/** Names a module's own code uses for itself, which no declaration may take. */
export const fixedNames = ["k", "c", "source", "policy", "metadata", "evaluate", "decision", "load"];
/**
 * Type names a policy module exports itself. Generated code names no other type but its own
 * and the runtime's (`k.RequestObject`, never `Readonly<Record<…>>`), so an enum or a record may
 * take any other name, `Readonly` and `Record` included, without hiding one of TypeScript's.
 */
export const fixedTypeNames = ["Input", "Determination", "EvaluateOptions", "Decision", "DecisionOptions", "Duration", "IsoDate"];

/** The names a module exports: one per declaration, and one per enum and record type. */
export interface ModuleNames {
  readonly values: ReadonlyMap<IrDeclaration, string>;
  readonly types: ReadonlyMap<IrDeclaration, string>;
}

export function moduleNames(m: IrModule): ModuleNames {
  const names = new Names(fixedNames);
  const typeNames = new Names(fixedTypeNames);
  const values = new Map<IrDeclaration, string>();
  const types = new Map<IrDeclaration, string>();
  for (const e of m.enums) {
    values.set(e, names.take(candidateName(e)));
    types.set(e, typeNames.take(pascalCase(e.name)));
  }
  for (const r of m.records) {
    values.set(r, names.take(candidateName(r)));
    types.set(r, typeNames.take(pascalCase(r.name)));
    for (const f of r.fields) values.set(f, names.take(candidateName(f)));
  }
  for (const x of m.extensions) for (const f of x.fields) values.set(f, names.take(candidateName(f)));
  for (const d of [...m.facts, ...m.definitions, ...m.requirements]) values.set(d, names.take(candidateName(d)));
  return { values, types };
}
