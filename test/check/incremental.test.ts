import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CompileCache } from "../../compiler/compile-cache.js";
import { checkFilesIncrementally, compileFilesWith, type CompileResult } from "../../compiler/compile.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function polFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? polFiles(join(dir, entry.name)) : entry.name.endsWith(".pol") ? [join(dir, entry.name)] : []));
}

/** The library's texts, editable: path relative to the repository → text. */
const paths = polFiles(join(root, "policies"));
const texts = new Map(paths.map((p) => [relative(root, p), readFileSync(p, "utf8")]));
const read = (absolute: string) => texts.get(relative(root, absolute));

const history = "policies/common/history.pol";
const pain = "policies/common/pain.pol";
const cg408 = "policies/nia/cg408-epidural-and-intrathecal-trials.pol";
const cg408wa = "policies/washington/cg408-wa-spinal-injections.pol";
const cms = "policies/cms/l38773-facet-joint-interventions.pol";

function replace(path: string, from: string, to: string): void {
  const text = texts.get(path)!;
  if (!text.includes(from)) throw new Error(`'${from}' is not in ${path}`);
  texts.set(path, text.replace(from, to));
}

/** `line:column` of the first occurrence of `needle` in a file as it is now. */
function where(path: string, needle: string): string {
  const text = texts.get(path)!;
  const before = text.slice(0, text.indexOf(needle));
  return `${before.split("\n").length}:${before.length - before.lastIndexOf("\n")}`;
}

const shown = (result: CompileResult) => result.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code} ${d.message}`);

describe("checking a library again after each change, with the compile cache", () => {
  const cache = new CompileCache();
  /** The cached check beside a compile from scratch of the same texts: the diagnostics must be the same, field for field. */
  const check = (only?: ReadonlySet<string>) => {
    const incremental = checkFilesIncrementally(paths, read, root, cache, { only });
    const scratch = compileFilesWith(paths, read, root);
    if (!only) expect(incremental.diagnostics).toEqual(scratch.diagnostics);
    return incremental;
  };

  it("checks every file the first time, and nothing when nothing changed", () => {
    expect(check().checkedNow.size).toBe(paths.length);
    const again = check();
    expect(again.checkedNow.size).toBe(0);
    expect(again.diagnostics).toEqual([]);
  });

  it("checks only the edited file when what it declares is unchanged", () => {
    replace(cg408, "pain.duration < 3 months", "pain.duratoin < 3 months");
    const result = check();
    expect([...result.checkedNow]).toEqual([cg408]);
    expect(shown(result)).toEqual([`${cg408}:${where(cg408, "duratoin")} POL013 group 'pain' has no fact 'duratoin'`]);
    replace(cg408, "pain.duratoin < 3 months", "pain.duration < 3 months");
    expect(check().diagnostics).toEqual([]);
  });

  it("checks the importers, transitively, when a declaration they see changes", () => {
    replace(pain, "fact duration: duration", "fact duration: number");
    const result = check();
    // Every policy importing pain.pol, and the overlays importing those policies.
    expect(result.checkedNow).toContain(pain);
    expect(result.checkedNow).toContain(cg408);
    expect(result.checkedNow).toContain(cg408wa);
    expect(result.checkedNow).not.toContain(history);
    expect(result.checkedNow).not.toContain(cms);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(new Set(result.diagnostics.map((d) => `${d.code} ${d.message}`))).toEqual(new Set(["POL034 cannot compare a number with a duration"]));
    expect(result.diagnostics.map((d) => d.span.file)).toContain(cg408wa.replace("cg408-wa-spinal-injections", "cg300-wa-spinal-injections"));
    replace(pain, "fact duration: number", "fact duration: duration");
    expect(check().diagnostics).toEqual([]);
  });

  it("keeps the importers' checks when lines move above what they see, and says their record points at old trees", () => {
    replace(history, "\n", "\n# A comment line.\n");
    const result = check();
    expect([...result.checkedNow]).toEqual([history]);
    expect(result.keptAcrossChanges).toContain(cg408);
    expect(result.keptAcrossChanges).not.toContain(cms);
  });

  it("gives the diagnostics of a compile from scratch for a syntax error, a duplicate name and a duplicate policy id", () => {
    replace(cg408, "pain.duration < 3 months", "pain.duration < < 3 months");
    expect(shown(check())[0]).toMatch(/cg408-epidural-and-intrathecal-trials\.pol:\d+:\d+ POL002 /);
    replace(cg408, "pain.duration < < 3 months", "pain.duration < 3 months");
    // A name declared again in an imported file: reported in the importer, whose check must not be kept.
    texts.set(history, `${texts.get(history)}\nfact epidural_approach: boolean "Declared twice"\n`);
    const twice = check();
    expect(twice.diagnostics.length).toBeGreaterThan(0);
    expect(twice.diagnostics.every((d) => d.code === "POL010")).toBe(true);
    texts.set(history, texts.get(history)!.replace(`\nfact epidural_approach: boolean "Declared twice"\n`, ""));
    expect(check().diagnostics).toEqual([]);
    // Two files that do not import each other, one policy id: a check of the whole library.
    replace(cms, "policy CMS_L38773 ", "policy NIA_CG_408 ");
    expect(shown(check())).toContainEqual(expect.stringMatching(/ POL010 policy 'NIA_CG_408' is already declared$/));
    replace(cms, "policy NIA_CG_408 ", "policy CMS_L38773 ");
    expect(check().diagnostics).toEqual([]);
  });

  it("leaves the importers for later when asked to check only the edited file, then checks them", () => {
    replace(pain, "fact duration: duration", "fact duration: number");
    const first = check(new Set([pain]));
    expect([...first.checkedNow]).toEqual([pain]);
    expect(first.pending).toContain(cg408);
    expect(first.diagnostics).toEqual([]);
    const later = check();
    expect(later.checkedNow).toContain(cg408);
    expect(later.diagnostics.length).toBeGreaterThan(0);
    replace(pain, "fact duration: number", "fact duration: duration");
    expect(check().diagnostics).toEqual([]);
  });

  it("checks the importers again when an extension of a record they see is added", () => {
    replace(cg408, "pain.duration < 3 months", "pain.duration < 3 months and exists(p in prior_procedures where p.relief_hours is known)");
    expect(shown(check())).toEqual([`${cg408}:${where(cg408, "relief_hours")} POL013 a procedure has no field 'relief_hours'`]);
    texts.set(history, `${texts.get(history)}\nextend record procedure { relief_hours: duration "Hours of relief" }\n`);
    const extended = check();
    expect(extended.checkedNow).toContain(cg408);
    expect(extended.diagnostics).toEqual([]);
    texts.set(history, texts.get(history)!.replace(`\nextend record procedure { relief_hours: duration "Hours of relief" }\n`, ""));
    replace(cg408, "pain.duration < 3 months and exists(p in prior_procedures where p.relief_hours is known)", "pain.duration < 3 months");
    expect(check().diagnostics).toEqual([]);
  });

  it("parses only the files whose text changed", () => {
    const before = cache.parsed.get(history);
    replace(cg408, "pain.duration < 3 months", "pain.duration < 4 months");
    check();
    expect(cache.parsed.get(history)).toBe(before);
    replace(cg408, "pain.duration < 4 months", "pain.duration < 3 months");
    check();
  });
});

describe("the paths a compile shows", () => {
  it("are relative to the base, as polc check shows them", () => {
    const result = checkFilesIncrementally([resolve(root, pain)], read, root, new CompileCache());
    expect([...result.files.keys()]).toEqual([pain]);
  });
});
