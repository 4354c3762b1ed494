/**
 * One evaluation of a request: the input, every fact, requirement and definition worked out so
 * far, and, when a trace is asked for, what each criterion read. Generated code asks the context
 * for facts (`c.fact`), fields (`k.field`), requirements (`c.met`) and remembered definitions;
 * the same code runs with the trace on or off, so a trace can never disagree with the decision it
 * explains.
 */
import type { FactDescriptor, FieldDescriptor } from "./schema.js";
import type { FactValue, JsonValue, TraceEntry } from "./determination.js";
import type { Requirement } from "./requirements.js";
import { Unknown, and2, or2, type Tri } from "./tri.js";
import { applied, held, listStatus, NOT_APPLICABLE, statusOf, statusText, type Status } from "./status.js";
import type { InputRead } from "./validate.js";
import { absentValue, fieldValue, isList, isRange, isRecord, missingFact, NONE, recordDay, recordPath, undocumented, type RecordValue, type Value } from "./values.js";
import { formatDay, formatDayRange } from "./dates.js";
import { levelsText } from "./levels.js";
import type { ValueLayout } from "./slots.js";
import type { DefinitionSite } from "./definitions.js";
import type { AppliesClause } from "./policy.js";

/** The field at a place of an entry: where it stands among the fields, unless extensions a policy does not see leave gaps. */
function fieldAt(fields: readonly FieldDescriptor[], index: number): FieldDescriptor {
  return fields[index]?.index === index ? fields[index] : fields.find((f) => f.index === index)!;
}

/**
 * What a coverage run learns from an evaluation besides its trace: the value of each definition
 * the evaluation worked out (once per evaluation, or once per argument) and what each overlay's
 * applies clause gave. Told only when one is given; the decision is the same either way.
 */
export interface EvaluationObserver {
  definition(site: DefinitionSite, value: Value): void;
  clause(clause: AppliesClause, holds: Tri): void;
}

/** What an evaluation needs of its policy: where its values go, and (for a trace) the section each requirement stands in. */
export interface EvaluatedPolicy {
  readonly values: ValueLayout;
  sectionOf(requirement: Requirement): string;
}

export class Context {
  /** The date of service as a day number (validation makes sure it is one). */
  readonly dos: number | Unknown;
  /** Whether this evaluation records a trace; generated code never branches on it itself. */
  readonly tracing: boolean;
  /**
   * What has been worked out, by slot: facts, requirements (their status), definitions.
   */
  private readonly known: (Value | undefined)[];
  /** Definitions with arguments: one memo per slot, keyed by argument (see `rememberWith`). */
  private memos: Map<number, Map<Value, unknown>> | undefined;

  // ── The trace ──────────────────────────────────────────────────────────────────────────────
  readonly trace: TraceEntry[];
  /**
   * Every fact and field read while a requirement or definition is being evaluated, in the order
   * read. A requirement's reads are the range of the log written while it was evaluated, nested
   * ones included, so a read is written once however deep it happens. A read already written
   * since the innermost evaluation began is not written again: every range that holds the new
   * read holds the earlier one, so each range lists each read once, in the order first read.
   * A definition's reads, once it is worked out, become one group in the log (see `Reads`):
   * wherever its value is used again the group is written, not each read again, so the cost of
   * a use does not grow with what the definition read (a definition of each history entry that
   * uses one of the whole history would otherwise copy the whole history's reads per entry).
   */
  private readonly log: Logged[];
  /** Counts writes to the log, never going back (the log is emptied and groups replace ranges of it). */
  private clock = 0;
  /** The clock when the innermost open evaluation began: what was written since is in its range. */
  private frameStart = 0;
  /** Each fact's path, as the log writes it, by slot. */
  private readonly factReads: (Read | undefined)[];
  /** How many requirements and definitions are being evaluated: reads are logged only inside one. */
  private open = 0;
  private readonly traced: Set<number>;
  /** The reads of each remembered definition, written wherever its value is reused. */
  private readonly definitionReads: Map<number, Reads>;

  /**
   * The facts declared absent unless documented that the request leaves out and this evaluation
   * read, in the order first read: each was taken as absent (see `fact`).
   */
  readonly assumed: FactDescriptor[] = [];

  /**
   * What the determination this evaluation serves keeps of it: the policy asked about and the
   * policies read through `meets` (runtime/determine.ts); set by the first policy evaluated in it.
   */
  evaluation: object | undefined = undefined;

