// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <crypt.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "web_config.h"

#define MAX_PEM (1 << 20)
#define MAX_CONFIG (1 << 20)
/* cost 15 would take about 1.8 s a check here: past the scrape that waits for it */
#define MAX_BCRYPT_COST 14

/*
 * exporter-toolkit's cipher_suites names (Go's), as GnuTLS priority items.
 * Only suites with forward secrecy (ECDHE) are offered; TLS_RSA_* are refused.
 */
static const struct suite {
	const char *name, *kx, *cipher, *mac;
} suites[] = {
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1" },
	{ "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256" },
	{ "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256" },
};

#define N_SUITES ((int)(sizeof(suites) / sizeof(suites[0])))

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

struct parse {
	yaml_document_t *doc;
	struct web_config *c;
	web_read_fn read;
	char *err;
	size_t errlen;
};

/* Calls fn for each key: value of a mapping node; stops at the first error. */
typedef int (*pair_fn)(struct parse *p, const char *key, yaml_node_t *val);

static bool key_seen(struct parse *p, yaml_node_pair_t *first, yaml_node_pair_t *pair,
		     const char *key)
{
	for (yaml_node_pair_t *q = first; q < pair; q++) {
		const char *k = scalar(p->doc, yaml_document_get_node(p->doc, q->key));

		if (k && !strcmp(k, key))
			return true;
	}
	return false;
}

static int each_pair(struct parse *p, yaml_node_t *map, const char *where, pair_fn fn)
{
	yaml_node_pair_t *first;

	if (!map || map->type != YAML_MAPPING_NODE) {
		snprintf(p->err, p->errlen, "%s: a mapping (key: value lines) is expected", where);
		return -1;
	}
	first = map->data.mapping.pairs.start;
	for (yaml_node_pair_t *pair = first; pair < map->data.mapping.pairs.top; pair++) {
		const char *key = scalar(p->doc, yaml_document_get_node(p->doc, pair->key));

		if (!key) {
			snprintf(p->err, p->errlen, "%s: keys are plain words", where);
			return -1;
		}
		/* YAML parsers disagree on which one wins: say so rather than pick */
		if (key_seen(p, first, pair, key)) {
			snprintf(p->err, p->errlen, "%s: '%.64s' is given twice", where, key);
			return -1;
		}
		if (fn(p, key, yaml_document_get_node(p->doc, pair->value)))
			return -1;
	}
	return 0;
}

static int tls_version(struct parse *p, const char *key, const char *v,
		       enum web_tls_version *dst)
{
	if (v && !strcmp(v, "TLS12")) {
		*dst = WEB_TLS12;
	} else if (v && !strcmp(v, "TLS13")) {
		*dst = WEB_TLS13;
	} else if (v && (!strcmp(v, "TLS10") || !strcmp(v, "TLS11"))) {
		snprintf(p->err, p->errlen, "tls_server_config.%s: %s is not served "
			 "(TLS 1.0 and 1.1 are deprecated, RFC 8996): TLS12 or TLS13", key, v);
		return -1;
	} else {
		snprintf(p->err, p->errlen, "tls_server_config.%s: TLS12 or TLS13", key);
		return -1;
	}
	return 0;
}

static int suite_index(const char *name)
{
	for (int i = 0; i < N_SUITES; i++)
		if (!strcmp(suites[i].name, name))
			return i;
	return -1;
}

static int cipher_suites(struct parse *p, yaml_node_t *val)
{
	if (!val || val->type != YAML_SEQUENCE_NODE || val->data.sequence.items.top ==
							val->data.sequence.items.start) {
		snprintf(p->err, p->errlen, "tls_server_config.cipher_suites: a list of suite names");
		return -1;
	}
	for (yaml_node_item_t *it = val->data.sequence.items.start;
	     it < val->data.sequence.items.top; it++) {
		const char *name = scalar(p->doc, yaml_document_get_node(p->doc, *it));
		int i = name ? suite_index(name) : -1;

		if (i < 0) {
			snprintf(p->err, p->errlen, "tls_server_config.cipher_suites: '%.64s' is %s",
				 name ? name : "", name && !strncmp(name, "TLS_RSA_", 8) ?
				 "not forward-secret: only TLS_ECDHE_* suites are served" :
				 "not a TLS 1.2 suite served here (TLS_ECDHE_*_WITH_AES_*_GCM_*, "
				 "..._CHACHA20_POLY1305*, ..._CBC_SHA*)");
			return -1;
		}
		if (p->c->n_suites == WEB_MAX_SUITES) {
			snprintf(p->err, p->errlen, "tls_server_config.cipher_suites: at most %d",
				 WEB_MAX_SUITES);
			return -1;
		}
		p->c->suites[p->c->n_suites++] = i;
	}
	return 0;
}

