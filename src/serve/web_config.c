// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "web_config.h"

#define MAX_PEM (1 << 20)

static char *read_file(const char *path, const char *what, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_PEM + 1);
	n = buf ? fread(buf, 1, MAX_PEM + 1, f) : 0;
	fclose(f);
	if (!buf || !n || n > MAX_PEM) {
		snprintf(err, errlen, "%s %s: %s", what, path,
			 !buf ? "out of memory" : n ? "larger than 1 MiB" : "empty");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Calls fn for each key: value of a mapping node; stops at the first error. */
typedef int (*pair_fn)(yaml_document_t *doc, const char *key, yaml_node_t *val,
		       struct web_config *c, char *err, size_t errlen);

static int each_pair(yaml_document_t *doc, yaml_node_t *map, const char *where, pair_fn fn,
		     struct web_config *c, char *err, size_t errlen)
{
	if (!map || map->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s: a mapping (key: value lines) is expected", where);
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *key = scalar(doc, yaml_document_get_node(doc, p->key));

		if (!key) {
			snprintf(err, errlen, "%s: keys are plain words", where);
			return -1;
		}
		if (fn(doc, key, yaml_document_get_node(doc, p->value), c, err, errlen))
			return -1;
	}
	return 0;
}

static int tls_pair(yaml_document_t *doc, const char *key, yaml_node_t *val,
		    struct web_config *c, char *err, size_t errlen)
{
	const char *path = scalar(doc, val);
	char **dst = !strcmp(key, "cert_file") ? &c->cert_pem :
		     !strcmp(key, "key_file") ? &c->key_pem : NULL;

	if (!dst) {
		snprintf(err, errlen, "tls_server_config: unknown key '%.64s' "
			 "(cert_file and key_file are understood)", key);
		return -1;
	}
	if (!path || !*path) {
		snprintf(err, errlen, "tls_server_config.%s: a file path", key);
		return -1;
	}
	free(*dst);
	*dst = read_file(path, key, err, errlen);
	return *dst ? 0 : -1;
}

static int user_pair(yaml_document_t *doc, const char *key, yaml_node_t *val,
		     struct web_config *c, char *err, size_t errlen)
{
	const char *hash = scalar(doc, val);
	struct web_user *u;

	if (c->n_users == WEB_MAX_USERS) {
		snprintf(err, errlen, "basic_auth_users: at most %d users", WEB_MAX_USERS);
		return -1;
	}
	if (!*key || strlen(key) >= sizeof(u->name) || strchr(key, ':')) {
		snprintf(err, errlen, "basic_auth_users: '%.64s' is not a user name", key);
		return -1;
	}
	/* bcrypt only, as Prometheus exporters take it: a fast hash is no password store */
	if (!hash || strlen(hash) >= sizeof(u->hash) ||
	    (strncmp(hash, "$2a$", 4) && strncmp(hash, "$2b$", 4) && strncmp(hash, "$2y$", 4))) {
		snprintf(err, errlen, "basic_auth_users.%.64s: a bcrypt hash ($2y$...) is expected",
			 key);
		return -1;
	}
	u = &c->users[c->n_users++];
	snprintf(u->name, sizeof(u->name), "%s", key);
	snprintf(u->hash, sizeof(u->hash), "%s", hash);
	return 0;
}

static int top_pair(yaml_document_t *doc, const char *key, yaml_node_t *val,
		    struct web_config *c, char *err, size_t errlen)
{
	if (!strcmp(key, "tls_server_config"))
		return each_pair(doc, val, key, tls_pair, c, err, errlen);
	if (!strcmp(key, "basic_auth_users"))
		return each_pair(doc, val, key, user_pair, c, err, errlen);
	snprintf(err, errlen, "unknown key '%.64s' (tls_server_config and basic_auth_users "
		 "are understood)", key);
	return -1;
}

int web_config_load(const char *path, struct web_config *c, char *err, size_t errlen)
{
	char why[384] = "";
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *f;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "--web-config %s: %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "--web-config %s: line %zu: %s", path,
			 parser.problem_mark.line + 1, parser.problem ? parser.problem : "bad YAML");
		goto out_parser;
	}
	if (!yaml_document_get_root_node(&doc))
		snprintf(why, sizeof(why), "empty");
	else if (each_pair(&doc, yaml_document_get_root_node(&doc), "the file", top_pair, c,
			   why, sizeof(why)) == 0 && !c->cert_pem != !c->key_pem)
		snprintf(why, sizeof(why), "tls_server_config needs both cert_file and key_file");
	else if (!why[0])
		ret = 0;
	if (ret)
		snprintf(err, errlen, "--web-config %s: %s", path, why);
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	fclose(f);
	if (ret)
		web_config_free(c);
	return ret;
}

void web_config_free(struct web_config *c)
{
	free(c->cert_pem);
	free(c->key_pem);
	memset(c, 0, sizeof(*c));
}

bool web_config_auth(const struct web_config *c, const char *user, const char *pass)
{
	struct crypt_data data;
	bool ok = false;

	if (!user || !pass)
		return false;
	for (int i = 0; i < c->n_users; i++) {
		const char *h = c->users[i].hash, *got;
		unsigned char diff = 0;
		size_t n = strlen(h);

		if (strcmp(c->users[i].name, user))
			continue;
		memset(&data, 0, sizeof(data));
		got = crypt_r(pass, h, &data);
		if (!got || strlen(got) != n)
			return false;
		for (size_t k = 0; k < n; k++)
			diff |= (unsigned char)got[k] ^ (unsigned char)h[k];
		ok = !diff;
	}
	return ok;
}
