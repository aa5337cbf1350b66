/* A TCP forwarder between the service and PostgreSQL that a test can cut, to simulate
 * the database going away and coming back. */
#ifndef TEST_PROXY_H
#define TEST_PROXY_H

typedef struct tcp_proxy tcp_proxy;

/** Forwards a free local port to @p host:@p port; returns NULL on failure. */
tcp_proxy *proxy_start(const char *host, int port);
int proxy_port(const tcp_proxy *p);
/** Down: closes every forwarded connection and refuses new ones. Up: forwards again. */
void proxy_set_down(tcp_proxy *p, int down);
/** Closes every forwarded connection but keeps accepting new ones. */
void proxy_bounce(tcp_proxy *p);
void proxy_stop(tcp_proxy *p);

#endif
