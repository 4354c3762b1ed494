/**
 * Mutations of the real policy library for the fuzzer (`npm run fuzz`, and a few thousand in
 * `npm test`): each takes one file of the library and changes it the way hostile or careless
 * input would. Seeded: the same seed and index give the same input.
 *
 * Kinds: byte flips; token splices from another policy file; deep chains (`not`, `time since`,
 * fields, brackets); huge and long numbers; unicode; a byte order mark, other line ends and NUL;
 * long names and texts; bad imports; overlays of a policy by itself; and the mutations of
 * test/support/generators.ts (deletions, duplications, swaps, truncations, brackets).
 */
import fc from "fast-check";
import type { IToken } from "chevrotain";
import { mutationKinds as tokenMutationKinds, mutationOf, tokensOf, unicodePayloads } from "../support/generators.js";
import { Random } from "./random.js";

export interface PolicyInput {
  readonly kind: string;
  /** What was done, short enough to read in a report. */
  readonly detail: string;
  /** The files changed or added: the library with these is the input. */
  readonly changes: Readonly<Record<string, string>>;
  /** The mutated file: the entry of the compile. */
  readonly entry: string;
  /** The result is broken for sure: the compiler must report an error in the entry. */
  readonly mustFail: boolean;
}

export const policyMutationKinds = [
  "byte flip",
  "token splice",
  "deep chain",
  "huge number",
  "unicode",
  "bom, line ends, nul",
  "long name or text",
  "bad import",
  "self overlay",
  "token mutation",
] as const;
export type PolicyMutationKind = (typeof policyMutationKinds)[number];

/** Tokens of each file, lexed once per process. */
const tokenCache = new Map<string, IToken[]>();
function tokens(text: string): IToken[] {
  let found = tokenCache.get(text);
  if (!found) tokenCache.set(text, (found = tokensOf(text)));
  return found;
}

const end = (t: IToken) => (t.endOffset ?? t.startOffset) + 1;

/** The `index`-th input of a run with this seed, over this library. */
export function policyInput(library: Readonly<Record<string, string>>, seed: number, index: number): PolicyInput {
  const random = new Random(seed, index);
  const paths = Object.keys(library);
  const entry = random.pick(paths);
  const text = library[entry];
  const kind = random.pick(policyMutationKinds);
  const { detail, text: mutated, mustFail = false, extra = {}, entry: compiled = entry } = mutate(kind, text, entry, library, random);
  return { kind, detail, changes: { ...extra, [entry]: mutated }, entry: compiled, mustFail };
}

interface Mutated {
  readonly detail: string;
  readonly text: string;
  readonly mustFail?: boolean;
  readonly extra?: Record<string, string>;
  /** The file to compile, when it is not the mutated one. */
  readonly entry?: string;
}

