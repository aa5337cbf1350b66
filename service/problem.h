/* RFC 9457 problem replies: the single place where failures become HTTP. */
#ifndef SVC_PROBLEM_H
#define SVC_PROBLEM_H

#include <jansson.h>

#include "service/request.h"

typedef enum {
    PROBLEM_MALFORMED_JSON,
    PROBLEM_MALFORMED_BODY,
    PROBLEM_INVALID_PARAMETER,
    PROBLEM_UNAUTHORIZED,
    PROBLEM_FORBIDDEN,
    PROBLEM_NOT_FOUND,
    PROBLEM_METHOD_NOT_ALLOWED,
    PROBLEM_CONFLICT,
    PROBLEM_PRECONDITION_FAILED,
    PROBLEM_PAYLOAD_TOO_LARGE,
    PROBLEM_UNSUPPORTED_MEDIA_TYPE,
    PROBLEM_VALIDATION_FAILED,
    PROBLEM_INTERNAL,
    PROBLEM_SERVICE_UNAVAILABLE,
} problem_kind;

/** HTTP status of @p kind. */
int problem_status(problem_kind kind);

/**
 * Sends a problem+json reply.
 * @param detail text for the client about this occurrence (never internals)
 * @param j_errors array of field errors, or NULL; stolen
 */
void problem_send(req_ctx *rc, problem_kind kind, const char *detail, json_t *j_errors);

/** As problem_send, with the members of @p j_extra (stolen, may be NULL) added. */
void problem_send_ext(req_ctx *rc, problem_kind kind, const char *detail, json_t *j_errors,
                      json_t *j_extra);

/** Sends the problem that an rc from the db layer means; @p what names the resource. */
void problem_from_rc(req_ctx *rc, int code, const char *what);

/** Errors one list holds; past them, one too_many_errors entry says more were found. */
#define ERRORS_MAX 50

/**
 * Appends {field, code, message} to @p j_errors (borrowed). The list stops at ERRORS_MAX
 * errors and one too_many_errors entry (naming the field of the first error left out),
 * so hostile input cannot grow a reply without bound.
 */
void errors_add(json_t *j_errors, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** As errors_add, with the list stopping at @p max errors (at most ERRORS_MAX). */
void errors_add_max(json_t *j_errors, size_t max, const char *field, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
