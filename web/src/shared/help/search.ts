/**
 * A small search over the help articles of one language, enough for a dozen pages: every word of the query must
 * appear in the article (title, summary or text, ignoring case and width); titles weigh most. Chinese is written
 * without spaces, so a run of Chinese characters that is not found whole counts as found when most of its
 * two-character pieces are (付款码安全 finds an article that speaks of 付款码 and 安全).
 */
export interface Searchable {
  title: string;
  summary: string;
  text: string;
}

const han = /\p{Script=Han}/u;

export function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

export function queryTerms(query: string): string[] {
  return normalize(query)
    .split(/[\s,.;:!?，。；：！？、（）()"“”'‘’]+/u)
    .filter((term) => term.length > 0);
}

function bigrams(term: string): string[] {
  const characters = [...term];
  const pieces: string[] = [];
  for (let index = 0; index + 1 < characters.length; index += 1)
    pieces.push(characters[index]! + characters[index + 1]!);
  return pieces;
}

/** How well one field matches one term: 1 found whole, a fraction for Chinese pieces, 0 not at all. */
function termScore(field: string, term: string): number {
  if (field.includes(term)) return 1;
  if (!han.test(term) || [...term].length < 3) return 0;
  const pieces = bigrams(term);
  const found = pieces.filter((piece) => field.includes(piece)).length;
  return found / pieces.length >= 0.6 ? found / pieces.length : 0;
}

export function searchArticles<T extends Searchable>(articles: readonly T[], query: string): T[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const scored: { article: T; score: number; index: number }[] = [];
  articles.forEach((article, index) => {
    const title = normalize(article.title);
    const summary = normalize(article.summary);
    const text = normalize(article.text);
    let score = 0;
    for (const term of terms) {
      const best = Math.max(termScore(title, term) * 5, termScore(summary, term) * 3, termScore(text, term));
      if (best === 0) return;
      score += best;
    }
    scored.push({ article, score, index });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((entry) => entry.article);
}
