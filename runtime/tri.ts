/**
 * Three-valued logic. `Unknown` remembers which undocumented facts it came from, so that a
 * needs-info determination can list exactly the facts that would decide it.
 */

/**
 * An unknown truth or value. Unknowns are combined far more often than their facts are listed,
 * so a combination only keeps its parts; the set of facts is worked out when first asked for.
 */
export class Unknown {
  private facts: ReadonlySet<string> | undefined;
  private readonly parts: readonly Unknown[] | undefined;

  private readonly fact: string | undefined;
  /** A clause referred to a clinician: an unknown that no fact of the chart settles. */
  private readonly referral: Referral | undefined;
  /**
   * Whether it stands for which entry a question over a list picks (the latest that matches, when
   * undocumented fields decide whether an entry matches), rather than for an undocumented value.
   */
  private selection = false;
  /** For a selection: whether some entry is surely picked (only which one is open). */
  private picksAnEntry = false;
  /** The walk of `collect` that last passed here: how a walk visits a shared unknown once. */
  private walk = 0;
  private static walks = 0;

  /** From the facts it came from, from one fact's path, or from the unknowns it combines. */
  constructor(missing: ReadonlySet<string> | string | readonly Unknown[] | Referral) {
    if (typeof missing === "string") this.fact = missing;
    else if (missing instanceof Set) this.facts = missing;
    else if (missing instanceof Referral) this.referral = missing;
    else this.parts = missing as readonly Unknown[];
  }

  /**
   * Which entry a question picks is open, on these unknowns (see `isKnown`); `picksAnEntry` when
   * one surely matches and only which is open.
   */
  static selecting(parts: readonly Unknown[], picksAnEntry: boolean): Unknown {
    const u = new Unknown(parts.slice());
    u.selection = true;
    u.picksAnEntry = picksAnEntry;
    return u;
  }

  /** Whether it is open only on which of several entries a question picks, one being surely picked. */
  get surelyPicksAnEntry(): boolean {
    return this.selection && this.picksAnEntry;
  }

  /** Whether it is open only on which entry a question picks, not on an undocumented value itself. */
  get isSelection(): boolean {
    if (this.selection) return true;
    if (!this.parts) return false;
    for (const part of this.parts) if (!part.isSelection) return false;
    return (this.selection = true);
  }

  /** The clauses referred for review that this unknown came from, each once, in the order met. */
  get referrals(): readonly Referral[] {
    const found = new Set<Referral>();
    const pending: Unknown[] = [this];
    const seen = new Set<Unknown>();
    while (pending.length > 0) {
      const u = pending.pop()!;
      if (seen.has(u)) continue;
      seen.add(u);
      if (u.referral) found.add(u.referral);
      else if (u.parts) for (let i = u.parts.length - 1; i >= 0; i--) pending.push(u.parts[i]);
    }
    return [...found];
  }

  /** The undocumented facts this unknown came from. */
  get missing(): ReadonlySet<string> {
    if (this.facts) return this.facts;
    if (this.fact !== undefined) return (this.facts = new Set([this.fact]));
    return (this.facts = missingOf([this]));
  }

  /** Adds the facts of these unknowns to `facts`, each unknown once however often it is shared. */
  static collect(roots: readonly Unknown[], facts: Set<string>): void {
    const walk = ++Unknown.walks;
    const pending: Unknown[] = [...roots];
    while (pending.length > 0) {
      const u = pending.pop()!;
      if (u.walk === walk) continue;
      u.walk = walk;
      if (u.fact !== undefined) facts.add(u.fact);
      else if (u.facts) for (const fact of u.facts) facts.add(fact);
      else if (u.parts) for (const part of u.parts) pending.push(part);
    }
  }
}

/** A clause of the guideline that leaves the decision to a clinician ("may be considered on an individual basis"). */
export class Referral {
  constructor(
    readonly clause: string,
    readonly refs: string,
  ) {}
}

/** A clause referred for review, as the unknown it stands for. */
export function referral(clause: string, refs: string): Unknown {
  return new Unknown(new Referral(clause, refs));
}

/** The undocumented facts of several unknowns together, in one walk over what they share. */
export function missingOf(unknowns: readonly Unknown[]): Set<string> {
  const facts = new Set<string>();
  Unknown.collect(unknowns, facts);
  return facts;
}

export type Tri = boolean | Unknown;

/** Two unknowns together (the common case, without copying a list). */
export function bothUnknown(a: Unknown, b: Unknown): Unknown {
  return a === b ? a : new Unknown([a, b]);
}

export function unknownOf(parts: readonly Unknown[]): Unknown {
  if (parts.length === 1) return parts[0];
  if (parts.length === 2 && parts[0] === parts[1]) return parts[0];
  return new Unknown(parts.slice());
}

/**
 * `a and b and …`: false wins over unknown, unknown wins over true. Up to six operands a call
 * (a longer chain nests), because a fixed list of parameters costs nothing where a rest array does.
 */
export function and(a: Tri, b: Tri, c?: Tri, d?: Tri, e?: Tri, f?: Tri): Tri {
  let all = and2(a, b);
  if (c !== undefined) all = and2(all, c);
  if (d !== undefined) all = and2(all, d);
  if (e !== undefined) all = and2(all, e);
  if (f !== undefined) all = and2(all, f);
  return all;
}

/** `a or b or …`: true wins over unknown, unknown wins over false. */
export function or(a: Tri, b: Tri, c?: Tri, d?: Tri, e?: Tri, f?: Tri): Tri {
  let any = or2(a, b);
  if (c !== undefined) any = or2(any, c);
  if (d !== undefined) any = or2(any, d);
  if (e !== undefined) any = or2(any, e);
  if (f !== undefined) any = or2(any, f);
  return any;
}

/** `and` of two. */
export function and2(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return bothUnknown(a, b);
}

/** `or` of two. */
export function or2(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return bothUnknown(a, b);
}

export function not(value: Tri): Tri {
  return value instanceof Unknown ? value : !value;
}

export function truthText(value: Tri): "true" | "false" | "unknown" {
  return value instanceof Unknown ? "unknown" : value ? "true" : "false";
}
