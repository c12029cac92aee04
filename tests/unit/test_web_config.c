// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --web-config (serve/web_config.c) and the password checks' bound (serve/http_auth.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <crypt.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_auth.h"
#include "web_config.h"

#define HASH "$2y$10$abcdefghijklmnopqrstuuVq9zL0l4Nq1nqGW2e2Lfh3F8p/5Xz3a"

static char *fake_read(const char *path, const char *what, char *err, size_t errlen)
{
	return strdup("not read: the parser only keeps it");
}

static int parse(const char *yaml, struct web_config *c, char *err, size_t errlen)
{
	return web_config_parse(yaml, strlen(yaml), "t.yml", fake_read, c, err, errlen);
}

static void refused(const char *yaml, const char *says)
{
	struct web_config c;
	char err[512] = "";

	assert_int_equal(parse(yaml, &c, err, sizeof(err)), -1);
	if (!strstr(err, says))
		fail_msg("'%s': '%s' does not say '%s'", yaml, err, says);
}

static void test_refused(void **state)
{
	refused("basic_auth_users: {a: '$2y$10$short'}", "53 characters");
	refused("basic_auth_users: {a: '$2y$10$abcdefghijklmnopqrstuuVq9zL0l4Nq1nqGW2e2Lfh3F8p/5Xz3!'}",
		"only ./A-Za-z0-9");
	refused("basic_auth_users: {a: '$2y$31$abcdefghijklmnopqrstuuVq9zL0l4Nq1nqGW2e2Lfh3F8p/5Xz3a'}",
		"above 14");
	refused("basic_auth_users: {a: '$1$abcdefghijklmnopqrstuuVq9zL0l4Nq1nqGW2e2Lfh3F8p/5Xz3ab'}",
		"bcrypt");
	refused("basic_auth_users:\n  a: '" HASH "'\n  a: '" HASH "'\n", "'a' is given twice");
	refused("basic_auth_users: {}\nbasic_auth_users: {}\n", "'basic_auth_users' is given twice");
	refused("tls_server_config: {cert_file: c, key_file: k, cert_file: d}", "given twice");
	refused("tls_server_config: {cert_file: c, key_file: k, min_version: TLS10}", "RFC 8996");
	refused("tls_server_config: {cert_file: c, key_file: k, min_version: TLS11}", "RFC 8996");
	refused("tls_server_config: {cert_file: c, key_file: k, max_version: SSL3}", "TLS12 or TLS13");
	refused("tls_server_config: {cert_file: c, key_file: k, min_version: TLS13, "
		"max_version: TLS12}", "above max_version");
	refused("tls_server_config: {cert_file: c, key_file: k, cipher_suites: "
		"[TLS_RSA_WITH_AES_128_GCM_SHA256]}", "not forward-secret");
	refused("tls_server_config: {cert_file: c, key_file: k, cipher_suites: [nope]}",
		"not a TLS 1.2 suite");
	refused("tls_server_config: {cert_file: c, key_file: k, cipher_suites: []}", "a list");
	refused("tls_server_config: {cert_file: c}", "both cert_file and key_file");
}

static void priorities_load(const struct web_config *c, char *buf, size_t len)
{
	gnutls_priority_t p;
	const char *at = NULL;

	web_config_priorities(c, buf, len);
	if (gnutls_priority_init(&p, buf, &at) < 0)
		fail_msg("GnuTLS refuses '%s' at '%s'", buf, at ? at : "?");
	gnutls_priority_deinit(p);
}

static void test_priorities(void **state)
{
	struct web_config c;
	char err[512], prio[512];

	assert_int_equal(parse("tls_server_config: {cert_file: c, key_file: k}", &c, err,
			       sizeof(err)), 0);
	priorities_load(&c, prio, sizeof(prio));
	assert_non_null(strstr(prio, "-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL"));
	assert_null(strstr(prio, "TLS1.1"));
	assert_null(strstr(prio, "+RSA"));	/* no key exchange without forward secrecy */
	assert_null(strstr(prio, "CBC"));
	web_config_free(&c);

	assert_int_equal(parse("tls_server_config: {cert_file: c, key_file: k, max_version: TLS12,"
			       " cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
			       " TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]}", &c, err, sizeof(err)), 0);
	priorities_load(&c, prio, sizeof(prio));
	assert_null(strstr(prio, "TLS1.3"));
	assert_non_null(strstr(prio, "+ECDHE-RSA:+AES-256-GCM:+AEAD:+AES-128-CBC:+SHA1"));
	assert_null(strstr(prio, "AES-128-GCM"));
	assert_null(strstr(prio, "ECDSA"));
	web_config_free(&c);

	assert_int_equal(parse("tls_server_config: {cert_file: c, key_file: k, min_version: TLS13}",
			       &c, err, sizeof(err)), 0);
	priorities_load(&c, prio, sizeof(prio));
	assert_null(strstr(prio, "TLS1.2"));
	web_config_free(&c);
}

