/**
 * A policy as its generated module declares it: its metadata, the facts it reads, its sections in
 * the guideline's order and its state overlays, each pointing at the requirements it holds. `policy`
 * works out once what every determination needs to know of that structure.
 */
import type { SectionKind } from "./vocabulary.js";
import type { Context, EvaluatedPolicy } from "./context.js";
import type { CriterionRef } from "./determination.js";
import type { FactDescriptor, RecordType } from "./schema.js";
import type { Requirement } from "./requirements.js";
import type { Tri } from "./tri.js";
import type { FastReader, RequestObject } from "./validate.js";
import { triggeringSections } from "./vocabulary.js";
import { ValueLayout } from "./slots.js";

export interface Section {
  readonly kind: SectionKind;
  readonly title: string;
  readonly when?: (c: Context) => Tri;
  readonly items: readonly Requirement[];
}

export interface AppliesClause {
  readonly mode: "unless" | "when";
  readonly wording: string;
  readonly test: (c: Context) => Tri;
}

/** A service line the request may ask for besides the main one (anesthesia with an injection), decided by its own sections. */
export interface Service {
  readonly id: string;
  readonly wording: string;
  readonly refs: string;
  /** Whether the request asks for it; without it, always. */
  readonly when?: (c: Context) => Tri;
  readonly sections: readonly Section[];
}

export interface Overlay {
  readonly id: string;
  readonly title: string;
  /** The state whose members it applies to, as a two-letter code. */
  readonly state: string;
  readonly applies: readonly AppliesClause[];
  readonly sections: readonly Section[];
  readonly services?: readonly Service[];
}

/** What the guideline says about itself. */
export interface PolicyMetadata {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly guideline?: string;
  readonly original_date?: string;
  readonly last_revised?: string;
  readonly implementation_date?: string;
  readonly effective: { readonly from: string; readonly to: string } | null;
  readonly cpt: readonly { readonly region: string; readonly codes: readonly string[] }[];
  readonly overlays: readonly { readonly id: string; readonly title: string; readonly state: string }[];
  /** The `.pol` file that declares the policy. */
  readonly source: string;
  /** SHA-256 over the policy's sources (its file, its overlays', everything they import), worked out at build time. */
  readonly digest?: string;
  /** The version of the compiler that built the module. */
  readonly compiler?: string;
}

export interface PolicySpec {
  readonly metadata: PolicyMetadata;
  /** Every fact the policy (with its overlays) reads, in the order the input type lists them. */
  readonly facts: readonly FactDescriptor[];
  readonly sections: readonly Section[];
  readonly services?: readonly Service[];
  readonly overlays: readonly Overlay[];
  /** The generated fast reading of a request, fact by fact (see FastReader); false when it does not take it. */
  readonly read?: (r: FastReader, input: RequestObject) => boolean;
  /**
   * The policies its criteria read through `meets` (transitively), by the name written after it:
   * one policy, or a guideline's versions (earliest first).
   */
  readonly consults?: ReadonlyMap<string, readonly Policy[]>;
}

/** A requirement as it stands in one policy: its reference for letters, and its bullets where they explain it. */
export interface PlacedRequirement {
  readonly requirement: Requirement;
  readonly ref: CriterionRef;
  /** A list whose unmet bullets are listed in its place (ALL of, ONE of); otherwise undefined. */
  readonly unmetBullets: readonly PlacedRequirement[] | undefined;
}

export interface PlacedService {
  readonly service: Service;
  /** The overlay it comes with, by its place in `overlays`; undefined for the policy's own. */
  readonly overlay: number | undefined;
  readonly sections: readonly PlacedSection[];
}

export interface PlacedSection {
  readonly section: Section;
  /** Exclusions, contraindications and non-covered services apply rather than hold. */
  readonly triggers: boolean;
  readonly items: readonly PlacedRequirement[];
  readonly pathways: readonly PlacedRequirement[];
  readonly others: readonly PlacedRequirement[];
}

