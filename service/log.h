/* One JSON object per line on stderr. Each thread may carry the id of the request it
 * serves, so lines logged deep in the db layer still name their request. */
#ifndef SVC_LOG_H
#define SVC_LOG_H

struct json_t;

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } log_level;

/** Sets the minimum level written. */
void log_set_level(log_level level);
/** Parses "debug|info|warn|error"; returns -1 when unknown. */
int log_level_parse(const char *name);
/** Binds a request id to the calling thread (NULL clears it). Borrows @p id until cleared. */
void log_set_request_id(const char *id);
/** Writes {"ts","level","msg",["request_id"]} plus printf-style message. */
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Writes one line made of @p j_fields (borrowed) plus ts and level. */
void log_json(log_level level, struct json_t *j_fields);

#endif