static void parsed(const char *header, const char *user, const char *pass, size_t pass_len)
{
	char u[64], p[WEB_MAX_PASSWORD + 2];
	size_t len = 0;

	if (!web_auth_parse(header, u, sizeof(u), p, sizeof(p), &len))
		fail_msg("'%s' not parsed", header);
	assert_string_equal(u, user);
	assert_int_equal(len, pass_len);
	assert_memory_equal(p, pass, pass_len);
}

static void not_parsed(const char *header)
{
	char u[64], p[WEB_MAX_PASSWORD + 2];
	size_t len;

	if (web_auth_parse(header, u, sizeof(u), p, sizeof(p), &len))
		fail_msg("'%s' parsed", header ? header : "(null)");
}

static void test_auth_header(void **state)
{
	parsed("Basic cHJvbWV0aGV1czpzM2NyZXQ=", "prometheus", "s3cret", 6);
	parsed("basic cHJvbWV0aGV1czpzM2NyZXQ=", "prometheus", "s3cret", 6);	/* RFC 7617 */
	parsed("BASIC  cHJvbWV0aGV1czpzM2NyZXQ ", "prometheus", "s3cret", 6);
	parsed("Basic dTphOmI=", "u", "a:b", 3);		/* a ':' in the password */
	parsed("Basic dTo=", "u", "", 0);
	/* "u:s3cret\0junk": every byte counted, the NUL too */
	parsed("Basic dTpzM2NyZXQAanVuaw==", "u", "s3cret\0junk", 11);
	not_parsed(NULL);
	not_parsed("");
	not_parsed("Bearer cHJvbWV0aGV1czpzM2NyZXQ=");
	not_parsed("Basicx cHJvbWV0aGV1czpzM2NyZXQ=");
	not_parsed("Basic cHJvbWV0aGV1czpzM2NyZXQ=x");	/* not base64 */
	not_parsed("Basic cHJvbWV0aGV1czpzM2NyZXQ= more");
	not_parsed("Basic dXNlcg==");				/* no ':' */
	not_parsed("Basic OnB3");				/* no user */
	not_parsed("Basic dQBYOnB3");				/* a NUL in the user */
}

static void test_verify(void **state)
{
	char salt[64], pass72[WEB_MAX_PASSWORD + 1], pass73[WEB_MAX_PASSWORD + 2];
	struct web_config c = { .n_users = 2 };
	const char *h;

	memset(pass72, 'a', 72);
	pass72[72] = '\0';
	snprintf(pass73, sizeof(pass73), "%sb", pass72);
	/* cost 4: fast enough for a unit test */
	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof(salt)));
	h = crypt("s3cret", salt);
	assert_non_null(h);
	snprintf(c.users[0].name, sizeof(c.users[0].name), "prometheus");
	snprintf(c.users[0].hash, sizeof(c.users[0].hash), "%s", h);
	h = crypt(pass72, salt);
	snprintf(c.users[1].name, sizeof(c.users[1].name), "long");
	snprintf(c.users[1].hash, sizeof(c.users[1].hash), "%s", h);

	assert_int_equal(web_config_user(&c, "prometheus"), 0);
	assert_int_equal(web_config_user(&c, "nobody"), -1);
	assert_true(web_config_verify(&c, 0, "s3cret", 6));
	assert_false(web_config_verify(&c, 0, "s3cre", 5));
	assert_false(web_config_verify(&c, 0, "s3cret\0junk", 11));	/* bcrypt stops at the NUL */
	assert_false(web_config_verify(&c, -1, "s3cret", 6));	/* no such user: checked, false */
	assert_true(web_config_verify(&c, 1, pass72, 72));
	/* bcrypt reads 72 bytes: the 73rd would be ignored, so it is refused */
	assert_false(web_config_verify(&c, 1, pass73, 73));
	assert_false(web_config_verify(&c, 5, "s3cret", 6));
}

static void test_bucket(void **state)
{
	struct auth_bucket b;
	uint64_t t = 1000000000ull;
	int taken = 0;

	auth_bucket_init(&b, t);
	while (auth_bucket_take(&b, t))
		taken++;
	assert_int_equal(taken, AUTH_BURST);
	/* one more every 1/AUTH_RATE s, never more than the burst */
	assert_false(auth_bucket_take(&b, t + 1000000000ull / AUTH_RATE - 1000000));
	assert_true(auth_bucket_take(&b, t + 1000000000ull / AUTH_RATE));
	assert_false(auth_bucket_take(&b, t + 1000000000ull / AUTH_RATE));
	t += 3600 * 1000000000ull;
	for (taken = 0; auth_bucket_take(&b, t); taken++)
		;
	assert_int_equal(taken, AUTH_BURST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_auth_header),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
