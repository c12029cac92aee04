/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VFIOTOP_LOG_H
#define VFIOTOP_LOG_H

enum vlog_level { VLOG_ERR, VLOG_WARN, VLOG_INFO, VLOG_DEBUG };

void log_init(const char *prog, int verbosity);
int log_verbosity(void);
void log_msg(enum vlog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(VLOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(VLOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(VLOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(VLOG_DEBUG, __VA_ARGS__)

#endif
