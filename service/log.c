/* Structured logging to stderr. Owns the line format; knows nothing of HTTP. */
#include "service/log.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static log_level min_level = LOG_INFO;
static _Thread_local const char *thread_request_id;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level level) { min_level = level; }

int log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void log_set_request_id(const char *id) { thread_request_id = id; }

static void timestamp_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

void log_json(log_level level, json_t *j_fields)
{
    char ts[32];
    json_t *j_line = NULL;
    char *text = NULL;

    if (level < min_level) {
        return;
    }
    timestamp_now(ts);
    j_line = json_pack("{ssss}", "ts", ts, "level", level_names[level]);
    if (j_line == NULL) {
        return;
    }
    if (thread_request_id != NULL && json_object_get(j_fields, "request_id") == NULL) {
        json_object_set_new(j_line, "request_id", json_string(thread_request_id));
    }
    json_object_update(j_line, j_fields);
    text = json_dumps(j_line, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (text != NULL) {
        fprintf(stderr, "%s\n", text);
        free(text);
    }
    json_decref(j_line);
}

void log_msg(log_level level, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    json_t *j_fields;

    if (level < min_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    j_fields = json_pack("{ss}", "msg", msg);
    if (j_fields == NULL) {
        /* Invalid UTF-8 in the message: fall back to a sanitised copy. */
        for (char *p = msg; *p; p++) {
            if ((unsigned char)*p >= 0x80) {
                *p = '?';
            }
        }
        j_fields = json_pack("{ss}", "msg", msg);
    }
    log_json(level, j_fields);
    json_decref(j_fields);
}
