/**
 * What a policy reads from a request: its facts, the records of its lists and their fields, each
 * with its type and what a reviewer looks for in the chart. Generated modules declare these with
 * the functions below; validation, evaluation and the determination's missing facts read them.
 */
import { allocateSlot } from "./slots.js";
import type { FastReader, RequestObject, Row } from "./validate.js";

export interface EnumType {
  readonly t: "enum";
  readonly name: string;
  readonly values: readonly string[];
  /** The same values, for membership tests. */
  readonly valueSet: ReadonlySet<string>;
}

/** The types whose values are written in the request as they are (a date as YYYY-MM-DD). */
export type ScalarType =
  | { readonly t: "boolean" }
  | { readonly t: "number"; readonly min?: number; readonly max?: number; readonly integer: boolean }
  | { readonly t: "date" }
  | { readonly t: "duration" }
  | { readonly t: "text" }
  /** A set of spinal levels (see levels.ts), written as `"L4-5"` or `["L4-5", "L5-S1"]`. */
  | { readonly t: "levels" };

export type ValueType = ScalarType | EnumType | ListType;

export interface ListType {
  readonly t: "list";
  /** The record of each entry; a function, so that records can be declared in any order. */
  readonly of: () => RecordType;
}

/** A field of a record: its place in the record's fields, its name in the input, its type. */
export interface FieldDescriptor {
  readonly index: number;
  readonly name: string;
  readonly type: ValueType;
  readonly description: string;
}

export interface RecordType {
  readonly name: string;
  readonly description: string;
  readonly fields: readonly FieldDescriptor[];
  readonly fieldsByName: ReadonlyMap<string, FieldDescriptor>;
  /** The field `date: date` that places an entry in time, when the record has one. */
  readonly date: FieldDescriptor | undefined;
  /** Whether it has a field named `date` (of any type): each entry must then give it. */
  readonly hasDateField: boolean;
  /** That field, if any. */
  readonly dateField: FieldDescriptor | undefined;
  /** The generated reading of an entry, field by field (see FastReader); false when it does not take it. */
  readonly read?: (r: FastReader, entry: RequestObject, row: Row) => boolean;
}

/** An input fact: where it lives in the request (`pain.average`), its type, what to look for. */
export interface FactDescriptor {
  /** Where this evaluation's reading of the fact is kept (see Context). */
  readonly slot: number;
  readonly path: string;
  readonly parts: readonly string[];
  readonly type: ValueType;
  readonly description: string;
  /**
   * A finding the chart mentions only when present: left out of the request, it reads as absent
   * (see `absentValue`) and the determination lists the assumption.
   */
  readonly absentUnlessDocumented: boolean;
}

/** How a fact is read beyond its type. */
export interface FactReading {
  readonly absentUnlessDocumented?: boolean;
}

/**
 * Every type is made with all the properties any type has, in one order, so that the code that
 * switches on a type's kind (validation, conversion) sees objects of a single shape.
 */
function valueType<T extends ValueType>(fields: Partial<Record<"t" | "min" | "max" | "integer" | "name" | "values" | "valueSet" | "of", unknown>>): T {
  return Object.freeze({ t: fields.t, min: fields.min, max: fields.max, integer: fields.integer ?? false, name: fields.name ?? "", values: fields.values, valueSet: fields.valueSet, of: fields.of }) as unknown as T;
}

export const boolean: ValueType = valueType({ t: "boolean" });
export const date: ValueType = valueType({ t: "date" });
export const duration: ValueType = valueType({ t: "duration" });
export const text: ValueType = valueType({ t: "text" });
export const spinalLevels: ValueType = valueType({ t: "levels" });

export function number(min?: number, max?: number): ValueType {
  return valueType({ t: "number", min, max, integer: false });
}

export function integer(min?: number, max?: number): ValueType {
  return valueType({ t: "number", min, max, integer: true });
}

export function enumeration(name: string, values: readonly string[]): EnumType {
  return valueType({ t: "enum", name, values, valueSet: new Set(values) });
}

export function listOf(record: () => RecordType): ListType {
  return valueType({ t: "list", of: record });
}

/** A record's field; `index` is its place among the record's fields. */
export function field(index: number, name: string, type: ValueType, description: string): FieldDescriptor {
  return { index, name, type, description };
}

export function record(name: string, description: string, fields: readonly FieldDescriptor[], read?: RecordType["read"]): RecordType {
  fields.forEach((f, i) => {
    if (f.index !== i) throw new Error(`record ${name}: field ${f.name} is numbered ${f.index}, not ${i}; rebuild the module`);
  });
  const date = fields.find((f) => f.name === "date" && f.type.t === "date");
  const dateField = fields.find((f) => f.name === "date");
  return { name, description, fields, fieldsByName: new Map(fields.map((f) => [f.name, f])), date, hasDateField: dateField !== undefined, dateField, read };
}

/**
 * A record as one policy's input has it: the shared record's fields and those the extensions the
 * policy sees add (`extend record`), each at its own place, after the record's own.
 */
export function extendRecord(base: RecordType, added: readonly FieldDescriptor[], read?: RecordType["read"]): RecordType {
  const fields = [...base.fields, ...added];
  fields.forEach((f, i) => {
    if (i > 0 && f.index <= fields[i - 1].index) throw new Error(`record ${base.name}: field ${f.name} is numbered ${f.index}, after ${fields[i - 1].index}; rebuild the module`);
  });
  return { ...base, fields, fieldsByName: new Map(fields.map((f) => [f.name, f])), read };
}

/** A fact read with another type of the same kind: a list of a shared record as one policy's input extends it. Same slot, so every module reads the one value. */
export function factAs(f: FactDescriptor, type: ValueType): FactDescriptor {
  return { ...f, type };
}

export function fact(path: string, type: ValueType, description: string, reading: FactReading = {}): FactDescriptor {
  return { slot: allocateSlot(), path, parts: path.split("."), type, description, absentUnlessDocumented: reading.absentUnlessDocumented === true };
}