function mutate(kind: PolicyMutationKind, text: string, entry: string, library: Readonly<Record<string, string>>, random: Random): Mutated {
  const toks = tokens(text);
  const token = () => toks[random.int(toks.length)] ?? { startOffset: 0, endOffset: 0, image: "" };
  switch (kind) {
    case "byte flip": {
      // Flip bits of the UTF-8 bytes, then read them back as the compiler reads a file.
      const bytes = Buffer.from(text, "utf8");
      const flips = 1 + random.int(4);
      const at: number[] = [];
      for (let i = 0; i < flips && bytes.length > 0; i++) {
        const offset = random.int(bytes.length);
        bytes[offset] ^= 1 << random.int(8);
        at.push(offset);
      }
      return { detail: `flipped bits at bytes ${at.join(", ")}`, text: bytes.toString("utf8") };
    }
    case "token splice": {
      const donorPath = random.pick(Object.keys(library));
      const donor = tokens(library[donorPath]);
      if (donor.length === 0) return { detail: "empty donor", text };
      const from = random.int(donor.length);
      const to = Math.min(donor.length - 1, from + random.int(40));
      const piece = library[donorPath].slice(donor[from].startOffset, end(donor[to]));
      const t = token();
      return { detail: `spliced ${to - from + 1} tokens of ${donorPath} after offset ${end(t)}`, text: `${text.slice(0, end(t))} ${piece} ${text.slice(end(t))}` };
    }
    case "deep chain": {
      const depth = random.pick([50, 129, 200, 1_200, 3_000]);
      const shape = random.pick(["not", "time since", "fields", "parens", "lists", "sums"]);
      const chain =
        shape === "not"
          ? `${"not ".repeat(depth)}true`
          : shape === "time since"
            ? `${"time since ".repeat(depth)}date_of_service >= 1 days`
            : shape === "fields"
              ? `date_of_service${".x".repeat(depth)}`
              : shape === "parens"
                ? `${"(".repeat(depth)}true${")".repeat(depth)}`
                : shape === "lists"
                  ? `${"all of { ".repeat(depth)}criterion deep_leaf "Leaf": true ${"} ".repeat(depth)}`
                  : `1${" + 1".repeat(depth)} > 0`;
      return { detail: `a ${depth}-deep chain of ${shape}`, text: `${text}\ncriterion deep_chain "Deep": ${chain}\n` };
    }
    case "huge number": {
      const numbers = toks.filter((t) => t.tokenType.name === "NumberLiteral");
      const huge = random.pick(["1" + "0".repeat(400), "9".repeat(16), "123456789012345", "0.000000000000001", "100001", "99999999999999999999.5"]);
      if (numbers.length === 0) return { detail: `appended ${huge.length} digits`, text: `${text}\ndefine huge_number: ${huge} > 0\n` };
      const t = random.pick(numbers);
      return { detail: `replaced ${t.image} at offset ${t.startOffset} with ${huge.length} digits`, text: text.slice(0, t.startOffset) + huge + text.slice(end(t)) };
    }
    case "unicode": {
      const u = random.pick([...unicodePayloads, "\u202e\u2066", "\u0085", "\u061c", "\ud83d", "\u{10ffff}"]);
      const offset = random.int(text.length + 1);
      return { detail: `inserted ${JSON.stringify(u)} at offset ${offset}`, text: text.slice(0, offset) + u + text.slice(offset) };
    }
    case "bom, line ends, nul": {
      const what = random.pick(["bom", "crlf", "cr", "nul", "all"]);
      let t = text;
      if (what === "bom" || what === "all") t = `\uFEFF${t}`;
      if (what === "crlf") t = t.replace(/\n/g, "\r\n");
      if (what === "cr" || what === "all") t = t.replace(/\n/g, "\r");
      if (what === "nul" || what === "all") {
        const offset = random.int(t.length + 1);
        return { detail: `${what}, NUL at offset ${offset}`, text: t.slice(0, offset) + "\u0000" + t.slice(offset) };
      }
      return { detail: what, text: t };
    }
    case "long name or text": {
      const length = random.pick([1_000, 10_000, 100_000]);
      const names = toks.filter((t) => t.tokenType.name === "Identifier");
      const strings = toks.filter((t) => t.tokenType.name === "StringLiteral");
      if (random.int(2) === 0 && names.length > 0) {
        // Every occurrence of one name, so that the file may stay valid.
        const name = random.pick(names).image;
        // The file stays within the 1 MB that checking promises to take in linear time.
        const occurrences = text.match(new RegExp(`\\b${name}\\b`, "g"))?.length ?? 1;
        const long = `${name}_${"n".repeat(Math.min(length, Math.floor(900_000 / occurrences)))}`;
        return { detail: `renamed '${name}' to ${long.length} characters`, text: text.replace(new RegExp(`\\b${name}\\b`, "g"), long) };
      }
      if (strings.length === 0) return { detail: "no text", text };
      const t = random.pick(strings);
      return { detail: `a ${length}-character text at offset ${t.startOffset}`, text: `${text.slice(0, t.startOffset)}"${"w ".repeat(length / 2)}"${text.slice(end(t))}` };
    }
    case "bad import": {
      const target = random.pick(["/proc/self/environ", "/etc/passwd", "../../../../etc/hostname.pol", "missing.pol", entry.split("/").pop()!, "", ".", "common", "\u0000.pol", "a\nb.pol", "../common/history.pol"]);
      return { detail: `import ${JSON.stringify(target)}`, text: `import ${JSON.stringify(target)}\n${text}` };
    }
    case "self overlay": {
      const policy = /\bpolicy\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(text)?.[1] ?? "NIA_CG_300";
      const criteria = [...text.matchAll(/\bcriterion\s+([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
      const use = criteria.length ? `use ${random.pick(criteria)}` : "note \"N\"";
      const overlay = `overlay SELF_${random.int(3)} "Self" for ${policy} in state ${random.pick(["WA", "wa", "W", "ZZ"])} {\n  requirements "R" { ${use} }\n}\n`;
      // Into the policy's own file, or a file of its own that imports it (or imports itself).
      if (random.int(2) === 0) return { detail: `an overlay of ${policy} in its own file`, text: `${text}\n${overlay}` };
      const name = entry.split("/").pop()!;
      const selfImport = random.int(2) === 0 ? `import "overlay.pol"\n` : "";
      const file = entry.replace(/[^/]*$/, "overlay.pol");
      return { detail: `an overlay of ${policy} beside it${selfImport ? ", importing itself" : ""}`, text, entry: file, extra: { [file]: `import "${name}"\n${selfImport}${overlay}` } };
    }
    case "token mutation": {
      const which = random.pick(tokenMutationKinds);
      const [m] = fc.sample(mutationOf(text, which), { seed: random.int(2 ** 31), numRuns: 1 });
      return { detail: `${m.kind}: ${m.detail}`, text: m.text, mustFail: m.mustFail };
    }
  }
}
