/* Return codes shared by every layer: 0 is success, negative is an error.
 * HTTP statuses are chosen from these in one place (service/problem.c). */
#ifndef SVC_RC_H
#define SVC_RC_H

enum {
    SVC_OK = 0,
    SVC_ENOTFOUND = -1,    /* no such row */
    SVC_ECONFLICT = -2,    /* unique violation (duplicate ref) */
    SVC_EINVALID = -3,     /* input rejected (validation errors collected by the caller) */
    SVC_ESTATE = -4,       /* the row or its parent is archived */
    SVC_EPRECONDITION = -5, /* If-Match did not match */
    SVC_EUNAVAILABLE = -6, /* database unreachable, pool exhausted, statement timeout */
    SVC_ERETRY = -7,       /* serialization failure or deadlock: run the transaction again */
    SVC_EINTERNAL = -8     /* anything else; logged where it happened */
};

#endif
