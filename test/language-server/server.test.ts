import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileText } from "../../compiler/compile.js";
import { repoRoot, TestClient } from "./client.js";

const common = `# Shared facts.
enum spinal_region "Spinal region" {
  cervical "Cervical",
  lumbar "Lumbar"
}

record procedure "A procedure in the member's history" {
  date: date "Date of service"
  region: spinal_region "Region treated"
}

group pain "The member's pain" {
  fact average: number 0 to 10 "Average pain level on a scale of 0 to 10"
  fact constant: boolean "The pain is constant"
}

fact region: spinal_region "Spinal region of the request"
fact earlier: list of procedure "Earlier procedures"

define severe_pain "Average pain of 6 or more": pain.average >= 6
`;

const policy = `import "common.pol"

policy TEST_1 "A test policy" {
  version "2024"
  indications "INDICATIONS" {
    pathway chronic "Chronic pain": all of {
      criterion severe "Severe pain": severe_pain and pain.constant
      criterion lumbar_request "A lumbar request": region = lumbar
    }
  }
  exclusions "EXCLUSIONS" {
    criterion recent "A recent procedure": exists(p in earlier where p.region = region)
  }
}
`;

// Inside the repository (and removed after), so that the server reads nothing outside it.
const dir = join(repoRoot, "test", `.tmp-lsp-${process.pid}`);
const rootUri = pathToFileURL(dir).href;
const commonUri = `${rootUri}/common.pol`;
const policyUri = `${rootUri}/policy.pol`;

/** The position of the `nth` occurrence of `needle` in `text`, plus `shift` characters. */
function at(text: string, needle: string, shift = 0, nth = 1): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) offset = text.indexOf(needle, offset + 1);
  if (offset < 0) throw new Error(`'${needle}' is not in the text`);
  const before = text.slice(0, offset + shift);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - before.lastIndexOf("\n") - 1 };
}

function range(text: string, needle: string, nth = 1) {
  const start = at(text, needle, 0, nth);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

interface LocationResult {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

let client: TestClient;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "common.pol"), common);
  writeFileSync(join(dir, "policy.pol"), policy);
  client = new TestClient();
  await client.initialize(rootUri);
}, 60_000);

