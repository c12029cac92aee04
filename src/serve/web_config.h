/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --web-config FILE: TLS and basic authentication for /metrics and /json, in
 * the format of Prometheus exporters' --web.config.file (exporter-toolkit):
 *
 *   tls_server_config:
 *     cert_file: /etc/vfiotop/tls.crt
 *     key_file: /etc/vfiotop/tls.key
 *     min_version: TLS12          (TLS12 or TLS13; TLS12 if left out)
 *     max_version: TLS13
 *     cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ...]   (TLS 1.2's)
 *   basic_auth_users:
 *     prometheus: $2y$10$...      (bcrypt, e.g. htpasswd -nBC 10 "" | tr -d ':')
 *
 * Either part may be left out. A key given twice, a hash that is not a whole
 * bcrypt hash, TLS below 1.2 and suites without forward secrecy are refused.
 */
#ifndef VFIOTOP_WEB_CONFIG_H
#define VFIOTOP_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_MAX_USERS		16
#define WEB_BCRYPT_LEN		60	/* $2y$10$ + 22 salt + 31 hash characters */
#define WEB_MAX_PASSWORD	72	/* bcrypt reads no further: longer ones are refused */
#define WEB_MAX_SUITES		16

struct web_user {
	char name[64];
	char hash[WEB_BCRYPT_LEN + 1];
};

enum web_tls_version { WEB_TLS12 = 12, WEB_TLS13 = 13 };

struct web_config {
	char *cert_pem, *key_pem;	/* NULL: plain HTTP */
	enum web_tls_version min_version, max_version;
	int n_suites;			/* 0: the default (forward-secret AEAD suites) */
	int suites[WEB_MAX_SUITES];	/* indexes into the table in web_config.c */
	struct web_user users[WEB_MAX_USERS];
	int n_users;			/* 0: no authentication */
};

/* Reads a file named in the configuration (cert_file, key_file): malloc'ed text, or NULL with err. */
typedef char *(*web_read_fn)(const char *path, const char *what, char *err, size_t errlen);

/*
 * 0, or -1 with a one-line reason in err (the file, the key, what is wrong).
 * web_config_load() also checks that the key and certificate load and match.
 */
int web_config_load(const char *path, struct web_config *c, char *err, size_t errlen);
/* The same from text; name is what err calls it. Files go through read (fuzzed without disk). */
int web_config_parse(const char *text, size_t len, const char *name, web_read_fn read,
		     struct web_config *c, char *err, size_t errlen);
void web_config_free(struct web_config *c);

/* The GnuTLS priority string the configuration asks for (versions and suites). */
void web_config_priorities(const struct web_config *c, char *buf, size_t len);

/*
 * An Authorization header's Basic credentials: the scheme in any case, base64
 * decoded, split at the first ':'. user and pass are NUL-terminated copies;
 * *pass_len counts every byte of the password, NULs included. false for any
 * other header (or none).
 */
bool web_auth_parse(const char *header, char *user, size_t user_size, char *pass,
		    size_t pass_size, size_t *pass_len);

/* Which user is this name (-1: none)? */
int web_config_user(const struct web_config *c, const char *user);

/*
 * bcrypt of the password against user's hash (user -1: against the costliest
 * configured hash, and false, so an unknown name takes as long as a known
 * one). A password bcrypt would read only in part (a NUL, or over 72 bytes)
 * is false. Slow by design (about 55 ms at cost 10): not for the event loop.
 */
bool web_config_verify(const struct web_config *c, int user, const char *pass, size_t pass_len);

#endif
