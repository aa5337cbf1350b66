/* Fuzz target: JSON request bodies. The bytes are read the way api_read_object_or_problem
 * reads a body (json_loadb with JSON_REJECT_DUPLICATES, objects only), then validated as
 * every resource in create and in update mode, followed by the resource's normalize and
 * check, in the order api/resource.c runs them. The flat document and the error list are
 * serialised as the db layer and the problem reply would.
 *
 * Properties: validate_doc always returns a document; every error is {field, code,
 * message} strings; both the document and the errors serialise. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "api/resources.h"
#include "api/validate.h"
#include "fuzz_util.h"

static const api_resource *const resources[] = {
    &api_objective_resource, &api_measurement_resource, &api_plan_resource,
    &api_action_resource,    &api_risk_resource,        &api_review_resource,
    &api_review_item_resource,
};

static void check_errors(const json_t *j_errors)
{
    size_t i;
    const json_t *j_err;

    FUZZ_CHECK(json_is_array(j_errors));
    json_array_foreach(j_errors, i, j_err)
    {
        FUZZ_CHECK(json_is_string(json_object_get(j_err, "field")));
        FUZZ_CHECK(json_is_string(json_object_get(j_err, "code")));
        FUZZ_CHECK(json_is_string(json_object_get(j_err, "message")));
    }
}

static void run(const api_resource *r, const json_t *j_doc, validate_mode mode)
{
    json_t *j_errors = json_array();
    json_t *j_flat = validate_doc(j_doc, r->fields, r->read_only, mode, j_errors);
    char *text = NULL;

    FUZZ_CHECK(json_is_object(j_flat));
    if (r->parent_field != NULL) {
        json_object_set_new(j_flat, r->parent_field,
                            json_string("5f0c2b9e-8a41-4d6b-9c3e-2a7d1f4b6e80"));
    }
    if (r->normalize != NULL) {
        r->normalize(j_flat);
    }
    if (r->check != NULL) {
        r->check(j_flat, j_errors);
    }
    check_errors(j_errors);
    text = json_dumps(j_flat, JSON_COMPACT | JSON_REAL_PRECISION(17));
    FUZZ_CHECK(text != NULL);
    free(text);
    text = json_dumps(j_errors, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(j_flat);
    json_decref(j_errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j_body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

    if (json_is_object(j_body)) {
        for (size_t i = 0; i < sizeof resources / sizeof resources[0]; i++) {
            run(resources[i], j_body, VALIDATE_CREATE);
            run(resources[i], j_body, VALIDATE_UPDATE);
        }
    }
    json_decref(j_body);
    return 0;
}
