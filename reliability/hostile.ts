import fc from 'fast-check';

/**
 * Hostile input for the fuzzing of our HTTP endpoints (test/integration/fuzz-endpoints.test.ts and the CLI's
 * `hostile` scenario): text that breaks naive SQL, logs, terminals and JSON handling, malformed JSON and bodies
 * nested deeper than any parser's recursion should go.
 */

/** Strings known to hurt somewhere: SQL, format strings, NUL and other control characters, lone surrogates, bidi. */
export const NASTY_STRINGS: readonly string[] = [
  "'; DROP TABLE erp.customer; --", "' OR '1'='1", '" OR 1=1 --', "Robert'); DELETE FROM integration.webhook_inbox;--", '$1', '$$', 'E\'\\x00\'',
  '\u0000', 'a\u0000b', '\u0001\u0002\u001b[31m', '\r\n', '\r\nX-Injected: yes', '\t', '\u007f', '\u0085', '\u2028\u2029',
  '\ud800', '\udfff', 'a\ud83d', '\ud83d\ude00', '\u202e', '\ufeff', '\uffff', '%s%n%x', '{{7*7}}', '${jndi:ldap://x}',
  '../../etc/passwd', '<script>alert(1)</script>', 'null', 'undefined', 'NaN', '-0', '1e400', '0x10', '', ' ', '\\', '\\u0000',
];

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** One hostile string: a known nasty one, random code points, or control characters and lone surrogates mixed in. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.oneof(controlChar, surrogate, fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 5 })), { maxLength: 8 }).map((parts) => parts.join('')),
);

/** Any JSON value, with hostile strings as keys and values and numbers at their edges. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, 2 ** 63, true, false, null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Text that is almost JSON: truncated, trailing garbage, single quotes, comments, bare words, wrong encodings. */
export const malformedJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{', '[', '{"a":', '{"a":1,}', "{'a':1}", '[1,2', '{"a":1}{"b":2}', '// x\n{}', 'NaN', 'undefined', '{"a":01}', '"\\u00zz"', '\u0000', '{"a":"\u0000"}', '\ufeff{}'),
  fc.json().map((t) => t.slice(0, Math.max(1, t.length - 1))),
  fc.tuple(fc.json(), fc.string({ maxLength: 10 })).map(([t, tail]) => `${t}${tail}x`),
);

/** `[[[...]]]` or `{"a":{"a":...}}` nested from a few hundred to tens of thousands of levels (inside the body limit). */
export const deeplyNested: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 200, max: 12_000 }), fc.boolean()).map(([depth, arrays]) =>
  arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
);