afterAll(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the pol language server, over stdio", () => {
  it("publishes no diagnostics for a library without errors", async () => {
    expect(await client.open(policyUri, policy)).toEqual([]);
  });

  it("publishes the compiler's diagnostics as the document is edited, and clears them when it is fixed", async () => {
    const typo = range(policy, "severe_pain");
    const diagnostics = await client.edit(policyUri, typo, "severe_pian");
    expect(diagnostics).toEqual([
      { range: typo, severity: 1, code: "POL011", source: "polc", message: "unknown name 'severe_pian'\ndid you mean 'severe_pain'?" },
    ]);
    const broken = range(policy, "= lumbar");
    const syntax = await client.edit(policyUri, broken, "= lumbar and");
    // As in polc check, a syntax error leaves the names of its declaration unchecked.
    expect(syntax.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`)).toEqual(["9:5 POL002 expected a condition, but found '}'"]);
    await client.edit(policyUri, { start: broken.start, end: { line: broken.start.line, character: broken.start.character + "= lumbar and".length } }, "= lumbar");
    expect(await client.edit(policyUri, typo, "severe_pain")).toEqual([]);
  });

  it("shows a fact's path, type, description and place on hover", async () => {
    const hover = await client.request<{ contents: { kind: string; value: string }; range: unknown }>("textDocument/hover", {
      textDocument: { uri: policyUri },
      position: at(policy, "constant", 2),
    });
    expect(hover).toEqual({
      contents: {
        kind: "markdown",
        value: "**fact** `pain.constant`: `boolean` (a yes/no value)\n\nThe pain is constant\n\nDeclared in `common.pol:14`",
      },
      range: range(policy, "constant"),
    });
  });

  it("shows a definition's wording and type, and a criterion's wording, on hover", async () => {
    const define = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: policyUri }, position: at(policy, "severe_pain", 3) });
    expect(define.contents.value).toBe('**define** `severe_pain`: a yes/no value\n\n"Average pain of 6 or more"\n\nDeclared in `common.pol:20`');
    const criterion = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: policyUri }, position: at(policy, "lumbar_request") });
    expect(criterion.contents.value).toBe('**criterion** `lumbar_request`\n\n"A lumbar request"\n\nDeclared in `policy.pol:8`');
  });

  it("shows a list entry's record on hover and goes to where the question names it", async () => {
    const hover = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: policyUri }, position: at(policy, "p.region") });
    expect(hover.contents.value).toBe("**entry** `p` of `earlier`: a procedure\n\nDeclared in `policy.pol:12`");
    const location = await client.request<LocationResult>("textDocument/definition", { textDocument: { uri: policyUri }, position: at(policy, "p.region") });
    expect(location).toEqual({ uri: policyUri, range: { start: at(policy, "p in earlier"), end: at(policy, "p in earlier", 1) } });
  });

  it("goes to the definition of an enum value in an imported file", async () => {
    const location = await client.request<LocationResult>("textDocument/definition", { textDocument: { uri: policyUri }, position: at(policy, "= lumbar", 3) });
    expect(location).toEqual({ uri: commonUri, range: range(common, "lumbar", 1) });
  });

  it("goes from an import to the imported file", async () => {
    const location = await client.request<LocationResult>("textDocument/definition", { textDocument: { uri: policyUri }, position: at(policy, "common.pol") });
    expect(location).toEqual({ uri: commonUri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  });

  it("completes only criteria after use", async () => {
    const line = at(policy, "    }\n  }").line;
    await client.edit(policyUri, { start: { line, character: 0 }, end: { line, character: 0 } }, "      use \n");
    const items = await client.request<{ label: string; detail?: string }[]>("textDocument/completion", { textDocument: { uri: policyUri }, position: { line, character: "      use ".length } });
    expect(items.map((i) => [i.label, i.detail]).sort()).toEqual([
      ["chronic", "pathway"],
      ["lumbar_request", "criterion"],
      ["recent", "criterion"],
      ["severe", "criterion"],
    ]);
    await client.edit(policyUri, { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, "");
  });

  it("finds every reference to a fact across imports, and not the record field of the same name", async () => {
    const references = await client.request<LocationResult[]>("textDocument/references", {
      textDocument: { uri: policyUri },
      position: at(policy, "region = lumbar"),
      context: { includeDeclaration: true },
    });
    expect(references).toEqual([
      { uri: commonUri, range: { start: at(common, "fact region", 5), end: at(common, "fact region", 11) } },
      { uri: policyUri, range: range(policy, "region", 1) },
      { uri: policyUri, range: { start: at(policy, "= region)", 2), end: at(policy, "= region)", 8) } },
    ]);
  });

  it("completes the facts of a group after its name and a dot", async () => {
    const items = await client.request<{ label: string; detail?: string }[]>("textDocument/completion", { textDocument: { uri: policyUri }, position: at(policy, "pain.constant", 5) });
    expect(items.map((i) => [i.label, i.detail])).toEqual([
      ["average", "a number from 0 to 10"],
      ["constant", "a yes/no value"],
    ]);
  });

  it("completes a list entry's fields, enum values after '=', and units after a number", async () => {
    const fields = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri: policyUri }, position: at(policy, "p.region", 2) });
    expect(fields.map((i) => i.label)).toEqual(["date", "region"]);
    const values = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri: policyUri }, position: at(policy, "= lumbar", 2) });
    expect(values.map((i) => i.label)).toEqual(["cervical", "lumbar"]);
    const line = at(policy, "= lumbar").line;
    await client.edit(policyUri, { start: { line, character: 0 }, end: { line, character: 0 } }, "      criterion soon \"Soon\": pain.average >= 2 \n");
    const units = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri: policyUri }, position: { line, character: "      criterion soon \"Soon\": pain.average >= 2 ".length } });
    expect(units.map((i) => i.label)).toEqual(["days", "day", "weeks", "week", "months", "month", "years", "year", "hours", "hour", "minutes", "minute"]);
    const keywords = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri: policyUri }, position: { line, character: "      criterion soon \"Soon\": ".length } });
    expect(keywords.map((i) => i.label)).toEqual(expect.arrayContaining(["pain", "region", "severe_pain", "lumbar_request", "cervical", "date_of_service", "unless", "exists"]));
    await client.edit(policyUri, { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, "");
  });

  it("renames a fact across the library, and refuses a reserved word", async () => {
    const edit = await client.request<{ changes: Record<string, { range: unknown; newText: string }[]> }>("textDocument/rename", {
      textDocument: { uri: policyUri },
      position: at(policy, "region = lumbar"),
      newName: "request_region",
    });
    expect(edit).toEqual({
      changes: {
        [commonUri]: [{ range: { start: at(common, "fact region", 5), end: at(common, "fact region", 11) }, newText: "request_region" }],
        [policyUri]: [
          { range: range(policy, "region", 1), newText: "request_region" },
          { range: { start: at(policy, "= region)", 2), end: at(policy, "= region)", 8) }, newText: "request_region" },
        ],
      },
    });
    await expect(
      client.request("textDocument/rename", { textDocument: { uri: policyUri }, position: at(policy, "region = lumbar"), newName: "within" }),
    ).rejects.toThrow("'within' is a word of the language and cannot be a name");
  });

  it("renames a fact of a group where it is declared and where it is read, and refuses a sibling's name", async () => {
    const edit = await client.request<{ changes: Record<string, { range: unknown; newText: string }[]> }>("textDocument/rename", {
      textDocument: { uri: policyUri },
      position: at(policy, "pain.constant", 6),
      newName: "steady",
    });
    expect(edit).toEqual({
      changes: {
        [commonUri]: [{ range: range(common, "constant"), newText: "steady" }],
        [policyUri]: [{ range: range(policy, "constant"), newText: "steady" }],
      },
    });
    await expect(
      client.request("textDocument/rename", { textDocument: { uri: policyUri }, position: at(policy, "pain.constant", 6), newName: "average" }),
    ).rejects.toThrow("'average' is already declared in group 'pain'");
  });

  it("formats the document with the pol formatter", async () => {
    const untidy = "import   \"common.pol\"\ncriterion  c \"C\" :pain.constant\n";
    const uri = `${rootUri}/untidy.pol`;
    await client.open(uri, untidy);
    const edits = await client.request<{ range: unknown; newText: string }[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, newText: 'import "common.pol"\ncriterion c "C": pain.constant\n' }]);
  });

  it("outlines the policy's sections, pathways and criteria", async () => {
    interface Outline {
      name: string;
      children?: Outline[];
    }
    const symbols = await client.request<Outline[]>("textDocument/documentSymbol", { textDocument: { uri: policyUri } });
    const names = (list: Outline[]): unknown[] => list.map((s) => (s.children?.length ? [s.name, names(s.children)] : s.name));
    expect(names(symbols)).toEqual([["TEST_1", [['indications "INDICATIONS"', [["chronic", ["severe", "lumbar_request"]]]], ['exclusions "EXCLUSIONS"', ["recent"]]]]]);
  });

  it("checks the files that import a document again when it changes", async () => {
    expect(await client.open(commonUri, common)).toEqual([]);
    // A request answered means every notification sent before it has been read.
    await client.request("textDocument/documentSymbol", { textDocument: { uri: commonUri } });
    const inPolicy = client.nextDiagnostics(policyUri);
    const declared = { start: at(common, "fact region", 5), end: at(common, "fact region", 11) };
    await client.edit(commonUri, declared, "request_region");
    expect((await inPolicy).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`)).toEqual([
      // Beside the unknown name, 'lumbar' is taken for one of its choices, not a second mistake.
      "8:52 POL011 unknown name 'region'",
      // Compared with an enum-valued field, a bare name is read as one of its values.
      "12:81 POL014 'region' is not a value of spinal_region\nthe values are: cervical, lumbar",
    ]);
    const fixed = client.nextDiagnostics(policyUri);
    await client.edit(commonUri, { start: declared.start, end: { line: declared.start.line, character: declared.start.character + "request_region".length } }, "region");
    expect(await fixed).toEqual([]);
  });
});

