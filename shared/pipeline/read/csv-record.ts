/**
 * One CSV record (RFC 4180: comma-separated, fields optionally in double quotes, a quote
 * inside a quoted field doubled) from the text of its lines, without the line end.
 * Returns the fields, or why the text is not a record:
 * - QUOTE_NOT_CLOSED: a quoted field runs past the end; with the next line it may be one.
 * - QUOTE_NOT_DOUBLED: a quoted field's closing quote is followed by something other than
 *   a comma or the end.
 * A quote inside an unquoted field (`O"Brien`) is taken as a character, as csv-parse's
 * `relax_quotes` does: names hold them, and refusing the row would help nobody.
 *
 * Record boundaries are the caller's (segment-reader.ts): that is what lets a stray quote
 * cost one row instead of every row up to the next quote.
 *
 * `keep[i] === false` leaves field i as '' instead of copying it out: a reader wants three
 * fields of a wide row, and every field copied is garbage to collect.
 */
export const QUOTE_NOT_CLOSED = 1;
export const QUOTE_NOT_DOUBLED = 2;

const QUOTE = 34;
const COMMA = 44;

export function parseCsvRecord(text: string, keep?: readonly boolean[]): string[] | typeof QUOTE_NOT_CLOSED | typeof QUOTE_NOT_DOUBLED {
  // Most rows hold no quote at all: the native split is the whole job.
  if (text.indexOf('"') < 0) return text.split(',');
  const fields: string[] = [];
  const length = text.length;
  let i = 0;
  for (;;) {
    const wanted = keep === undefined || keep[fields.length] !== false;
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return QUOTE_NOT_CLOSED;
        if (text.charCodeAt(quote + 1) === QUOTE) {
          if (wanted) value += text.slice(from, quote + 1); // "" is one quote
          from = quote + 2;
          continue;
        }
        fields.push(wanted ? value + text.slice(from, quote) : '');
        if (quote + 1 === length) return fields;
        if (text.charCodeAt(quote + 1) !== COMMA) return QUOTE_NOT_DOUBLED;
        i = quote + 2;
        break;
      }
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(wanted ? text.slice(i) : '');
        return fields;
      }
      fields.push(wanted ? text.slice(i, comma) : '');
      i = comma + 1;
    }
    // A comma at the very end leaves one empty field after it.
    if (i === length) {
      fields.push('');
      return fields;
    }
  }
}
