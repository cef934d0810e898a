/**
 * How deeply a JSON request body may nest. Whatever walks a parsed value recursively (the NUL
 * guard, validators, `JSON.stringify` of a stored payload, lossless-json's parser of webhook
 * bodies) overflows the stack somewhere in the thousands of levels: `[[[[…]]]]` 100,000 deep is
 * 200 KB, well under the body limit, and answered 500 on every route, before sign-in too. No
 * message, provider payload or API body we take comes near this (an X or Meta delivery nests
 * about ten levels).
 */
export const MAX_JSON_DEPTH = 64;

export const TOO_DEEP_MESSAGE = `body is nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests arrays and objects more than `max` levels deep. One pass over the text,
 * no recursion, no parse: brackets inside strings do not count. Text that is not JSON is judged
 * only by its brackets (the parser refuses it afterwards).
 */
export function nestedTooDeeply(text: string | Buffer, max = MAX_JSON_DEPTH): boolean {
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}
