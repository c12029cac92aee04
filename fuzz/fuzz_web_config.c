// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --web-config's YAML and the Authorization header. Input: the file's text,
 * and after a NUL, a header value. Files the configuration names are not
 * read (a fixed text stands for them): the parser is what is fuzzed. A
 * configuration taken must give a priority string GnuTLS takes; a header
 * parsed must give a user without NUL and a password within bounds.
 */
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_config.h"

static char *fake_read(const char *path, const char *what, char *err, size_t errlen)
{
	if (!strcmp(path, "missing")) {
		snprintf(err, errlen, "%s %s: No such file or directory", what, path);
		return NULL;
	}
	return strdup("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t yaml_len = nul ? (size_t)(nul - data) : size;
	char err[512] = "", prio[512], user[64], pass[WEB_MAX_PASSWORD + 2], *header;
	struct web_config c;
	gnutls_priority_t p;
	size_t pass_len;

	if (web_config_parse((const char *)data, yaml_len, "fuzz.yml", fake_read, &c, err,
			     sizeof(err)) == 0) {
		if (c.n_users < 0 || c.n_users > WEB_MAX_USERS || !c.cert_pem != !c.key_pem)
			abort();
		web_config_priorities(&c, prio, sizeof(prio));
		if (gnutls_priority_init(&p, prio, NULL) < 0)
			abort();
		gnutls_priority_deinit(p);
		for (int i = 0; i < c.n_users; i++)
			if (strlen(c.users[i].hash) != WEB_BCRYPT_LEN ||
			    web_config_user(&c, c.users[i].name) > i)
				abort();	/* a malformed hash, or a name twice */
		web_config_free(&c);
	} else if (!strstr(err, "--web-config fuzz.yml: ")) {
		abort();	/* a refusal always says where and why */
	}
	if (!nul)
		return 0;
	header = strndup((const char *)nul + 1, size - yaml_len - 1);
	if (header && web_auth_parse(header, user, sizeof(user), pass, sizeof(pass), &pass_len)) {
		if (!user[0] || strchr(user, ':') || pass_len >= sizeof(pass) ||
		    pass[pass_len] != '\0')
			abort();
	}
	free(header);
	return 0;
}