describe("incremental checking, over stdio", () => {
  it("keeps an importer's check when what the edited file declares is unchanged, yet answers from the moved declarations", async () => {
    // A comment line above every declaration of common.pol: nothing it declares changes, every line moves.
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const inPolicy: unknown[] = [];
    const watch = (async () => inPolicy.push(await client.nextDiagnostics(policyUri)))();
    expect(await client.edit(commonUri, top, "# Moved down.\n")).toEqual([]);
    const hover = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: policyUri }, position: at(policy, "constant", 2) });
    expect(hover.contents.value).toBe("**fact** `pain.constant`: `boolean` (a yes/no value)\n\nThe pain is constant\n\nDeclared in `common.pol:15`");
    const location = await client.request<LocationResult>("textDocument/definition", { textDocument: { uri: policyUri }, position: at(policy, "severe_pain", 3) });
    expect(location.range.start.line).toBe(at(common, "define severe_pain").line + 1);
    // The policy's diagnostics did not change, so none were published for it.
    expect(inPolicy).toEqual([]);
    await client.edit(commonUri, { start: top.start, end: { line: 1, character: 0 } }, "");
    void watch;
  });

  it("checks the importer again when an exported definition changes, with the words polc check gives", async () => {
    const body = "pain.average >= 6";
    const number = "pain.average";
    const defined = at(common, body);
    const edited = common.replace(body, number);
    const inPolicy = client.nextDiagnostics(policyUri);
    expect(await client.edit(commonUri, { start: defined, end: { line: defined.line, character: defined.character + body.length } }, number)).toEqual([]);
    const published = (await inPolicy).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`);
    const polcCheck = compileText({ "common.pol": edited, "policy.pol": policy })
      .diagnostics.filter((d) => d.span.file === "policy.pol")
      .map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.hint ? `${d.message}\n${d.hint}` : d.message}`);
    expect(published).toEqual(polcCheck);
    expect(published).toEqual([`7:${at(policy, "severe_pain").character + 1} POL020 expected a yes/no condition here, but this is a number from 0 to 10`]);
    const fixed = client.nextDiagnostics(policyUri);
    await client.edit(commonUri, { start: defined, end: { line: defined.line, character: defined.character + number.length } }, body);
    expect(await fixed).toEqual([]);
  });
});