/** A policy as generated modules declare it, linked once (see `policy`). */
export interface Policy extends PolicySpec, EvaluatedPolicy {
  /** Every record a list fact of the policy holds, nested lists included. */
  readonly records: readonly RecordType[];
  /** Every requirement the policy's sections reach, in the order they are first reached. */
  readonly requirements: readonly PlacedRequirement[];
  readonly placedSections: readonly PlacedSection[];
  readonly placedOverlaySections: readonly (readonly PlacedSection[])[];
  /** The service lines, the policy's own then each overlay's, with their sections placed. */
  readonly placedServices: readonly PlacedService[];
  /** What a reviewer looks for in the chart, for a fact's path. */
  readonly factsByPath: ReadonlyMap<string, FactDescriptor>;
}

export function section(kind: SectionKind, title: string, items: readonly Requirement[], when?: (c: Context) => Tri): Section {
  return when ? { kind, title, items, when } : { kind, title, items };
}

export function overlay(spec: Overlay): Overlay {
  return spec;
}

export function service(spec: Service): Service {
  return spec;
}

/** Links a policy's structure once: the section each requirement stands in, and the references letters quote. */
export function policy(spec: PolicySpec): Policy {
  const sectionOf = new Map<Requirement, string>();
  const placed = new Map<Requirement, PlacedRequirement>();
  const order: PlacedRequirement[] = [];
  const label = (items: readonly Requirement[], title: string): void => {
    for (const r of items) {
      if (sectionOf.has(r)) continue;
      sectionOf.set(r, title);
      label(r.list?.items ?? [], title);
    }
  };
  for (const s of spec.sections) label(s.items, s.title);
  for (const o of spec.overlays) for (const s of o.sections) label(s.items, s.title);
  for (const v of [...(spec.services ?? []), ...spec.overlays.flatMap((o) => o.services ?? [])]) for (const s of v.sections) label(s.items, s.title);
  // A consulted policy's criteria stand in its sections, named with its id, in this one's trace.
  for (const versions of spec.consults?.values() ?? []) {
    for (const v of versions) for (const placed of v.requirements) if (!sectionOf.has(placed.requirement)) sectionOf.set(placed.requirement, `${v.metadata.id}: ${v.sectionOf(placed.requirement)}`);
  }

  const place = (r: Requirement): PlacedRequirement => {
    const known = placed.get(r);
    if (known) return known;
    const ref: CriterionRef = Object.freeze({ id: r.id, wording: r.wording, refs: r.refs, section: sectionOf.get(r) ?? "" });
    // Bullet lists of the kind `all` or `any` are explained by their bullets; the others by themselves.
    const explained = r.list && (r.list.quantifier === "all" || r.list.quantifier === "any");
    const entry: PlacedRequirement = { requirement: r, ref, unmetBullets: explained ? [] : undefined };
    placed.set(r, entry);
    order.push(entry);
    if (explained) (entry.unmetBullets as PlacedRequirement[]).push(...r.list!.items.map(place));
    else for (const item of r.list?.items ?? []) place(item);
    return entry;
  };
  const placeSection = (s: Section): PlacedSection => {
    const items = s.items.map(place);
    return {
      section: s,
      triggers: triggeringSections.has(s.kind),
      items,
      pathways: items.filter((p) => p.requirement.role === "pathway"),
      others: items.filter((p) => p.requirement.role !== "pathway"),
    };
  };
  const placedSections = spec.sections.map(placeSection);
  const placedOverlaySections = spec.overlays.map((o) => o.sections.map(placeSection));
  const placedServices: PlacedService[] = [
    ...(spec.services ?? []).map((v) => ({ service: v, overlay: undefined, sections: v.sections.map(placeSection) })),
    ...spec.overlays.flatMap((o, index) => (o.services ?? []).map((v) => ({ service: v, overlay: index, sections: v.sections.map(placeSection) }))),
  ];

  const records: RecordType[] = [];
  const addRecords = (type: FactDescriptor["type"]) => {
    if (type.t !== "list") return;
    const record = type.of();
    if (records.includes(record)) return;
    records.push(record);
    for (const f of record.fields) addRecords(f.type);
  };
  for (const f of spec.facts) addRecords(f.type);

  return {
    metadata: spec.metadata,
    read: spec.read,
    facts: spec.facts,
    sections: spec.sections,
    services: spec.services,
    overlays: spec.overlays,
    consults: spec.consults,
    records,
    requirements: order,
    placedSections,
    placedOverlaySections,
    placedServices,
    factsByPath: new Map(spec.facts.map((f) => [f.path, f])),
    values: new ValueLayout(),
    sectionOf: (r) => sectionOf.get(r) ?? "",
  };
}
