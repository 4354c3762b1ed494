/**
 * The catalogue of diagnostics: one code for each distinct message, its severity and what it
 * means. docs/diagnostics.md is written from it (compiler/tools/diagnostics-doc.ts), SARIF lists
 * its codes as rules, and a code once given keeps its meaning.
 */

export interface CatalogueEntry {
  /** A short name, as the SARIF rule and `polc check --json` give it. */
  readonly name: string;
  readonly severity: "error" | "warning";
  /** What the message means and what to do about it, in a sentence or two. */
  readonly explanation: string;
}

const e = (name: string, explanation: string): CatalogueEntry => ({ name, severity: "error", explanation });
const w = (name: string, explanation: string): CatalogueEntry => ({ name, severity: "warning", explanation });

export const catalogue = {
  POL001: e("unexpected character", "A character the language does not use (a run of them is one error: \"unexpected characters\"), or a text not closed on its line."),
  POL002: e("syntax error", "The words are not in an order the language allows; the message says what was expected there and what was found. What the parser then read out of place in that block is not reported again."),
  POL003: e("cannot read file", "A file given to polc cannot be read."),
  POL004: e("import cycle", "Files import each other in a loop."),
  POL005: e("unknown import", "An imported file does not exist, or is not a `.pol` file."),
  POL006: e("unknown word", "A word first on its line that is close to a word starting a declaration, section or bullet (`critrion`): the message says which was meant."),
  POL007: e("unknown section kind", "A section whose kind is misspelt (`exclusoins \"E\" {`): the message says which kind was meant."),
  POL008: e("unknown unit", "A misspelt unit after a number (`3 monts`): the message says which unit was meant."),
  POL009: e("word of the language as a name", "A word of the language where a name goes (`fact in: boolean`, `enum choice { none, some }`); the rest of that declaration is not checked until it is renamed."),
  POL010: e("duplicate name", "A name, policy, property or `case` arm is declared twice, or two policies would be written to the same module."),
  POL011: e("unknown name", "A name that is not declared here or in an imported file."),
  POL012: e("unknown type", "A type that is not built in, not an enum and not a record."),
  POL013: e("unknown field", "A group has no such fact, or a record no such field."),
  POL014: e("unknown enum value", "A value that is not one of the enum's values."),
  POL015: e("reserved name", "A declaration uses a built-in name such as `date_of_service` or `duration`."),
  POL016: e("unknown policy", "An overlay targets a policy the build does not know (import its file)."),
  POL017: e("unknown property", "A policy property other than guideline, version, original_date, last_revised, implementation_date."),
  POL018: e("empty range", "A range whose end is below its start (`number 10 to 1`)."),
  POL019: e("invalid reference", "A `[N]` not in the references list, or a range that runs backwards (`[5-2]`)."),
  POL020: e("not a yes/no condition", "A value that is not yes or no (a number, a date, a duration…) where a condition is needed: a criterion's rule, a `when`, an operand of `and`, `or`, `not`."),
  POL021: e("value out of range", "A number outside the range its fact declares (`pain >= 11` where pain is `number 0 to 10`)."),
  POL022: e("wrong number of arguments", "A definition, `later_of`, `earlier_of`, `recent_run` or a built-in question called with the wrong number of values."),
  POL023: e("invalid date", "A date that is not on the calendar (`2024-02-30`), in a condition or in `effective`."),
  POL024: e("recursive definition", "A definition or criterion that depends on itself."),
  POL025: e("not a list", "A question (`count`, `exists`, …) or `recent_run` over something that is not a list."),
  POL026: e("missing date field", "`latest`, `earliest`, `recent_run` or `in any N months` over records without a `date: date` field."),
  POL027: e("count of bullets out of reach", "`at least N of` / `at most N of` with N outside 1 to the number of bullets."),
  POL028: e("pathway outside indications", "A pathway that does not stand directly in an indications section."),
  POL029: e("missing property", "A policy without `version`."),
  POL030: e("too many errors", "More than 100 errors; fix these and check again."),
  POL031: e("unknown state", "An overlay's state is not a US state, DC or territory code in capitals."),
  POL032: e("nested too deeply", "Brackets, or chains of `not`, `time since` / `time between` and fields (`a.b.c`), nested more than 128 levels deep (each link counts a level); a sum of more than 64 terms."),
  POL033: e("not a criterion", "`use NAME` of a fact, definition or anything else that is not a criterion: only criteria (and checked notes) can stand as bullets."),
  POL034: e("cannot compare", "A comparison of two kinds of value that cannot be compared (a duration with a number: give the number a unit; two different enums; `<` on yes/no values or choices)."),
  POL035: e("percentage compared with a number", "A percentage compared with a plain number (`relief >= 50`): write the number as a percentage, `50%`."),
  POL036: e("cannot add or subtract", "`+` or `-` between values that do not add up (a duration added to a pain score); a date takes a duration added or subtracted."),
  POL037: e("cannot multiply or divide", "`*` or `/` between values that do not multiply (a percentage, two durations)."),
  POL038: e("branches give different kinds", "The arms of a `case` (or the branches of an `if`) give different kinds of value; every one must give the same kind."),
  POL039: e("case over a value that is not a choice", "`case X { … }` where X is not a value of an enum."),
  POL040: e("invalid spinal level", "A quoted level that is not a spinal level (`\"L3-5\"`, `\"L9-10\"`)."),
  POL041: e("incomplete case", "A `case` without an arm for every value of its enum, and without `else`."),
  POL042: e("'in' over a value that is not a choice", "`X in {a, b}` where X is not a value of an enum."),
  POL043: e("wrong kind of value", "An operator, question or definition given a value of the wrong kind: `time since` of a number, `within last` without a duration, a definition's parameter given the wrong type, a spinal-level question given a percentage."),
  POL044: e("imported file as a value", "The name an imported file is imported under, used alone: name one of its declarations, `nia.NAME`."),
  POL045: e("type as a value", "The name of an enum or record where a condition or value is needed."),
  POL046: e("no absent value", "`absent unless documented` on a fact that is not a `boolean` or a `list of`."),
  POL047: e("assumed absent where required", "A fact read as absent unless documented is read by an indication, a requirement, a checked note, such a section's `when` or a service line's request: what a request must show is never assumed."),
  POL048: e("'is known' on a group", "`is known` asks about one fact, not a group of facts: ask about a fact in the group."),
  POL049: e("key that is not one value", "`one per KEY` with a key that is a list, a record or a group: a key is one value, like `p.date`."),
  POL050: w("criterion never applies", "A criterion's (or section's) `when` is false for every request."),
  POL051: w("condition always true or always false", "A comparison with a number outside or at the edge of the fact's declared range, or an `in` listing every value, gives the same answer whenever the fact is documented."),
  POL052: w("list cannot be met", "`all of` with a bullet that never holds, `any of` whose bullets never hold, or `at least N` with fewer than N bullets that can hold."),
  POL053: w("overlay restates or contradicts the policy", "An overlay's criterion has the same rule as one of its policy's, or its negation."),
  POL054: w("unused fact", "A fact no policy of the library reads (reported in the files checked)."),
  POL055: w("unused definition", "A definition no policy of the library uses."),
  POL056: w("fact in no case file", "A fact a policy reads that none of its case files documents."),
  POL057: w("wording and rule disagree", "A number, unit or comparison word of a criterion's or definition's wording that its rule does not state, or a `reading of` a part the wording does not contain."),
  POL060: e("indications without a pathway", "An indications section needs at least one pathway: `pathway NAME \"wording\": all of { … }`."),
  POL061: e("indications in a service line", "A service line has no pathways of its own: its sections are requirements, contraindications, exclusions, not covered or advisories."),
  POL062: e("checked note without a name", "A note with a rule after ':' needs a name: `note NAME \"text\": rule`."),
  POL063: e("misplaced reading", "A reading before a property, CPT codes, references or history: a reading explains the section, applies clause or service line after it."),
  POL064: e("question without its ':' part", "`every` needs a condition after ':', and `union` the levels each entry brings after ':'."),
  POL065: e("':' after a question that takes none", "Only `every` takes a condition after ':' (and `union` the levels each entry brings)."),
  POL066: e("clause only count takes", "`counting a and b as one when …`, `one per KEY` and `in any N months` are clauses of `count` only."),
  POL067: e("clauses that exclude each other", "`count` either counts one per key or counts two entries as one, not both; counting two entries as one cannot count within a window."),
  POL068: e("not a definition", "A fact, criterion or other name called with arguments: only definitions take arguments."),
  POL069: e("single record", "A fact or field whose type is a record: a record is held in a `list of` it (or use a group of facts)."),
  POL070: e("list of something not a record", "`list of T` where T is not a record type."),
  POL071: e("service line without sections", "A service line needs the sections that decide it, like `contraindications \"…\" { … }`."),
  POL072: e("range on a type that is not a number", "Only numbers take a range (`number 0 to 10`)."),
  POL073: e("effective period backwards", "An `effective` period that ends before it starts."),
  POL074: e("list without bullets", "`all of { }` (or any other list) with nothing in it."),
  POL075: e("escape not allowed", "A `\\` in a text followed by something other than `\"`, `\\` or a JSON escape: write `\\\"` for a quote and `\\\\` for a backslash."),
  POL076: e("percentage out of range", "A percentage below 0% or above 100%."),
  POL077: e("negative duration", "A duration below zero."),
  POL078: e("number too long", "A number of more than 15 digits: numbers in a policy lie between -10^15 and 10^15."),
  POL079: e("duration too long", "A duration of more than 100 000 units."),
  POL080: e("version without an effective period", "Two or more policies give one `guideline`, so they are its versions; each needs an `effective` period for the date of service to choose between them."),
  POL081: e("versions in force on one day", "The `effective` periods of two versions of one guideline share a day."),
  POL082: e("extension of no record", "`extend record NAME { … }` where NAME is not a record this file sees (declared here or in an imported file)."),
  POL083: e("field already on the record", "An extension adds a field the record already has, or that another extension used with it adds (in files one policy uses together), or the field `date` (an entry's date is the shared record's): rename the field."),
  POL084: e("unknown policy in meets", "`meets NAME` where NAME is neither a policy nor a guideline with versions that this file sees (declared here or in an imported file)."),
  POL085: e("policies that meet each other", "Policies whose criteria (or their overlays') read each other's determination through `meets`, in a loop: the message names the loop."),
  POL086: e("extension of a record held inside an entry", "An extension adds fields to a record whose entries, in a policy's input, stand in a field of another record's entries: only the entries of a `list of` fact can have added fields."),
} as const satisfies Record<string, CatalogueEntry>;

export type DiagnosticCode = keyof typeof catalogue;
