/**
 * Substring search of names through an index: every substring of one to three characters of a
 * record's name is a row of `name_grams`, kept by triggers on `records`. A query of up to three
 * characters is one index lookup; a longer one takes the records that have its first three
 * characters and keeps those that contain it all. Results are those of `instr(name, query)`:
 * case-sensitive, by Unicode character.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';

/** The longest substring indexed: a Chinese name is two to four characters. */
const GRAM = 3;

/** The distinct substrings of one to GRAM characters of a name. */
export function* nameGrams(name: string): Generator<string> {
  const chars = Array.from(name);
  const seen = new Set<string>();
  for (let n = 1; n <= GRAM; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      const g = chars.slice(i, i + n).join('');
      if (!seen.has(g)) {
        seen.add(g);
        yield g;
      }
    }
  }
}

/**
 * The table-valued function the triggers call. Every connection that writes records registers it
 * before anything else (openVault does), or the write fails rather than leave the index behind.
 */
export function registerNameGrams(db: Database): void {
  db.table('name_grams_of', {
    columns: ['gram'],
    parameters: ['name'],
    *rows(name: unknown) {
      for (const g of nameGrams(typeof name === 'string' ? name : '')) yield [g];
    },
  });
}

/** The migration that adds the index, its triggers, and fills it for the records already there. */
export const NAME_GRAMS_MIGRATION = `
CREATE TABLE name_grams (
  gram TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  PRIMARY KEY (gram, record_id)
) WITHOUT ROWID;
CREATE INDEX name_grams_record ON name_grams(record_id);
CREATE TRIGGER records_name_grams_insert AFTER INSERT ON records BEGIN
  INSERT OR IGNORE INTO name_grams (gram, record_id) SELECT gram, NEW.id FROM name_grams_of(NEW.name);
END;
CREATE TRIGGER records_name_grams_update AFTER UPDATE OF name ON records BEGIN
  DELETE FROM name_grams WHERE record_id = OLD.id;
  INSERT OR IGNORE INTO name_grams (gram, record_id) SELECT gram, NEW.id FROM name_grams_of(NEW.name);
END;
CREATE TRIGGER records_name_grams_delete AFTER DELETE ON records BEGIN
  DELETE FROM name_grams WHERE record_id = OLD.id;
END;
INSERT OR IGNORE INTO name_grams (gram, record_id) SELECT g.gram, r.id FROM records r, name_grams_of(r.name) g;
`;

/** True when every name containing `text` has it as one row of the index (`gram = text`). */
export const nameIsGram = (text: string) => Array.from(text).length <= GRAM;

/**
 * The WHERE part (on `records`) that finds names containing `text`, and its parameters. `common`:
 * the name matches many records, so the query should walk the sort order's index and test each
 * row against the matches (`+id` keeps SQLite from starting at the matches and sorting them all).
 */
export function nameContains(text: string, common = false): { sql: string; params: Record<string, string> } {
  const chars = Array.from(text);
  const id = common ? '+id' : 'id';
  if (nameIsGram(text)) {
    return { sql: `${id} IN (SELECT record_id FROM name_grams WHERE gram = @name)`, params: { name: text } };
  }
  return {
    sql: `${id} IN (SELECT record_id FROM name_grams WHERE gram = @nameHead) AND instr(name, @name) > 0`,
    params: { name: text, nameHead: chars.slice(0, GRAM).join('') },
  };
}