static int tls_pair(struct parse *p, const char *key, yaml_node_t *val)
{
	const char *path = scalar(p->doc, val);
	char **dst = !strcmp(key, "cert_file") ? &p->c->cert_pem :
		     !strcmp(key, "key_file") ? &p->c->key_pem : NULL;

	if (!strcmp(key, "min_version"))
		return tls_version(p, key, path, &p->c->min_version);
	if (!strcmp(key, "max_version"))
		return tls_version(p, key, path, &p->c->max_version);
	if (!strcmp(key, "cipher_suites"))
		return cipher_suites(p, val);
	if (!dst) {
		snprintf(p->err, p->errlen, "tls_server_config: unknown key '%.64s' (cert_file, "
			 "key_file, min_version, max_version and cipher_suites are understood)",
			 key);
		return -1;
	}
	if (!path || !*path) {
		snprintf(p->err, p->errlen, "tls_server_config.%s: a file path", key);
		return -1;
	}
	*dst = p->read(path, key, p->err, p->errlen);
	return *dst ? 0 : -1;
}

static bool bcrypt_char(char ch)
{
	return ch == '.' || ch == '/' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9');
}

/* $2a$, $2b$ or $2y$, a two-digit cost, '$', 53 characters of bcrypt's base64 */
static const char *bcrypt_problem(const char *h)
{
	int cost;

	if (!h || strlen(h) != WEB_BCRYPT_LEN || h[0] != '$' || h[1] != '2' ||
	    !strchr("aby", h[2]) || h[3] != '$' || h[6] != '$' ||
	    h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return "a bcrypt hash ($2y$10$ and 53 characters) is expected";
	for (const char *s = h + 7; *s; s++)
		if (!bcrypt_char(*s))
			return "a bcrypt hash has only ./A-Za-z0-9 after its cost";
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4)
		return "a bcrypt cost is 04 or more";
	if (cost > MAX_BCRYPT_COST)
		return "a bcrypt cost above 14 takes seconds a check: use 10 to 12";
	return NULL;
}

static int user_pair(struct parse *p, const char *key, yaml_node_t *val)
{
	const char *hash = scalar(p->doc, val), *why;
	struct web_user *u;

	if (p->c->n_users == WEB_MAX_USERS) {
		snprintf(p->err, p->errlen, "basic_auth_users: at most %d users", WEB_MAX_USERS);
		return -1;
	}
	if (!*key || strlen(key) >= sizeof(u->name) || strchr(key, ':')) {
		snprintf(p->err, p->errlen, "basic_auth_users: '%.64s' is not a user name", key);
		return -1;
	}
	/* bcrypt only, as Prometheus exporters take it: a fast hash is no password store */
	why = bcrypt_problem(hash);
	if (why) {
		snprintf(p->err, p->errlen, "basic_auth_users.%.64s: %s", key, why);
		return -1;
	}
	u = &p->c->users[p->c->n_users++];
	snprintf(u->name, sizeof(u->name), "%s", key);
	snprintf(u->hash, sizeof(u->hash), "%s", hash);
	return 0;
}

static int top_pair(struct parse *p, const char *key, yaml_node_t *val)
{
	if (!strcmp(key, "tls_server_config"))
		return each_pair(p, val, key, tls_pair);
	if (!strcmp(key, "basic_auth_users"))
		return each_pair(p, val, key, user_pair);
	snprintf(p->err, p->errlen, "unknown key '%.64s' (tls_server_config and basic_auth_users "
		 "are understood)", key);
	return -1;
}

static int check_tls(const struct web_config *c, char *why, size_t len)
{
	if (!c->cert_pem != !c->key_pem) {
		snprintf(why, len, "tls_server_config needs both cert_file and key_file");
		return -1;
	}
	if (c->min_version > c->max_version) {
		snprintf(why, len, "tls_server_config: min_version is above max_version");
		return -1;
	}
	return 0;
}

