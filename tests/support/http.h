/* A minimal HTTP/1.1 client over a raw socket, so tests control every byte they send
 * (hostile headers, broken bodies) and see every byte that comes back. Every exchange
 * is appended to TEST_OUTPUT_DIR/exchanges.jsonl for the contract checks. */
#ifndef TEST_HTTP_H
#define TEST_HTTP_H

#include <stddef.h>

#include <jansson.h>

typedef struct http_response {
    int status;
    char *headers;  /* raw header block, lines separated by \r\n */
    char *body;     /* NUL-terminated (bodies are text here) */
    size_t body_len;
    json_t *json;   /* parsed body when it is JSON, else NULL */
} http_response;

/** Port of the service under test. */
void http_set_port(int port);
int http_port(void);

/**
 * Sends one request on a fresh connection. @p headers is a NULL-terminated list of
 * "Name: value" lines (may be NULL). @p body may be NULL.
 * @return 0, or -1 when the connection failed
 */
int http_send(http_response *out, const char *method, const char *path,
              const char *const *headers, const char *body, size_t body_len);

/** Sends raw bytes (a whole request) and reads the reply. */
int http_send_raw(http_response *out, const char *raw, size_t raw_len);

/**
 * Sends @p raw (typically a request head announcing a body) and never the rest, then
 * waits up to @p wait_seconds for a reply: only a reply sent before the body arrives
 * counts. @return 0, or -1 when nothing complete came back in time
 */
int http_send_unfinished(http_response *out, const char *raw, size_t raw_len, int wait_seconds);

/** Value of header @p name (case-insensitive), copied into @p buf; NULL when absent. */
const char *http_header(const http_response *r, const char *name, char *buf, size_t cap);

void http_response_clear(http_response *r);

#endif
