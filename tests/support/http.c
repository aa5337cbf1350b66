#include "support/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int service_port;

void http_set_port(int port) { service_port = port; }

int http_port(void) { return service_port; }

void http_response_clear(http_response *r)
{
    free(r->headers);
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static int connect_service(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)service_port)};
    struct timeval timeout = {30, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return errno == EPIPE || errno == ECONNRESET ? 1 : -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until the peer closes (we always send Connection: close). */
static char *recv_all(int fd, size_t *len_out)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

static void dechunk(char *body, size_t *len)
{
    char *in = body, *out = body, *end = body + *len;
    while (in < end) {
        char *stop = NULL;
        unsigned long n = strtoul(in, &stop, 16);
        char *line_end = strstr(in, "\r\n");
        if (line_end == NULL || n == 0) {
            break;
        }
        in = line_end + 2;
        if (in + n > end) {
            n = (unsigned long)(end - in);
        }
        memmove(out, in, n);
        out += n;
        in += n + 2;
    }
    *len = (size_t)(out - body);
    body[*len] = '\0';
}

const char *http_header(const http_response *r, const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *next = strstr(line, "\r\n");
        size_t line_len = next ? (size_t)(next - line) : strlen(line);
        if (line_len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ') {
                v++;
            }
            size_t vlen = line_len - (size_t)(v - line);
            if (vlen >= cap) {
                vlen = cap - 1;
            }
            memcpy(buf, v, vlen);
            buf[vlen] = '\0';
            return buf;
        }
        line = next ? next + 2 : NULL;
    }
    return NULL;
}

static int parse_response(http_response *out, char *raw, size_t raw_len)
{
    char *head_end = strstr(raw, "\r\n\r\n");
    char *line_end;
    char te[64];

    if (raw_len < 12 || head_end == NULL || strncmp(raw, "HTTP/1.", 7) != 0) {
        free(raw);
        return -1;
    }
    out->status = atoi(raw + 9);
    line_end = strstr(raw, "\r\n");
    out->headers = strndup(line_end + 2, (size_t)(head_end - line_end));
    out->body_len = raw_len - (size_t)(head_end + 4 - raw);
    out->body = malloc(out->body_len + 1);
    memcpy(out->body, head_end + 4, out->body_len);
    out->body[out->body_len] = '\0';
    free(raw);
    if (http_header(out, "Transfer-Encoding", te, sizeof te) && strcasecmp(te, "chunked") == 0) {
        dechunk(out->body, &out->body_len);
    }
    out->json = out->body_len ? json_loadb(out->body, out->body_len, 0, NULL) : NULL;
    return 0;
}

static void record_exchange(const char *method, const char *path, const char *const *headers,
                            const char *body, size_t body_len, const http_response *r)
{
    static const char *dir = TEST_OUTPUT_DIR;
    char file[1024];
    json_t *j_req_headers = json_array();
    json_t *j_line;
    char *text;

    for (size_t i = 0; headers && headers[i]; i++) {
        json_array_append_new(j_req_headers, json_string(headers[i]));
    }
    json_t *j_req_body = body ? json_stringn(body, body_len) : json_null();
    json_t *j_resp_body = r->body ? json_stringn(r->body, r->body_len) : json_null();
    j_line = NULL;
    if (j_req_body != NULL && j_resp_body != NULL) {
        j_line = json_pack("{s:{s:s, s:s, s:O, s:O}, s:{s:i, s:s?, s:O}}", "request", "method",
                           method, "path", path, "headers", j_req_headers, "body", j_req_body,
                           "response", "status", r->status, "headers", r->headers, "body",
                           j_resp_body);
    }
    json_decref(j_req_headers);
    json_decref(j_req_body);
    json_decref(j_resp_body);
    if (j_line == NULL) {
        return; /* binary bytes that are not UTF-8: nothing to check against the spec */
    }
    snprintf(file, sizeof file, "%s/exchanges.jsonl", dir);
    text = json_dumps(j_line, JSON_COMPACT);
    /* Test processes run in parallel: one locked write per line keeps lines whole. */
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0 && text != NULL) {
        size_t len = strlen(text);
        text[len] = '\n';
        flock(fd, LOCK_EX);
        for (size_t done = 0; done < len + 1;) {
            ssize_t n = write(fd, text + done, len + 1 - done);
            if (n <= 0) {
                break;
            }
            done += (size_t)n;
        }
        flock(fd, LOCK_UN);
        text[len] = '\0';
    }
    if (fd >= 0) {
        close(fd);
    }
    free(text);
    json_decref(j_line);
}

int http_send_raw(http_response *out, const char *raw, size_t raw_len)
{
    size_t len = 0;
    int fd = connect_service();
    memset(out, 0, sizeof *out);
    if (fd < 0) {
        return -1;
    }
    /* The server may answer (413) and close before reading all we send. */
    send_all(fd, raw, raw_len);
    shutdown(fd, SHUT_WR);
    char *reply = recv_all(fd, &len);
    close(fd);
    return parse_response(out, reply, len);
}

int http_send_unfinished(http_response *out, const char *raw, size_t raw_len, int wait_seconds)
{
    size_t len = 0;
    struct timeval timeout = {wait_seconds, 0};
    int fd = connect_service();
    memset(out, 0, sizeof *out);
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    /* No shutdown: the body is still "to come", so only an early reply can arrive. */
    send_all(fd, raw, raw_len);
    char *reply = recv_all(fd, &len);
    close(fd);
    return parse_response(out, reply, len);
}

int http_send(http_response *out, const char *method, const char *path,
              const char *const *headers, const char *body, size_t body_len)
{
    size_t cap = 4096 + body_len + strlen(path);
    char *req;
    size_t len;
    int rc;

    for (size_t i = 0; headers && headers[i]; i++) {
        cap += strlen(headers[i]) + 2;
    }
    req = malloc(cap);
    len = (size_t)snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                           method, path);
    for (size_t i = 0; headers && headers[i]; i++) {
        len += (size_t)snprintf(req + len, cap - len, "%s\r\n", headers[i]);
    }
    if (body != NULL) {
        len += (size_t)snprintf(req + len, cap - len, "Content-Length: %zu\r\n", body_len);
    }
    len += (size_t)snprintf(req + len, cap - len, "\r\n");
    if (body != NULL) {
        memcpy(req + len, body, body_len);
        len += body_len;
    }
    rc = http_send_raw(out, req, len);
    free(req);
    if (rc == 0) {
        record_exchange(method, path, headers, body, body_len, out);
    }
    return rc;
}
