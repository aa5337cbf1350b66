#include "support/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service/auth.h"
#include "service/config.h"

extern char **environ;
static service_proc shared;

const char *harness_database_url(void)
{
    const char *url = getenv("DATABASE_URL");
    return url && *url ? url : NULL;
}

int harness_free_port(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(addr.sin_port);
}

static int wait_healthy(int port, pid_t pid, int seconds)
{
    struct timespec pause = {0, 50 * 1000 * 1000};
    for (int i = 0; i < seconds * 20; i++) {
        http_response r;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return -1;
        }
        http_set_port(port);
        if (http_send_raw(&r, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                          53) == 0 &&
            r.status == 200) {
            http_response_clear(&r);
            return 0;
        }
        http_response_clear(&r);
        nanosleep(&pause, NULL);
    }
    return -1;
}

int harness_spawn(service_proc *out, const char *const *extra_env, int wait)
{
    static int instance;
    char port_var[32], url_var[2048];
    const char *base_env[] = {"JWT_SECRET=" TEST_JWT_SECRET, "BIND_ADDRESS=127.0.0.1",
                              "CORS_ALLOWED_ORIGINS=" TEST_CORS_ORIGIN, "LOG_LEVEL=info",
                              "DB_ACQUIRE_TIMEOUT_MS=2000", "PATH=/usr/bin:/bin", NULL};
    const char *env[64];
    int n = 0;

    memset(out, 0, sizeof *out);
    out->port = harness_free_port();
    snprintf(port_var, sizeof port_var, "PORT=%d", out->port);
    snprintf(url_var, sizeof url_var, "DATABASE_URL=%s",
             harness_database_url() ? harness_database_url() : "");
    env[n++] = port_var;
    env[n++] = url_var;
    for (int i = 0; base_env[i]; i++) {
        env[n++] = base_env[i];
    }
    /* glibc's getenv returns the first match: overrides go first. */
    if (extra_env != NULL) {
        int k = 0;
        while (extra_env[k] != NULL && k < 30) {
            k++;
        }
        memmove(env + k, env, (size_t)n * sizeof env[0]);
        for (int i = 0; i < k; i++) {
            env[i] = extra_env[i];
        }
        n += k;
    }
    env[n] = NULL;
    mkdir(TEST_OUTPUT_DIR, 0755);
    snprintf(out->log_path, sizeof out->log_path, "%s/service-%d-%d.log", TEST_OUTPUT_DIR,
             (int)getpid(), instance++);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
        execle(SERVICE_BINARY, SERVICE_BINARY, "serve", (char *)NULL, (char *const *)env);
        _exit(127);
    }
    out->pid = pid;
    if (wait && wait_healthy(out->port, pid, 30) != 0) {
        harness_stop(out, SIGKILL);
        return -1;
    }
    return 0;
}

int harness_stop(service_proc *p, int sig)
{
    int status = 0;
    if (p->pid <= 0) {
        return -1;
    }
    kill(p->pid, sig);
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
    }
    p->pid = 0;
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return 128 + WTERMSIG(status);
}

int harness_start(void)
{
    mkdir(TEST_OUTPUT_DIR, 0755);
    unlink(TEST_OUTPUT_DIR "/exchanges.jsonl");
    if (harness_spawn(&shared, NULL, 1) != 0) {
        fprintf(stderr, "the service did not start; see %s\n", shared.log_path);
        return -1;
    }
    http_set_port(shared.port);
    return 0;
}

int harness_finish(void)
{
    int rc = harness_stop(&shared, SIGTERM);
    if (rc != 0) {
        fprintf(stderr, "the service exited with %d after SIGTERM; see %s\n", rc,
                shared.log_path);
    }
    return rc;
}

char *harness_token(const char *sub, const char *roles)
{
    svc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.jwt_alg = JWT_ALG_HS256;
    cfg.jwt_key = (unsigned char *)TEST_JWT_SECRET;
    cfg.jwt_key_len = strlen(TEST_JWT_SECRET);
    cfg.jwt_roles_claim = "roles";
    return auth_mint(&cfg, sub, roles, 3600);
}

const char *harness_unique(const char *prefix, char *buf, size_t cap)
{
    static unsigned counter;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(buf, cap, "%s-%d-%lx-%u", prefix, (int)getpid(), (unsigned long)now.tv_nsec,
             counter++);
    return buf;
}

int api_call(http_response *out, const char *method, const char *path, const char *role,
             const char *body, const char *const *extra_headers)
{
    const char *headers[24];
    char auth[1200];
    int n = 0;
    char *token = NULL;

    if (role != NULL) {
        token = harness_token(role, role);
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        headers[n++] = auth;
    }
    int typed = 0;
    for (int i = 0; extra_headers && extra_headers[i]; i++) {
        typed |= strncasecmp(extra_headers[i], "Content-Type:", 13) == 0;
    }
    if (body != NULL && !typed) {
        headers[n++] = "Content-Type: application/json";
    }
    for (int i = 0; extra_headers && extra_headers[i] && n < 23; i++) {
        headers[n++] = extra_headers[i];
    }
    headers[n] = NULL;
    int rc = http_send(out, method, path, headers, body, body ? strlen(body) : 0);
    free(token);
    return rc;
}

const char *fmt_path(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return buf;
}
