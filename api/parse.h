/* Pure parsers for bytes that come from outside: no I/O, no HTTP, unit-tested and fuzzed. */
#ifndef API_PARSE_H
#define API_PARSE_H

#include <stddef.h>

#include <jansson.h>

/** Canonical 8-4-4-4-12 hex UUID; writes the lowercase form. @return 1 if valid. */
int parse_uuid(const char *s, char out[37]);

/** Strict calendar date YYYY-MM-DD. @return 1 if valid. */
int parse_date(const char *s);

/** RFC 3339 timestamp (Z or ±hh:mm offset, optional fraction). @return 1 if valid. */
int parse_timestamp(const char *s);

/** Decimal integer in [min, max] with nothing else. @return 1 if valid. */
int parse_long(const char *s, long min, long max, long *out);

/** Whether @p s (@p len bytes) is valid UTF-8 without NUL bytes. */
int utf8_valid(const char *s, size_t len);

/** Number of Unicode code points in valid UTF-8 @p s. */
size_t utf8_length(const char *s);

/** A ref: 1–64 of A-Z a-z 0-9 . _ -. @return NULL if valid, else "length" or "pattern". */
const char *ref_problem(const char *s);

/** Appends @p key to @p pointer as a JSON Pointer token ("~" → "~0", "/" → "~1"). */
void pointer_append(char *pointer, size_t cap, const char *key);

/**
 * Base64url without padding. Returns a malloc'd string (caller frees), or NULL.
 */
char *base64url_encode(const unsigned char *data, size_t len);
/** @return malloc'd bytes, NUL-terminated, length in *len_out; NULL if malformed. */
unsigned char *base64url_decode(const char *s, size_t *len_out);

/**
 * RFC 7396 JSON Merge Patch.
 * @param j_target borrowed (may be NULL)
 * @param j_patch borrowed
 * @return new reference: the patched document
 */
json_t *merge_patch(const json_t *j_target, const json_t *j_patch);

/* Cursor: an opaque token carrying the sort spec, the last row's sort key values and id. */

/** @return malloc'd token, or NULL. @p keys holds nkeys values, the last one the id. */
char *cursor_encode(const char *sort, const char *const *keys, int nkeys);

/**
 * Decodes @p token made for list order @p sort with @p nkeys values.
 * @param keys_out receives nkeys malloc'd strings (free each with free())
 * @return 1 if the token is well formed and made for @p sort, else 0
 */
int cursor_decode(const char *token, const char *sort, int nkeys, char **keys_out);

#endif
