#include "support/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PIPES 256

struct tcp_proxy {
    int listen_fd;
    int port;
    struct sockaddr_in target;
    atomic_int down;
    atomic_int generation; /* bumped to cut every pipe */
    atomic_int stopping;
    pthread_t acceptor;
};

typedef struct pipe_args {
    tcp_proxy *p;
    int client, server;
    int generation;
} pipe_args;

static void *pipe_run(void *arg)
{
    pipe_args *a = arg;
    char buf[16384];
    struct pollfd fds[2] = {{.fd = a->client, .events = POLLIN}, {.fd = a->server, .events = POLLIN}};
    while (!atomic_load(&a->p->stopping) && atomic_load(&a->p->generation) == a->generation) {
        int n = poll(fds, 2, 100);
        if (n <= 0) {
            continue;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t got = recv(fds[i].fd, buf, sizeof buf, 0);
                if (got <= 0 || send(fds[1 - i].fd, buf, (size_t)got, MSG_NOSIGNAL) != got) {
                    goto out;
                }
            }
        }
    }
out:
    close(a->client);
    close(a->server);
    free(a);
    return NULL;
}

static void *accept_run(void *arg)
{
    tcp_proxy *p = arg;
    while (!atomic_load(&p->stopping)) {
        struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        int client = accept(p->listen_fd, NULL, NULL);
        if (client < 0) {
            continue;
        }
        if (atomic_load(&p->down)) {
            close(client);
            continue;
        }
        int server = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(server, (struct sockaddr *)&p->target, sizeof p->target) != 0) {
            close(server);
            close(client);
            continue;
        }
        pipe_args *a = malloc(sizeof *a);
        *a = (pipe_args){p, client, server, atomic_load(&p->generation)};
        pthread_t t;
        pthread_create(&t, NULL, pipe_run, a);
        pthread_detach(t);
    }
    return NULL;
}

tcp_proxy *proxy_start(const char *host, int port)
{
    tcp_proxy *p = calloc(1, sizeof *p);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t len = sizeof addr;
    int one = 1;

    p->target.sin_family = AF_INET;
    p->target.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &p->target.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(p->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(p->listen_fd, 64) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&addr, &len) != 0) {
        close(p->listen_fd);
        free(p);
        return NULL;
    }
    p->port = ntohs(addr.sin_port);
    pthread_create(&p->acceptor, NULL, accept_run, p);
    return p;
}

int proxy_port(const tcp_proxy *p) { return p->port; }

void proxy_set_down(tcp_proxy *p, int down)
{
    atomic_store(&p->down, down);
    if (down) {
        atomic_fetch_add(&p->generation, 1);
    }
}

void proxy_bounce(tcp_proxy *p) { atomic_fetch_add(&p->generation, 1); }

void proxy_stop(tcp_proxy *p)
{
    atomic_store(&p->stopping, 1);
    pthread_join(p->acceptor, NULL);
    close(p->listen_fd);
    usleep(200 * 1000); /* pipes notice within one poll interval */
    free(p);
}