  constructor(
    input: InputRead,
    tracing: boolean,
    private readonly layout: EvaluatedPolicy,
    private readonly observer?: EvaluationObserver,
    /** Whether a fact declared absent unless documented reads as absent when left out (else it is unknown, like any other). */
    private readonly assuming: boolean = true,
  ) {
    this.tracing = tracing;
    // What only a trace needs is made only for one; without it these stay empty and untouched.
    this.trace = tracing ? [] : untraced.trace;
    this.log = tracing ? [] : untraced.log;
    this.factReads = tracing ? [] : untraced.factReads;
    this.traced = tracing ? new Set() : untraced.traced;
    this.definitionReads = tracing ? new Map() : untraced.definitionReads;
    this.dos = input.dos ?? missingFact("date_of_service");
    // The facts validation read, which this evaluation goes on filling (see InputRead).
    this.known = input.facts;
  }

  /**
   * A fresh evaluation of the same request in which nothing is taken as absent: what it leaves
   * open that this one decided is what the assumptions decided. No trace, no observer.
   */
  withoutAssumptions(facts: readonly FactDescriptor[]): Context {
    const known: (Value | undefined)[] = new Array(this.known.length);
    for (const f of facts) if (!this.assumed.includes(f)) known[f.slot] = this.known[f.slot];
    return new Context({ problems: [], dos: typeof this.dos === "number" ? this.dos : undefined, facts: known }, false, this.layout, undefined, false);
  }

  // ── Facts and fields ───────────────────────────────────────────────────────────────────────

  /** Each fact's value as read so far, by slot: what the request documents, for a determination to describe. */
  get facts(): readonly (Value | undefined)[] {
    return this.known;
  }

  /** An input fact as validation read it, or its unknown when the request leaves it out. */
  fact(f: FactDescriptor): Value {
    const value = this.known[f.slot] ?? (this.known[f.slot] = f.absentUnlessDocumented && this.assuming ? this.assume(f) : undocumented(f.path, f.type));
    if (this.tracing && this.open > 0) this.write((this.factReads[f.slot] ??= this.readOf(f, value)));
    return value;
  }

  /** A fact charted only when present that the request leaves out: absent, and remembered as assumed. */
  private assume(f: FactDescriptor): Value {
    this.assumed.push(f);
    return absentValue(f.type);
  }

  private readOf(f: FactDescriptor, value: Value): Read {
    const read = new Read(f.path, jsonOf(f.type.t, value));
    if (this.assumed.includes(f)) read.assumed = true;
    return read;
  }

  /** A field of an entry; of an unknown entry, unknown; of one that does not exist, nothing. */
  field(object: Value, f: FieldDescriptor): Value {
    if (object instanceof Unknown) return object;
    if (!isRecord(object)) return NONE;
    if (this.tracing && this.open > 0) this.logField(object, f.index, f.name);
    return fieldValue(object, f);
  }

  /** A field of an entry of a list (a query's entry, which is always one). */
  entryField(record: RecordValue, f: FieldDescriptor): Value {
    if (this.tracing && this.open > 0) this.logField(record, f.index, f.name);
    return fieldValue(record, f);
  }

  /** An entry's date, for the history questions that place entries in time. */
  date(record: RecordValue): Value {
    if (this.tracing && this.open > 0) this.logField(record, record.type.date?.index ?? -1, "date");
    return recordDay(record);
  }

  /** Logs a field's raw value under its path, made once per entry and field. */
  private logField(record: RecordValue, index: number, name: string): void {
    if (index < 0) {
      this.write(new Read(`${recordPath(record)}.${name}`, null));
      return;
    }
    const reads = (record.reads ??= []);
    const value = record.row[index];
    this.write((reads[index] ??= new Read(`${recordPath(record)}.${name}`, value === undefined ? null : jsonOf(fieldAt(record.type.fields, index).type.t, value))));
  }

  /**
   * The reads of the log from `start`, each once, where first read, groups opened in place. A
   * read the innermost evaluation repeats is written again for it, so an enclosing range can hold
   * it twice; a group met again is skipped whole, since all its reads are already listed.
   */
  private distinctReads(start: number): Read[] {
    const stamp = ++this.stamps;
    const reads: Read[] = [];
    const open = (items: readonly Logged[], from: number) => {
      for (let i = from; i < items.length; i++) {
        const item = items[i];
        if (!item.stampOnce(stamp)) continue;
        if (item instanceof Read) reads.push(item);
        else open((item as Reads).items, 0);
      }
    };
    open(this.log, start);
    return reads;
  }
  private stamps = 0;

  private write(read: Logged): void {
    if (read.writtenSince(this.frameStart)) return;
    read.writtenAt(this.clock++);
    this.log.push(read);
  }

  /** Opens an evaluation whose reads the trace keeps; returns where they start in the log. */
  private begin(): { start: number; outer: number } {
    const outer = this.frameStart;
    this.frameStart = this.clock;
    this.open++;
    return { start: this.log.length, outer };
  }