static int parse_doc(yaml_parser_t *parser, struct parse *p)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int ret;

	if (!yaml_parser_load(parser, &doc)) {
		snprintf(p->err, p->errlen, "line %zu: %s", parser->problem_mark.line + 1,
			 parser->problem ? parser->problem : "bad YAML");
		return -1;
	}
	p->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(p->err, p->errlen, "empty");
		ret = -1;
	} else {
		ret = each_pair(p, root, "the file", top_pair);
		if (!ret)
			ret = check_tls(p->c, p->err, p->errlen);
	}
	yaml_document_delete(&doc);
	return ret;
}

int web_config_parse(const char *text, size_t len, const char *name, web_read_fn read,
		     struct web_config *c, char *err, size_t errlen)
{
	char why[384] = "";
	struct parse p = { .c = c, .read = read ? read : read_file, .err = why,
			   .errlen = sizeof(why) };
	yaml_parser_t parser;
	int ret;

	memset(c, 0, sizeof(*c));
	c->min_version = WEB_TLS12;
	c->max_version = WEB_TLS13;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "--web-config %s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	ret = parse_doc(&parser, &p);
	yaml_parser_delete(&parser);
	if (ret) {
		snprintf(err, errlen, "--web-config %s: %s", name, why);
		web_config_free(c);
	}
	return ret;
}

/* The key and certificate as GnuTLS will take them: their errors named now, not as "cannot serve" */
static int load_pair(const struct web_config *c, char *why, size_t len)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert = { (unsigned char *)c->cert_pem, (unsigned int)strlen(c->cert_pem) };
	gnutls_datum_t key = { (unsigned char *)c->key_pem, (unsigned int)strlen(c->key_pem) };
	gnutls_priority_t prio;
	char prios[512];
	const char *at;
	int ret;

	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	ret = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (ret < 0) {
		snprintf(why, len, "cert_file and key_file: %s", gnutls_strerror(ret));
		return -1;
	}
	web_config_priorities(c, prios, sizeof(prios));
	ret = gnutls_priority_init(&prio, prios, &at);
	if (ret < 0) {
		snprintf(why, len, "TLS priorities '%s': %s", prios, gnutls_strerror(ret));
		return -1;
	}
	gnutls_priority_deinit(prio);
	return 0;
}

int web_config_load(const char *path, struct web_config *c, char *err, size_t errlen)
{
	char *text, why[384];
	size_t n;
	FILE *f;
	int ret;

	memset(c, 0, sizeof(*c));
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "--web-config %s: %s", path, strerror(errno));
		return -1;
	}
	text = malloc(MAX_CONFIG + 1);
	n = text ? fread(text, 1, MAX_CONFIG + 1, f) : 0;
	fclose(f);
	if (!text || n > MAX_CONFIG) {
		snprintf(err, errlen, "--web-config %s: %s", path,
			 text ? "larger than 1 MiB" : "out of memory");
		free(text);
		return -1;
	}
	ret = web_config_parse(text, n, path, read_file, c, err, errlen);
	free(text);
	if (!ret && c->cert_pem && load_pair(c, why, sizeof(why))) {
		snprintf(err, errlen, "--web-config %s: %s", path, why);
		web_config_free(c);
		ret = -1;
	}
	return ret;
}

void web_config_free(struct web_config *c)
{
	free(c->cert_pem);
	free(c->key_pem);
	memset(c, 0, sizeof(*c));
}

static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s", s);
}

/* each item once: the suites share key exchanges, ciphers and MACs */
static void append_once(char *buf, size_t len, const char *item)
{
	char tok[64];

	snprintf(tok, sizeof(tok), ":+%s", item);
	if (!strstr(buf, tok))
		append(buf, len, tok);
}

