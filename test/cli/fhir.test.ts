/** `polc fhir`: the Questionnaire printed, a QuestionnaireResponse read back as a case file, a case's CRD coverage information. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { polFilesUnder } from "../../compiler/cli/main.js";
import { compileFiles } from "../../compiler/compile.js";
import { loadPolicies } from "../../compiler/load-modules.js";
import { questionnaire } from "../../fhir/index.js";
import { polc } from "../support/polc.js";

const dir = mkdtempSync(join(tmpdir(), "polc-fhir-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("polc fhir", () => {
  it("prints a policy's Questionnaire", async () => {
    const run = await polc("fhir", "questionnaire", "NIA_CG_305");
    expect([run.code, run.err]).toEqual([0, ""]);
    const policy = loadPolicies(compileFiles(polFilesUnder("policies"))).get("NIA_CG_305")!;
    expect(JSON.parse(run.out)).toEqual(JSON.parse(JSON.stringify(questionnaire(policy))));
    expect(await polc("fhir", "questionnaire", "NIA_CG_999")).toMatchObject({ code: 2, err: expect.stringMatching(/^polc: no policy 'NIA_CG_999' in policies \(the policies are: /) as unknown as string });
  });

  it("reads a QuestionnaireResponse back as a case file, and names the answers it cannot take", async () => {
    const response = {
      resourceType: "QuestionnaireResponse",
      status: "completed",
      item: [
        { linkId: "date_of_service", answer: [{ valueDate: "2024-03-15" }] },
        { linkId: "pain", item: [{ linkId: "pain.average", answer: [{ valueDecimal: 7 }] }, { linkId: "pain.duration", answer: [{ valueQuantity: { value: 6, system: "http://unitsofmeasure.org", code: "wk" } }] }] },
        { linkId: "prior_procedures#none", answer: [{ valueBoolean: true }] },
      ],
    };
    writeFileSync(join(dir, "response.json"), JSON.stringify(response));
    const run = await polc("fhir", "case", "NIA_CG_300", join(dir, "response.json"), "--state", "wa");
    expect([run.code, run.err]).toEqual([0, ""]);
    expect(JSON.parse(run.out)).toEqual({ state: "WA", input: { date_of_service: "2024-03-15", pain: { average: 7, duration: { amount: 6, unit: "weeks" } }, prior_procedures: [] } });

    const wrong = { ...response, item: [...response.item, { linkId: "pain.mood", answer: [{ valueString: "low" }] }] };
    writeFileSync(join(dir, "wrong.json"), JSON.stringify(wrong));
    expect(await polc("fhir", "case", "NIA_CG_300", join(dir, "wrong.json"))).toEqual({
      code: 2,
      out: "",
      err: `${join(dir, "wrong.json")}: the response does not give NIA_CG_300's input:\n  - pain.mood: is not a question of this policy's questionnaire`,
    });
    const outOfRange = { ...response, item: [{ linkId: "date_of_service", answer: [{ valueDate: "2024-03-15" }] }, { linkId: "pain", item: [{ linkId: "pain.average", answer: [{ valueDecimal: 12 }] }] }] };
    writeFileSync(join(dir, "range.json"), JSON.stringify(outOfRange));
    expect(await polc("fhir", "case", "NIA_CG_300", join(dir, "range.json"))).toEqual({
      code: 2,
      out: "",
      err: `${join(dir, "range.json")}: the response does not give NIA_CG_300's input:\n  - input.pain.average: expected a number from 0 to 10, got 12`,
    });
  });

  it("prints a case's determination as CRD coverage information", async () => {
    const run = await polc("fhir", "coverage", "NIA_CG_300", "test/cases/nia-cg-300/acute-radicular-meets.json", "--coverage", "Coverage/123", "--assertion-id", "a-1", "--date", "2024-03-15");
    expect([run.code, run.err]).toEqual([0, ""]);
    const ext = JSON.parse(run.out) as { url: string; extension: { url: string; valueCode?: string; valueString?: string; valueDate?: string }[] };
    expect(ext.url).toBe("http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information");
    expect(ext.extension.map((e) => [e.url, e.valueCode ?? e.valueString ?? e.valueDate ?? null])).toEqual([
      ["coverage", null],
      ["covered", "covered"],
      ["pa-needed", "satisfied"],
      ["satisfied-pa-id", "a-1"],
      ["reason", null],
      ["date", "2024-03-15"],
      ["coverage-assertion-id", "a-1"],
    ]);
    expect(await polc("fhir", "coverage", "NIA_CG_300", "test/cases/nia-cg-300/acute-radicular-meets.json", "--coverage", "my coverage")).toEqual({ code: 2, out: "", err: "polc: --coverage expects a reference like Coverage/123, not 'my coverage'" });
  });
});
