/**
 * A valid policy file of a chosen size: many facts, enums, definitions and criteria, all used by
 * one policy. Each unit is 8 lines (7 declarations and the `use` line in the policy).
 */
export function bigPolicyFile(lines: number): string {
  const units = Math.max(1, Math.floor((lines - 8) / 8));
  const decls: string[] = [];
  const uses: string[] = [];
  for (let i = 0; i < units; i++) {
    decls.push(
      `fact f${i}_flag: boolean "Finding ${i} is documented"`,
      `fact f${i}_score: number 0 to 10 "Score ${i} on a scale of 0 to 10"`,
      `fact f${i}_start: date "Start of treatment ${i}"`,
      `enum f${i}_kind "Kind ${i}" { k${i}_a "A", k${i}_b "B" }`,
      `fact f${i}_kind_value: f${i}_kind "Kind of finding ${i}"`,
      `define d${i} "Definition ${i}": f${i}_flag and f${i}_score >= 3`,
      `criterion c${i} "Criterion ${i} is met" [1]: d${i} or (time since f${i}_start >= 6 weeks and f${i}_kind_value in {k${i}_a})`,
    );
    uses.push(`    use c${i}`);
  }
  return [
    ...decls,
    `policy BIG_POLICY "A big policy" {`,
    `  version "1"`,
    `  requirements "REQUIREMENTS" {`,
    ...uses,
    `  }`,
    `  references {`,
    `    1 "A reference"`,
    `  }`,
    `}`,
    "",
  ].join("\n");
}