void web_config_priorities(const struct web_config *c, char *buf, size_t len)
{
	static const char *const aead[] = { "AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305" };

	/* forward secrecy: ECDHE for TLS 1.2 (1.3 has nothing else); AEAD by default */
	snprintf(buf, len, "NORMAL:%%SERVER_PRECEDENCE:-VERS-ALL");
	if (c->max_version >= WEB_TLS13)
		append(buf, len, ":+VERS-TLS1.3");
	if (c->min_version <= WEB_TLS12)
		append(buf, len, ":+VERS-TLS1.2");
	append(buf, len, ":-KX-ALL:-CIPHER-ALL:-MAC-ALL");
	if (!c->n_suites) {
		append(buf, len, ":+ECDHE-ECDSA:+ECDHE-RSA");
		for (size_t i = 0; i < sizeof(aead) / sizeof(aead[0]); i++)
			append_once(buf, len, aead[i]);
		append_once(buf, len, "AEAD");
		return;
	}
	for (int i = 0; i < c->n_suites; i++) {
		append_once(buf, len, suites[c->suites[i]].kx);
		append_once(buf, len, suites[c->suites[i]].cipher);
		append_once(buf, len, suites[c->suites[i]].mac);
	}
	/* one cipher list serves both versions: TLS 1.3 keeps its AEAD ciphers, as Go's does */
	if (c->max_version >= WEB_TLS13) {
		for (size_t i = 0; i < sizeof(aead) / sizeof(aead[0]); i++)
			append_once(buf, len, aead[i]);
		append_once(buf, len, "AEAD");
	}
}

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* RFC 4648 base64, '=' padding optional; -1 on any other byte or past out_size */
static long b64_decode(const char *in, size_t n, unsigned char *out, size_t out_size)
{
	unsigned int acc = 0;
	size_t bits = 0, o = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)in[i]);

		if (in[i] == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == out_size)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (pad > 2 || (pad && (n % 4)) || bits >= 6)
		return -1;
	return (long)o;
}

bool web_auth_parse(const char *header, char *user, size_t user_size, char *pass,
		    size_t pass_size, size_t *pass_len)
{
	unsigned char raw[WEB_MAX_PASSWORD + 128];
	const unsigned char *colon;
	size_t n, ulen;
	long got;

	if (!header || strncasecmp(header, "basic", 5) || (header[5] != ' ' && header[5] != '\t'))
		return false;
	header += 5;
	header += strspn(header, " \t");
	n = strcspn(header, " \t");
	if (header[n + strspn(header + n, " \t")])
		return false;	/* more than one token */
	got = b64_decode(header, n, raw, sizeof(raw));
	if (got < 0)
		return false;
	colon = memchr(raw, ':', (size_t)got);
	if (!colon)
		return false;
	ulen = (size_t)(colon - raw);
	*pass_len = (size_t)got - ulen - 1;
	if (!ulen || ulen >= user_size || memchr(raw, '\0', ulen) || *pass_len >= pass_size)
		return false;
	memcpy(user, raw, ulen);
	user[ulen] = '\0';
	memcpy(pass, colon + 1, *pass_len);
	pass[*pass_len] = '\0';
	return true;
}

int web_config_user(const struct web_config *c, const char *user)
{
	for (int i = 0; i < c->n_users; i++)
		if (!strcmp(c->users[i].name, user))
			return i;
	return -1;
}

static int costliest_user(const struct web_config *c)
{
	int best = 0;

	for (int i = 1; i < c->n_users; i++)
		if (strncmp(c->users[i].hash + 4, c->users[best].hash + 4, 2) > 0)
			best = i;
	return best;
}

bool web_config_verify(const struct web_config *c, int user, const char *pass, size_t pass_len)
{
	struct crypt_data *data;
	const char *h, *got;
	unsigned char diff = 0;
	bool whole;

	if (!c->n_users)
		return false;
	/* bcrypt reads up to a NUL and 72 bytes: such a password could not be checked in full */
	whole = pass_len <= WEB_MAX_PASSWORD && !memchr(pass, '\0', pass_len);
	h = c->users[user >= 0 && user < c->n_users ? user : costliest_user(c)].hash;
	data = calloc(1, sizeof(*data));
	if (!data)
		return false;
	/* the same work whatever is wrong: the time says nothing of the name */
	got = crypt_r(whole ? pass : "", h, data);
	if (got && strlen(got) == WEB_BCRYPT_LEN)
		for (size_t k = 0; k < WEB_BCRYPT_LEN; k++)
			diff |= (unsigned char)got[k] ^ (unsigned char)h[k];
	else
		diff = 1;
	free(data);
	return whole && user >= 0 && user < c->n_users && !diff;
}
