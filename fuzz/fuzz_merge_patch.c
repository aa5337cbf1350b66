/* Fuzz target: JSON Merge Patch (RFC 7396) as PATCH runs it. The input is a target
 * document, a NUL byte, and a patch document (no NUL: the whole input is the patch and
 * the target is absent). Both are read with JSON_REJECT_DUPLICATES; the merged document
 * is validated as an objective in update mode, with its normalize and check, as
 * update_tx does.
 *
 * Properties: merge_patch returns a document and leaves its inputs unchanged; a patch is
 * idempotent (patching the result again changes nothing); a patch that is not an object
 * replaces the target; every key the patch sets to null is gone from the result. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/parse.h"
#include "api/resources.h"
#include "api/validate.h"
#include "fuzz_util.h"

static void validate_as_objective(const json_t *j_doc)
{
    const api_resource *r = &api_objective_resource;
    json_t *j_errors = json_array();
    json_t *j_flat = validate_doc(j_doc, r->fields, r->read_only, VALIDATE_UPDATE, j_errors);
    char *text;

    FUZZ_CHECK(json_is_object(j_flat));
    if (r->normalize != NULL) {
        r->normalize(j_flat);
    }
    if (r->check != NULL) {
        r->check(j_flat, j_errors);
    }
    text = json_dumps(j_flat, JSON_COMPACT | JSON_REAL_PRECISION(17));
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(j_flat);
    json_decref(j_errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    json_t *j_target = NULL, *j_patch = NULL, *j_target_copy = NULL, *j_patch_copy = NULL;
    json_t *j_result = NULL, *j_again = NULL;
    const char *key;
    json_t *j_value;

    if (nul != NULL) {
        j_target = json_loadb((const char *)data, (size_t)(nul - data), JSON_REJECT_DUPLICATES,
                              NULL);
        j_patch = json_loadb((const char *)nul + 1, size - (size_t)(nul - data) - 1,
                             JSON_REJECT_DUPLICATES, NULL);
    } else {
        j_patch = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    }
    if (j_patch == NULL) {
        goto out;
    }
    j_target_copy = j_target ? json_deep_copy(j_target) : NULL;
    j_patch_copy = json_deep_copy(j_patch);

    j_result = merge_patch(j_target, j_patch);
    FUZZ_CHECK(j_result != NULL);
    FUZZ_CHECK(j_target == NULL || json_equal(j_target, j_target_copy));
    FUZZ_CHECK(json_equal(j_patch, j_patch_copy));
    if (!json_is_object(j_patch)) {
        FUZZ_CHECK(json_equal(j_result, j_patch));
    } else {
        FUZZ_CHECK(json_is_object(j_result));
        json_object_foreach(j_patch, key, j_value)
        {
            if (json_is_null(j_value)) {
                FUZZ_CHECK(json_object_get(j_result, key) == NULL);
            }
        }
    }
    j_again = merge_patch(j_result, j_patch);
    FUZZ_CHECK(j_again != NULL && json_equal(j_again, j_result));

    if (json_is_object(j_result)) {
        validate_as_objective(j_result);
    }
out:
    json_decref(j_again);
    json_decref(j_result);
    json_decref(j_patch_copy);
    json_decref(j_target_copy);
    json_decref(j_patch);
    json_decref(j_target);
    return 0;
}
