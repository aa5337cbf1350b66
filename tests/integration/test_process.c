/* The process as operations see it: configuration errors, concurrent migrations,
 * database outages and reconnects, graceful stop. Each test starts its own instance. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "integration/suites.h"
#include "service/embedded.h"
#include "support/check_helpers.h"
#include "support/proxy.h"

typedef struct pg_target {
    char host[256], port[16], user[128], dbname[128];
} pg_target;

static void target_from_url(pg_target *t)
{
    PQconninfoOption *opts = PQconninfoParse(harness_database_url(), NULL);
    snprintf(t->host, sizeof t->host, "127.0.0.1");
    snprintf(t->port, sizeof t->port, "5432");
    snprintf(t->user, sizeof t->user, "postgres");
    snprintf(t->dbname, sizeof t->dbname, "postgres");
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (o->val == NULL) {
            continue;
        }
        if (strcmp(o->keyword, "host") == 0) {
            snprintf(t->host, sizeof t->host, "%s", o->val);
        } else if (strcmp(o->keyword, "port") == 0) {
            snprintf(t->port, sizeof t->port, "%s", o->val);
        } else if (strcmp(o->keyword, "user") == 0) {
            snprintf(t->user, sizeof t->user, "%s", o->val);
        } else if (strcmp(o->keyword, "dbname") == 0) {
            snprintf(t->dbname, sizeof t->dbname, "%s", o->val);
        }
    }
    PQconninfoFree(opts);
}

static void sql(const char *conninfo, const char *statement)
{
    PGconn *c = PQconnectdb(conninfo);
    ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
    PGresult *res = PQexec(c, statement);
    ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK,
                  "%s: %s", statement, PQerrorMessage(c));
    PQclear(res);
    PQfinish(c);
}

/* Reads the whole log of a stopped instance. */
static char *read_log(const service_proc *p)
{
    FILE *f = fopen(p->log_path, "r");
    char *buf = calloc(1, 65536);
    if (f != NULL) {
        size_t n = fread(buf, 1, 65535, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static void assert_refuses_start(const char *const *env, const char *mention)
{
    service_proc p;
    harness_spawn(&p, env, 0);
    /* It must exit by itself, quickly. */
    int status = -1;
    for (int i = 0; i < 100; i++) {
        int st;
        if (waitpid(p.pid, &st, WNOHANG) == p.pid) {
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
            p.pid = 0;
            break;
        }
        usleep(50 * 1000);
    }
    if (p.pid != 0) {
        harness_stop(&p, SIGKILL);
    }
    ck_assert_int_ne(status, 0);
    ck_assert_int_ne(status, -1);
    char *log = read_log(&p);
    ck_assert_msg(strstr(log, mention) != NULL, "log lacks %s: %s", mention, log);
    ck_assert_msg(strchr(log, '\n') == log + strlen(log) - 1, "more than one line: %s", log);
    free(log);
}

START_TEST(test_process_bad_configuration_stops_start)
{
    const char *port[] = {"PORT=eighty", NULL};
    const char *secret[] = {"JWT_SECRET=short", NULL};
    const char *key[] = {"JWT_ALG=RS256", "JWT_PUBLIC_KEY_FILE=/nonexistent/key.pem", NULL};
    const char *limit[] = {"MAX_BODY_BYTES=-1", NULL};
    assert_refuses_start(port, "PORT");
    assert_refuses_start(secret, "JWT_SECRET");
    assert_refuses_start(key, "JWT_PUBLIC_KEY_FILE");
    assert_refuses_start(limit, "MAX_BODY_BYTES");
}
END_TEST

START_TEST(test_process_concurrent_migrations)
{
    pg_target t;
    char admin[1024], fresh[1024], dbname[96], stmt[256], env_url[1100];
    service_proc a, b;

    target_from_url(&t);
    snprintf(dbname, sizeof dbname, "isms_race_%d", (int)getpid());
    snprintf(admin, sizeof admin, "host=%s port=%s user=%s dbname=%s", t.host, t.port, t.user,
             t.dbname);
    snprintf(fresh, sizeof fresh, "host=%s port=%s user=%s dbname=%s", t.host, t.port, t.user,
             dbname);
    snprintf(stmt, sizeof stmt, "CREATE DATABASE %s", dbname);
    sql(admin, stmt);
    snprintf(env_url, sizeof env_url, "DATABASE_URL=%s", fresh);
    const char *env[] = {env_url, NULL};
    ck_assert_int_eq(harness_spawn(&a, env, 0), 0);
    ck_assert_int_eq(harness_spawn(&b, env, 0), 0);
    /* Both come up on the same schema. */
    for (int i = 0; i < 2; i++) {
        service_proc *p = i ? &b : &a;
        int up = 0;
        for (int k = 0; k < 200 && !up; k++) {
            http_response r;
            http_set_port(p->port);
            up = http_send(&r, "GET", "/readyz", NULL, NULL, 0) == 0 && r.status == 200;
            http_response_clear(&r);
            usleep(50 * 1000);
        }
        ck_assert_msg(up, "instance %d not ready: see %s", i, p->log_path);
    }
    PGconn *c = PQconnectdb(fresh);
    PGresult *res = PQexec(c, "SELECT count(*) FROM schema_migrations");
    ck_assert_int_eq(atoi(PQgetvalue(res, 0, 0)), (int)embedded_migrations_count);
    PQclear(res);
    PQfinish(c);
    ck_assert_int_eq(harness_stop(&a, SIGTERM), 0);
    ck_assert_int_eq(harness_stop(&b, SIGTERM), 0);
    snprintf(stmt, sizeof stmt, "DROP DATABASE %s", dbname);
    sql(admin, stmt);
}
END_TEST

static int get_status(int port, const char *path, const char *role, char *retry_after, size_t cap)
{
    http_response r;
    http_set_port(port);
    if (api_call(&r, "GET", path, role, NULL, NULL) != 0) {
        return -1;
    }
    int status = r.status;
    if (retry_after != NULL && http_header(&r, "Retry-After", retry_after, cap) == NULL) {
        retry_after[0] = '\0';
    }
    http_response_clear(&r);
    return status;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_process_database_outage_and_recovery)
{
    pg_target t;
    char env_url[1100], retry[32];
    service_proc p;

    target_from_url(&t);
    tcp_proxy *proxy = proxy_start(t.host[0] == '/' ? "127.0.0.1" : t.host, atoi(t.port));
    ck_assert_ptr_nonnull(proxy);
    snprintf(env_url, sizeof env_url, "DATABASE_URL=host=127.0.0.1 port=%d user=%s dbname=%s",
             proxy_port(proxy), t.user, t.dbname);
    const char *env[] = {env_url, "DB_POOL_SIZE=2", NULL};
    ck_assert_int_eq(harness_spawn(&p, env, 1), 0);
    ck_assert_int_eq(get_status(p.port, "/v1/objectives", "viewer", NULL, 0), 200);

    /* Connections cut but the database reachable: the next request reconnects silently. */
    proxy_bounce(proxy);
    usleep(300 * 1000);
    ck_assert_int_eq(get_status(p.port, "/v1/objectives", "viewer", NULL, 0), 200);
    ck_assert_int_eq(get_status(p.port, "/v1/objectives", "viewer", NULL, 0), 200);

    /* Database gone: 503 with Retry-After, quickly, and readiness fails. */
    proxy_set_down(proxy, 1);
    usleep(300 * 1000);
    double start = now_seconds();
    ck_assert_int_eq(get_status(p.port, "/v1/objectives", "viewer", retry, sizeof retry), 503);
    ck_assert_str_eq(retry, "2");
    ck_assert_int_eq(get_status(p.port, "/readyz", NULL, NULL, 0), 503);
    ck_assert_int_eq(get_status(p.port, "/healthz", NULL, NULL, 0), 200);
    ck_assert_msg(now_seconds() - start < 10, "outage replies took %.1fs", now_seconds() - start);

    /* Back: the service recovers by itself within seconds. */
    proxy_set_down(proxy, 0);
    start = now_seconds();
    int status = 0;
    while (status != 200 && now_seconds() - start < 10) {
        status = get_status(p.port, "/v1/objectives", "viewer", NULL, 0);
    }
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(harness_stop(&p, SIGTERM), 0);
    proxy_stop(proxy);
}
END_TEST

START_TEST(test_process_sigterm_drains_in_flight_request)
{
    service_proc p;
    ck_assert_int_eq(harness_spawn(&p, NULL, 1), 0);
    char *token = harness_token("editor", "editor");
    const char *body = "{\"title\":\"in flight at shutdown\",\"level\":\"tactical\"}";
    char head[2048];
    int head_len = snprintf(head, sizeof head,
                            "POST /v1/objectives HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\n\r\n",
                            token, strlen(body));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p.port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    /* Headers and half the body, then SIGTERM, then the rest. */
    send(fd, head, (size_t)head_len, 0);
    send(fd, body, 10, 0);
    usleep(200 * 1000);
    kill(p.pid, SIGTERM);
    usleep(300 * 1000);
    send(fd, body + 10, strlen(body) - 10, 0);
    char reply[8192] = "";
    size_t got = 0;
    ssize_t n;
    while ((n = recv(fd, reply + got, sizeof reply - 1 - got, 0)) > 0) {
        got += (size_t)n;
    }
    reply[got] = '\0';
    close(fd);
    ck_assert_msg(strncmp(reply, "HTTP/1.1 201", 12) == 0, "reply: %.300s", reply);
    ck_assert_int_eq(harness_stop(&p, SIGTERM), 0);
    free(token);
}
END_TEST

START_TEST(test_process_more_than_1024_connections)
{
    enum { CONNECTIONS = 1100 };
    static int fds[CONNECTIONS];
    struct rlimit lim;
    service_proc p;
    int answered = 0;

    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    ck_assert_msg(lim.rlim_max > CONNECTIONS + 64, "fd limit %lu too low for this test",
                  (unsigned long)lim.rlim_max);
    ck_assert_int_eq(harness_spawn(&p, NULL, 1), 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p.port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    /* All open at once, then each asks for /healthz. */
    for (int i = 0; i < CONNECTIONS; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&addr, sizeof addr), 0);
    }
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < CONNECTIONS; i++) {
        send(fds[i], req, sizeof req - 1, MSG_NOSIGNAL);
    }
    for (int i = 0; i < CONNECTIONS; i++) {
        char buf[512];
        struct timeval tv = {10, 0};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t n = recv(fds[i], buf, sizeof buf - 1, 0);
        answered += n > 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0;
        close(fds[i]);
    }
    ck_assert_int_eq(answered, CONNECTIONS);
    ck_assert_int_eq(harness_stop(&p, SIGTERM), 0);
}
END_TEST

/* A write whose transaction fails after the row was read back must not be acknowledged:
 * the audit insert is made to fail for one subject only. */
START_TEST(test_process_failed_commit_is_not_acknowledged)
{
    pg_target t;
    char conninfo[1024];
    http_response r;
    target_from_url(&t);
    snprintf(conninfo, sizeof conninfo, "host=%s port=%s user=%s dbname=%s", t.host, t.port,
             t.user, t.dbname);
    sql(conninfo, "ALTER TABLE audit_events ADD CONSTRAINT refuse_unlucky"
                  " CHECK (actor <> 'unlucky') NOT VALID");
    char *token = harness_token("unlucky", "editor,admin");
    char auth[1200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    const char *body = "{\"title\":\"never acknowledged\",\"level\":\"tactical\","
                       "\"ref\":\"UNLUCKY-1\"}";
    http_send(&r, "POST", "/v1/objectives", headers, body, strlen(body));
    int status = r.status;
    http_response_clear(&r);
    sql(conninfo, "ALTER TABLE audit_events DROP CONSTRAINT refuse_unlucky");
    ck_assert_int_eq(status, 500);
    api_call(&r, "GET", "/v1/objectives?q=UNLUCKY-1", "viewer", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    http_response_clear(&r);
    free(token);
}
END_TEST

Suite *suite_process(void)
{
    Suite *s = suite_create("process");
    TCase *tc = tcase_create("process");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_process_bad_configuration_stops_start);
    tcase_add_test(tc, test_process_concurrent_migrations);
    tcase_add_test(tc, test_process_database_outage_and_recovery);
    tcase_add_test(tc, test_process_sigterm_drains_in_flight_request);
    tcase_add_test(tc, test_process_more_than_1024_connections);
    tcase_add_test(tc, test_process_failed_commit_is_not_acknowledged);
    suite_add_tcase(s, tc);
    return s;
}
