import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reservedWords } from "../../grammar/tokens.js";
import { repoRoot, TestClient } from "../language-server/client.js";

const extension = join(repoRoot, "editors", "vscode");

/** The names of the files in a zip archive, from its central directory. */
function zipEntries(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString("utf8", offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names.sort();
}

beforeAll(() => {
  execFileSync(process.execPath, [join(extension, "build.mjs")], { cwd: repoRoot, stdio: "pipe" });
}, 180_000);

describe("the VS Code extension", () => {
  it("is packaged as a .vsix with its manifest, grammar, client and bundled server", () => {
    const version = (JSON.parse(readFileSync(join(extension, "package.json"), "utf8")) as { version: string }).version;
    expect(zipEntries(readFileSync(join(extension, `pol-${version}.vsix`)))).toEqual([
      "[Content_Types].xml",
      "extension.vsixmanifest",
      "extension/dist/extension.cjs",
      "extension/dist/server.cjs",
      "extension/language-configuration.json",
      "extension/package.json",
      "extension/readme.md",
      "extension/syntaxes/pol.tmLanguage.json",
    ]);
  });

  it("highlights every word the lexer reserves, and comments, texts and dates", () => {
    interface Rule {
      name?: string;
      match?: string;
      patterns?: Rule[];
    }
    const grammar = JSON.parse(readFileSync(join(extension, "syntaxes", "pol.tmLanguage.json"), "utf8")) as { scopeName: string; repository: Record<string, Rule> };
    expect(grammar.scopeName).toBe("source.pol");
    const keywordRules = grammar.repository.keyword.patterns!.map((r) => ({ name: r.name!, pattern: new RegExp(`^(?:${r.match!})$`) }));
    const scopeOf = (word: string) => keywordRules.find((r) => r.pattern.test(word))?.name;
    for (const word of reservedWords) expect(scopeOf(word), word).toBeDefined();
    expect(scopeOf("criterion")).toBe("storage.type.declaration.pol");
    expect(scopeOf("unless")).toBe("keyword.operator.logical.pol");
    expect(scopeOf("weeks")).toBe("keyword.other.unit.pol");
    expect(scopeOf("counted")).toBeUndefined();
    expect(scopeOf("reading")).toBe("keyword.other.reading.pol");
    const reading = grammar.repository.reading as Rule & { begin: string; end: string };
    expect(new RegExp(reading.begin).exec('reading of "2-3 months": "why"')?.[0]).toBe("reading of");
    // Past its texts (which its own rule takes), the reading ends where the item it explains starts.
    expect(new RegExp(reading.end).test(' \t"":')).toBe(false);
    expect(new RegExp(reading.end).exec('  criterion x "X": y')?.index).toBe(2);
    expect(new RegExp(grammar.repository.comment.match!).exec('fact a: boolean "A"  # why')?.[0]).toBe("# why");
    const date = grammar.repository.literal.patterns!.find((r) => r.name === "constant.numeric.date.pol")!;
    expect(new RegExp(date.match!).exec("effective 2024-01-01 to 2024-12-31")?.[0]).toBe("2024-01-01");
  });
});

describe("the language server bundled in the extension", () => {
  const dir = join(repoRoot, "test", `.tmp-vsix-${process.pid}`);
  let client: TestClient;
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    client = new TestClient([join(extension, "dist", "server.cjs"), "--stdio"]);
    await client.initialize(pathToFileURL(dir).href);
  }, 60_000);
  afterAll(async () => {
    await client?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes the compiler's diagnostics and formats", async () => {
    const uri = pathToFileURL(join(dir, "a.pol")).href;
    writeFileSync(join(dir, "a.pol"), "");
    const diagnostics = await client.open(uri, 'fact flag: boolean "A flag"\ncriterion c "C": flga\n');
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["POL011", "unknown name 'flga'"]]);
    const edits = await client.request<{ newText: string }[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toEqual([]);
  });
});