  private end(frame: { outer: number }): void {
    this.open--;
    this.frameStart = frame.outer;
  }

  /** Empties the log once nothing is open, so that it does not grow with the whole evaluation. */
  private settle(): void {
    if (this.open === 0 && this.log.length > 0) this.log.length = 0;
  }

  // ── Requirements ───────────────────────────────────────────────────────────────────────────

  /**
   * What a requirement comes to: met, not met, not applicable (its `when` does not hold), or
   * still open. Worked out once per evaluation.
   */
  status(r: Requirement): Status {
    const known = this.known[r.slot];
    if (known !== undefined) return known as unknown as Status;
    const value = this.evaluateRequirement(r);
    this.known[r.slot] = value as unknown as Value;
    return value;
  }

  /** What a requirement came to, if this evaluation has worked it out; never works it out. */
  peek(r: Requirement): Status | undefined {
    return this.known[r.slot] as unknown as Status | undefined;
  }

  /** Whether a requirement holds: met, or not applicable (then it requires nothing). */
  met(r: Requirement): Tri {
    return held(this.status(r));
  }

  /** Whether a requirement applies and is met (an exclusion, a contraindication, a pathway). */
  appliesTo(r: Requirement): Tri {
    return applied(this.status(r));
  }

  private evaluateRequirement(r: Requirement): Status {
    const traced = this.tracing && !this.traced.has(r.slot);
    const place = this.trace.length;
    if (traced) {
      this.traced.add(r.slot);
      this.trace.push(undefined as unknown as TraceEntry);
    }
    const frame = this.tracing ? this.begin() : undefined;
    const applicable: Tri = r.when ? r.when(this) : true;
    const result = applicable === false ? NOT_APPLICABLE : statusOf(applicable, r.test ? r.test(this) : this.list(r));
    if (frame) this.end(frame);
    if (traced) {
      this.trace[place] = {
        id: r.id,
        wording: r.wording,
        refs: r.refs,
        section: this.layout.sectionOf(r),
        result: statusText(result),
        readings: r.readings,
        values: this.distinctReads(frame!.start),
      };
    }
    if (this.tracing) this.settle();
    return result;
  }

  /** A bullet list. Every bullet is evaluated, so that the trace and the unmet criteria show the whole list. */
  private list(r: Requirement): Status {
    const list = r.list!;
    const statuses: Status[] = new Array(list.items.length);
    for (let i = 0; i < list.items.length; i++) statuses[i] = this.status(list.items[i]);
    return listStatus(list.quantifier, list.n, statuses);
  }

  // ── Lazy and / or ──────────────────────────────────────────────────────────────────────────

  /**
   * `a and b` where `b` is costly (a query, a definition, another criterion): it comes as a
   * function, called only when `a` leaves the answer open. The same with the trace on, which then
   * lists only the facts `a` read: those are what decided.
   */
  and(a: Tri, b: () => Tri): Tri {
    return a === false ? false : and2(a, b());
  }

  /** `a or b`, with a costly `b` called only when `a` leaves the answer open (trace on or off). */
  or(a: Tri, b: () => Tri): Tri {
    return a === true ? true : or2(a, b());
  }

  // ── Overlays ───────────────────────────────────────────────────────────────────────────────

  /** Whether an overlay's applies clause holds (told to the observer, if any). */
  clause(clause: AppliesClause): Tri {
    const holds = clause.test(this);
    if (this.observer) this.observer.clause(clause, holds);
    return holds;
  }

  /**
   * The value of a definition worked out inline at each use (one whose parameters are not
   * lists), told to the observer if any; the value itself is returned as it is.
   */
  observed(value: Value, name: string, source: string, line: number): Value {
    if (this.observer) this.observer.definition({ name, source, line }, value);
    return value;
  }

  // ── Definitions ────────────────────────────────────────────────────────────────────────────

  /**
   * A definition without arguments, worked out once per evaluation. Definitions are pure; with
   * the trace on, the facts one read are replayed into every criterion that reuses its value.
   */
  remember(slot: number, body: (c: Context) => Value, site?: DefinitionSite): Value {
    const known = this.known[slot];
    if (known !== undefined) {
      if (this.tracing) this.replay(this.definitionReads.get(slot));
      return known;
    }
    const value = this.tracing ? this.traced1(slot, () => body(this)) : body(this);
    this.known[slot] = value;
    if (this.observer && site) this.observer.definition(site, value);
    return value;
  }

