// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "uevent.h"

/* the value of KEY= among the message's strings, or NULL */
static const char *field(const char *msg, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (size_t at = 0; at < len; at += strnlen(msg + at, len - at) + 1) {
		const char *s = msg + at;
		size_t slen = strnlen(s, len - at);

		if (slen > klen && !strncmp(s, key, klen) && s[klen] == '=')
			return s + klen + 1;
	}
	return NULL;
}

static bool is_one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

unsigned int uevent_parse(const char *msg, size_t len)
{
	static const char *const module_actions[] = { "add", "remove" };
	static const char *const pci_actions[] = { "add", "remove", "bind", "unbind", "change" };
	const char *subsystem, *action, *devpath;

	/* the last string must end inside the message */
	if (!len || msg[len - 1] != '\0')
		return 0;
	subsystem = field(msg, len, "SUBSYSTEM");
	action = field(msg, len, "ACTION");
	devpath = field(msg, len, "DEVPATH");
	if (!subsystem || !action || !devpath)
		return 0;
	if (!strcmp(subsystem, "module") && !strncmp(devpath, "/module/vfio", 12) &&
	    is_one_of(action, module_actions, 2))
		return UEVENT_VFIO_MODULES;
	if (!strcmp(subsystem, "pci") && is_one_of(action, pci_actions, 5))
		return UEVENT_PCI_DEVICES | (strcmp(action, "add") ? 0 : UEVENT_PCI_ADDED);
	return 0;
}

int uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 1 << 20;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	/* SR-IOV enabling 64 VFs sends hundreds at once; the kernel caps this at rmem_max */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

unsigned int uevent_drain(int fd)
{
	char buf[8192];
	unsigned int news = 0;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0) {
			if (errno == ENOBUFS)
				news |= UEVENT_LOST;
			else if (errno != EINTR)
				return news;
			continue;
		}
		/* the kernel's messages come from port 0; longer ones are not uevents */
		if (from.nl_pid != 0 || (mh.msg_flags & MSG_TRUNC))
			continue;
		news |= uevent_parse(buf, (size_t)n);
	}
}
