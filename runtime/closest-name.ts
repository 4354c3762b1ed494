/**
 * "Did you mean …?": the candidate closest to a misspelt name, if it is close enough to be a
 * likely typo. Used for input fields here and for names in policies by the compiler.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  // The edit distance takes time quadratic in the length: a name longer than any typed one gets no suggestion.
  if (word.length > maxSuggestedLength) return undefined;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > 3) continue;
    const score = editDistance(lower, candidate.toLowerCase());
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return bestScore <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

const maxSuggestedLength = 100;

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}