  /** A definition with arguments, worked out once per evaluation and argument values. */
  rememberWith(slot: number, args: readonly Value[], body: () => Value, site?: DefinitionSite): Value {
    let memo: Map<Value, unknown> | undefined = (this.memos ??= new Map()).get(slot);
    if (!memo) this.memos.set(slot, (memo = new Map()));
    // One level of maps per argument; the last holds the value and its reads.
    for (let i = 0; i < args.length - 1; i++) {
      let next = memo.get(args[i]) as Map<Value, unknown> | undefined;
      if (!next) memo.set(args[i], (next = new Map()));
      memo = next;
    }
    const last = args[args.length - 1];
    const known = memo.get(last) as Remembered | undefined;
    if (known) {
      if (this.tracing) this.replay(known.reads);
      return known.value;
    }
    let reads: Reads | undefined;
    const value = this.tracing
      ? this.tracedReads(body, (r) => {
          reads = r;
        })
      : body();
    memo.set(last, { value, reads });
    if (this.observer && site) this.observer.definition(site, value);
    return value;
  }

  /** What dated questions worked out once in this evaluation, by place (see `rememberFor`). */
  private questions: Map<number, { readonly source: Value; readonly value: unknown; readonly reads: Reads | undefined }> | undefined;

  /**
   * What a question asked at one place works out once per evaluation for a list, whichever entry
   * of an outer question asks it (the entries its filter leaves in, with their dates): kept while
   * it is asked of the same list. With the trace on, what it read is one group written wherever
   * it is used again, as for a remembered definition.
   */
  rememberFor<T>(slot: number, source: Value, work: () => T): T {
    const questions = (this.questions ??= new Map());
    const known = questions.get(slot);
    if (known && known.source === source) {
      if (this.tracing) this.replay(known.reads);
      return known.value as T;
    }
    let reads: Reads | undefined;
    const value = this.tracing
      ? this.tracedReads(work, (r) => {
          reads = r;
        })
      : work();
    questions.set(slot, { source, value, reads });
    return value;
  }

  private traced1(slot: number, body: () => Value): Value {
    return this.tracedReads(body, (reads) => this.definitionReads.set(slot, reads));
  }

  /**
   * Evaluates a definition's body with the trace on, keeping what it read as one group, which
   * takes the place of those reads in the log of the evaluations around it.
   */
  private tracedReads<T>(body: () => T, keep: (reads: Reads) => void): T {
    const frame = this.begin();
    const value = body();
    this.end(frame);
    const group = new Reads(this.log.splice(frame.start));
    keep(group);
    if (this.open > 0) this.write(group);
    return value;
  }

  private replay(reads: Reads | undefined): void {
    if (this.open === 0 || !reads) return;
    this.write(reads);
  }
}

/** The trace state of every evaluation without a trace: always empty. */
const untraced = { trace: [] as TraceEntry[], log: [] as Logged[], factReads: [] as (Read | undefined)[], traced: new Set<number>(), definitionReads: new Map<number, Reads>() };

interface Remembered {
  readonly value: Value;
  readonly reads: Reads | undefined;
}

/** What the log holds, which keeps out of sight when the log last wrote it and when a listing last met it. */
abstract class Logged {
  #written = -1;
  #stamp = 0;

  writtenSince(start: number): boolean {
    return this.#written >= start;
  }

  writtenAt(position: number): void {
    this.#written = position;
  }

  /** True the first time it is asked with this stamp: how a range of the log lists each read once. */
  stampOnce(stamp: number): boolean {
    if (this.#stamp === stamp) return false;
    this.#stamp = stamp;
    return true;
  }
}

/** A fact or field as the trace shows it (see FactValue), made once per evaluation. */
export class Read extends Logged implements FactValue {
  /** Set when the request leaves the fact out and it was taken as absent (see Context.fact). */
  declare assumed?: true;

  constructor(
    readonly fact: string,
    readonly value: JsonValue,
  ) {
    super();
  }
}

/** What one definition (for one argument) read: its reads and the groups of the definitions it used, in order. */
class Reads extends Logged {
  constructor(readonly items: readonly Logged[]) {
    super();
  }
}

/** A value read from the request as the request wrote it (a date as YYYY-MM-DD), a list as how many entries; an unknown as null. */
function jsonOf(type: string, value: Value): JsonValue {
  // A partial date (documented, known to lie in a range) as the chart gave it: 2023-06, 2018.
  if (type === "date" && isRange(value) && !value.undocumented) return formatDayRange(value.lo, value.hi);
  if (value instanceof Unknown || isRange(value)) return null;
  if (type === "list") return isList(value) ? entriesText(value.items.length) : null;
  if (type === "date") return typeof value === "number" ? formatDay(value) : null;
  if (type === "levels") return typeof value === "number" ? levelsText(value) : null;
  return value as JsonValue;
}

/** How a list fact shows in the trace: "1 entry", "3 entries". */
function entriesText(count: number): string {
  return count === 1 ? "1 entry" : `${count} entries`;
}
