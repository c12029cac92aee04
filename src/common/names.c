// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "names.h"

static const char *const op_names[VTOP_OP_MAX] = {
	[VTOP_OP_NONE] = "none",
	[VTOP_OP_MEM_DISABLE] = "mem_disable",
	[VTOP_OP_POWER_STATE] = "power_state",
	[VTOP_OP_FLR] = "flr",
	[VTOP_OP_RESET] = "reset",
	[VTOP_OP_HOT_RESET] = "hot_reset",
	[VTOP_OP_LOW_POWER] = "low_power",
	[VTOP_OP_OPEN] = "open",
	[VTOP_OP_CLOSE] = "close",
	[VTOP_OP_DMA_BUF] = "dma_buf",
	[VTOP_OP_FEATURE] = "feature",
	[VTOP_OP_OTHER] = "other",
};

const char *const cache_mode_names[VTOP_MODE_MAX] = {
	[VTOP_MODE_WB] = "wb",
	[VTOP_MODE_WC] = "wc",
	[VTOP_MODE_UC_MINUS] = "uc-",
	[VTOP_MODE_UC] = "uc",
	[VTOP_MODE_WT] = "wt",
	[VTOP_MODE_WP] = "wp",
};

const char *op_name(unsigned int op)
{
	return op < VTOP_OP_MAX && op_names[op] ? op_names[op] : "other";
}

const char *cache_mode_name(unsigned int mode)
{
	return mode < VTOP_MODE_MAX ? cache_mode_names[mode] : "unknown";
}

static const char *const pci_reset_names[VTOP_PCIRESET_MAX] = {
	[VTOP_PCIRESET_UNKNOWN] = "unknown",
	[VTOP_PCIRESET_DEVICE_SPECIFIC] = "device_specific",
	[VTOP_PCIRESET_ACPI] = "acpi",
	[VTOP_PCIRESET_FLR] = "flr",
	[VTOP_PCIRESET_AF_FLR] = "af_flr",
	[VTOP_PCIRESET_PM] = "pm",
	[VTOP_PCIRESET_BUS] = "bus",
	[VTOP_PCIRESET_CXL_BUS] = "cxl_bus",
};

const char *pci_reset_name(unsigned int how)
{
	return how < VTOP_PCIRESET_MAX ? pci_reset_names[how] : "unknown";
}

static const char *const power_state_names[VTOP_PWR_MAX] = {
	[VTOP_PWR_D0] = "D0",
	[VTOP_PWR_D1] = "D1",
	[VTOP_PWR_D2] = "D2",
	[VTOP_PWR_D3HOT] = "D3hot",
	[VTOP_PWR_D3COLD] = "D3cold",
};

const char *power_state_name(unsigned int state)
{
	return state < VTOP_PWR_MAX ? power_state_names[state] : "unknown";
}

const char *errno_name(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, len, "%d", err);
	return buf;
}
