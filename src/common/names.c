// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "array_size.h"
#include "names.h"

#define NAME_OF(table, i, none) \
	((i) < sizeof(table) / sizeof((table)[0]) && (table)[i] ? (table)[i] : (none))

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

static const char *const power_state_names[VTOP_PWR_MAX] = {
	[VTOP_PWR_D0] = "D0",
	[VTOP_PWR_D1] = "D1",
	[VTOP_PWR_D2] = "D2",
	[VTOP_PWR_D3HOT] = "D3hot",
	[VTOP_PWR_D3COLD] = "D3cold",
};

static const char *const origin_names[VTOP_ORIGIN_MAX] = { "user", "dma_map", "kernel" };
static const char *const order_names[VTOP_FORDER_MAX] = { "0", "9", "18", "whole_vma" };
static const char *const order_sizes[VTOP_FORDER_MAX] = { "4k", "2m", "1g", "vma" };
static const char *const reset_method_names[VTOP_RESET_METHOD_MAX] = { "function", "bus" };
static const char *const request_names[VTOP_REQ_MAX] = { "reset", "hot_reset" };
static const char *const page_size_names[VTOP_PSIZE_MAX] = { "4k", "2m", "1g" };
static const char *const dma_op_names[VTOP_DMA_OP_MAX] = { "map", "unmap" };
static const char *const dma_target_names[VTOP_DMA_TARGET_MAX] = { "ram", "bar", "no_vma" };
static const char *const irq_index_names[VTOP_IRQ_INDEX_MAX] = {
	"intx", "msi", "msix", "err", "req",
};
static const char *const irq_action_names[VTOP_IRQ_ACTION_MAX] = { "mask", "unmask", "trigger" };
static const char *const region_names[VTOP_REGION_MAX] = {
	"bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom", "config", "vga",
};
static const char *const config_cap_names[VTOP_CAP_MAX] = {
	"basic", "pm", "msi", "msix", "pcie", "af", "other", "extended", "unassigned",
};
static const char *const dma_errno_names[VTOP_DMAERR_MAX] = {
	"EFAULT", "EINVAL", "ENOSPC", "EEXIST", "ENOMEM", "other",
};

/* name_fn(index): the table's name for it, or none when out of range or unnamed */
#define NAME_FN(storage, name_fn, table, none)			\
	storage const char *name_fn(unsigned int index)		\
	{							\
		return NAME_OF(table, index, none);		\
	}

NAME_FN(, op_name, op_names, "other")
NAME_FN(, cache_mode_name, cache_mode_names, "unknown")
NAME_FN(, pci_reset_name, pci_reset_names, "unknown")
NAME_FN(, power_state_name, power_state_names, "unknown")
NAME_FN(, dma_op_name, dma_op_names, "?")
NAME_FN(, dma_target_name, dma_target_names, "?")
NAME_FN(, dma_errno_name, dma_errno_names, "?")
NAME_FN(, fault_order_size, order_sizes, "?")
NAME_FN(, irq_index_name, irq_index_names, "?")
NAME_FN(static, irq_action_name, irq_action_names, "?")
NAME_FN(static, origin_name, origin_names, "?")
NAME_FN(static, order_name, order_names, "?")
NAME_FN(static, reset_method_name, reset_method_names, "?")
NAME_FN(static, page_size_name, page_size_names, "?")
NAME_FN(static, request_name, request_names, "?")
NAME_FN(static, region_name, region_names, "?")
NAME_FN(static, config_cap_name, config_cap_names, "?")

const char *errno_name(int err, char *buf, size_t len)
{
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, len, "%d", err);
	return buf;
}

/* reasons and origins share enum vtop_op: each shows only the ones that apply */
static const unsigned int zap_reasons[] = {
	VTOP_OP_MEM_DISABLE, VTOP_OP_POWER_STATE, VTOP_OP_FLR, VTOP_OP_RESET,
	VTOP_OP_HOT_RESET, VTOP_OP_LOW_POWER, VTOP_OP_FEATURE, VTOP_OP_OTHER,
};
static const unsigned int reset_origins[] = {
	VTOP_OP_RESET, VTOP_OP_HOT_RESET, VTOP_OP_FLR, VTOP_OP_POWER_STATE,
	VTOP_OP_OPEN, VTOP_OP_CLOSE, VTOP_OP_FEATURE, VTOP_OP_OTHER,
};
/* unknown is where a reset's method was not seen, never a method tried */
static const unsigned int pci_attempts[] = {
	VTOP_PCIRESET_DEVICE_SPECIFIC, VTOP_PCIRESET_ACPI, VTOP_PCIRESET_FLR,
	VTOP_PCIRESET_AF_FLR, VTOP_PCIRESET_PM, VTOP_PCIRESET_BUS, VTOP_PCIRESET_CXL_BUS,
};

/* the indexes whose vectors have host interrupts */
static const unsigned int irq_kinds[] = { VTOP_IRQ_INTX, VTOP_IRQ_MSI, VTOP_IRQ_MSIX };

const struct key_set fault_origin_keys = { VTOP_ORIGIN_MAX, NULL, origin_name };
const struct key_set fault_order_keys = { VTOP_FORDER_MAX, NULL, order_name };
const struct key_set zap_reason_keys = { ARRAY_SIZE(zap_reasons), zap_reasons, op_name };
const struct key_set reset_origin_keys = { ARRAY_SIZE(reset_origins), reset_origins, op_name };
const struct key_set reset_method_keys = { VTOP_RESET_METHOD_MAX, NULL, reset_method_name };
const struct key_set reset_request_keys = { VTOP_REQ_MAX, NULL, request_name };
const struct key_set cache_mode_keys = { VTOP_MODE_MAX, NULL, cache_mode_name };
const struct key_set pci_reset_keys = { VTOP_PCIRESET_MAX, NULL, pci_reset_name };
const struct key_set pci_attempt_keys = { ARRAY_SIZE(pci_attempts), pci_attempts, pci_reset_name };
const struct key_set power_state_keys = { VTOP_PWR_MAX, NULL, power_state_name };
const struct key_set page_size_keys = { VTOP_PSIZE_MAX, NULL, page_size_name };
const struct key_set dma_op_keys = { VTOP_DMA_OP_MAX, NULL, dma_op_name };
const struct key_set dma_target_keys = { VTOP_DMA_TARGET_MAX, NULL, dma_target_name };
const struct key_set dma_errno_keys = { VTOP_DMAERR_MAX, NULL, dma_errno_name };
const struct key_set irq_index_keys = { VTOP_IRQ_INDEX_MAX, NULL, irq_index_name };
const struct key_set irq_action_keys = { VTOP_IRQ_ACTION_MAX, NULL, irq_action_name };
const struct key_set irq_kind_keys = { ARRAY_SIZE(irq_kinds), irq_kinds, irq_index_name };
const struct key_set region_keys = { VTOP_REGION_MAX, NULL, region_name };
const struct key_set config_cap_keys = { VTOP_CAP_MAX, NULL, config_cap_name };
