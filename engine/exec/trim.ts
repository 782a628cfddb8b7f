// TRIM([BOTH | LEADING | TRAILING] [characters] FROM s) with characters given: Flink removes, from
// the chosen ends, every character (code point) that occurs in `characters` (a set, not a
// prefix/suffix string). Without characters TRIM removes spaces (functions.ts trimBoth & co).

export function trimCharacters(s: string, characters: string, leading: boolean, trailing: boolean): string {
  const set = new Set(characters); // iterates code points
  const cps = [...s];
  let i = 0;
  let j = cps.length;
  if (leading) while (i < j && set.has(cps[i]!)) i++;
  if (trailing) while (j > i && set.has(cps[j - 1]!)) j--;
  return i === 0 && j === cps.length ? s : cps.slice(i, j).join('');
}
