build-split/daemon/vfiotopd.o: src/daemon/vfiotopd.c \
 src/daemon/daemon_opts.h src/capture/hooks.h src/serve/status.h \
 src/stalls/stall.h include/vfiotop.h src/common/listen_addr.h \
 src/aggregate/devices.h src/aggregate/pci_sysfs.h \
 src/aggregate/dma_procs.h src/common/evloop.h src/serve/http_server.h \
 src/serve/web_config.h src/serve/json_lines.h src/common/log.h \
 src/serve/metrics_prom.h src/aggregate/owners.h src/aggregate/devices.h \
 src/daemon/privileges.h src/serve/server.h src/common/protocol.h \
 src/serve/snapshot_json.h src/serve/status.h
src/daemon/daemon_opts.h:
src/capture/hooks.h:
src/serve/status.h:
src/stalls/stall.h:
include/vfiotop.h:
src/common/listen_addr.h:
src/aggregate/devices.h:
src/aggregate/pci_sysfs.h:
src/aggregate/dma_procs.h:
src/common/evloop.h:
src/serve/http_server.h:
src/serve/web_config.h:
src/serve/json_lines.h:
src/common/log.h:
src/serve/metrics_prom.h:
src/aggregate/owners.h:
src/aggregate/devices.h:
src/daemon/privileges.h:
src/serve/server.h:
src/common/protocol.h:
src/serve/snapshot_json.h:
src/serve/status.h:
