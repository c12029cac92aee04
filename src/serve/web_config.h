/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --web-config FILE: TLS and basic authentication for /metrics and /json, in
 * the format of Prometheus exporters' --web.config.file (node_exporter):
 *
 *   tls_server_config:
 *     cert_file: /etc/vfiotop/tls.crt
 *     key_file: /etc/vfiotop/tls.key
 *   basic_auth_users:
 *     prometheus: $2y$10$...      (bcrypt, e.g. htpasswd -nBC 10 "" | tr -d ':')
 *
 * Either part may be left out.
 */
#ifndef VFIOTOP_WEB_CONFIG_H
#define VFIOTOP_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_MAX_USERS 16

struct web_user {
	char name[64];
	char hash[128];		/* bcrypt: $2a$, $2b$ or $2y$ */
};

struct web_config {
	char *cert_pem, *key_pem;	/* NULL: plain HTTP */
	struct web_user users[WEB_MAX_USERS];
	int n_users;			/* 0: no authentication */
};

/* 0, or -1 with a one-line reason in err (the file, the key, what is wrong). */
int web_config_load(const char *path, struct web_config *c, char *err, size_t errlen);
void web_config_free(struct web_config *c);
/* Does this user name and password match one of the users? Constant-time in the hash. */
bool web_config_auth(const struct web_config *c, const char *user, const char *pass);

#endif
