# vfiotop: eBPF observability for vfio-pci BAR mappings.
#
#   make            build bpf object, skeleton, vfiotopd and vfiotop into build/
#   make deps       install the Debian packages everything below needs
#   make check      unit tests + VM tests; last line "N passed, N failed"
#   make fuzz       every libFuzzer harness (fuzz/) for FUZZ_SECONDS each (default 120)
#   make SANITIZE=1 ...  any of these built with ASan + UBSan, into build-san/
#   make demo       boot a VM with an emulated device, run a workload under vfiotopd
#   make bench      what vfiotop costs next to bpftrace and a kprobe, per kernel (docs/benchmarks.md)
#   make kernel     vfio-pci with kernel/patches for Debian 6.1, out of tree (docs/kernel.md)
#   make deb        the Debian package (debhelper), into build/deb/
#   make vmlinux    regenerate vmlinux.h from Debian 6.1's kernel BTF (docs/build.md)

# a recipe that fails leaves no half-written target for the next make to trust
.DELETE_ON_ERROR:

PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DATADIR  ?= $(PREFIX)/share
COMPLDIR ?= $(DATADIR)/bash-completion/completions
# kmod reads /lib/modprobe.d, not /usr/lib/modprobe.d (bookworm's kmod 30)
MODPROBEDIR ?= $(if $(filter /usr,$(PREFIX)),/lib,$(PREFIX)/lib)/modprobe.d
DOCDIR   ?= $(DATADIR)/doc/vfiotop
# what an operator reads: the operator's guide, the metrics, the JSON, the
# alerts' runbook, stall reports
OPERATOR_DOCS := docs/operating.md docs/metrics.md docs/json.md docs/alerts.md \
		 docs/stalls.md docs/bad-input.md docs/vfiotop.schema.json

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PKGS     := libbpf json-c libcap libpci libxxhash
O        := build

CFLAGS   ?= -O2 -g
# src/ in the folders of the data path: capture -> aggregate (stalls) -> serve
# -> view, with common/ under all and daemon/ on top (docs/architecture.md)
SRC_DIRS := common capture aggregate stalls serve daemon view
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation \
	    -Iinclude $(SRC_DIRS:%=-Isrc/%) -I$(O) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -ljson-c -lcap -lpci -lxxhash) -lm
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	      -I. -Iinclude -Ibpf

# make SANITIZE=1 ...: ASan + UBSan everywhere but BPF, in a tree of its own
ifeq ($(SANITIZE),1)
O        := build-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# the tests run these binaries: a leak fails a program at its exit, UBSan says where
export ASAN_OPTIONS ?= detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1
endif

# The version is debian/changelog's (the package's, and what a tarball
# builds), plus the commit in a git checkout; debian/rules passes the
# changelog's upstream version. Never empty: build_info would say "".
CHANGELOG_VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
GIT_REV  := $(shell git rev-parse --is-inside-work-tree >/dev/null 2>&1 && \
		    git describe --always --dirty 2>/dev/null)
VERSION  := $(CHANGELOG_VERSION)$(if $(GIT_REV),+g$(GIT_REV))
ifeq ($(strip $(VERSION)),)
$(error no version: debian/changelog has none, and VERSION= was not given)
endif
CFLAGS   += -DVFIOTOP_VERSION='"$(VERSION)"'

# What the two binaries and the unit tests share: everything but the daemon's
# loop and its kernel, socket and HTTP ends, and the client's views. Each
# binary takes from the archive only the objects it uses.
LIB_SRCS    := $(wildcard src/common/*.c src/aggregate/*.c src/stalls/*.c) \
	       src/serve/snapshot_json.c src/serve/dma_json.c src/serve/device_rows.c \
	       src/serve/device_parts.c src/serve/device_json_cache.c \
	       src/serve/metrics_prom.c src/serve/metrics_text.c src/serve/metrics_device.c \
	       src/serve/metrics_families.c src/serve/metrics_cache.c src/serve/metrics_doc.c \
	       src/serve/metrics_filter.c \
	       src/serve/status.c src/serve/vm_json.c src/serve/process_stats.c \
	       src/serve/json_lines.c src/serve/http_route.c \
	       src/daemon/daemon_opts.c src/view/report_view.c src/capture/event_decode.c \
	       src/capture/map_read.c src/capture/uevent.c src/capture/proc_vectors.c
DAEMON_SRCS := src/daemon/vfiotopd.c src/daemon/collect.c src/daemon/privileges.c \
	       $(filter-out $(LIB_SRCS),$(wildcard src/capture/*.c)) \
	       src/serve/server.c src/serve/http_server.c src/serve/http_auth.c src/serve/web_config.c
CLIENT_SRCS := $(filter-out src/view/report_view.c,$(wildcard src/view/*.c))

LIB_OBJS    := $(LIB_SRCS:src/%.c=$(O)/%.o)
DAEMON_OBJS := $(DAEMON_SRCS:src/%.c=$(O)/%.o)
CLIENT_OBJS := $(CLIENT_SRCS:src/%.c=$(O)/%.o)
LIB         := $(O)/libvfiotop.a

UNIT_TESTS  := $(patsubst tests/unit/%.c,$(O)/tests/%,$(wildcard tests/unit/test_*.c))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: deb all deps check check-all test-unit test-vm demo demo-run clean vmlinux workload kernel install docs \
	bench bench-run fuzz fuzz-build
all: $(O)/vfiotopd $(O)/vfiotop

$(O) $(O)/tests:
	$(Q)mkdir -p $@

# one BPF unit per concern, linked into one object and one skeleton; the unit
# defining the shared maps goes first (libbpf 1.1's linker resolves an extern
# map only against a definition it has already seen)
BPF_SRCS := bpf/vfiotop.bpf.c $(filter-out bpf/vfiotop.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(O)/bpf/%.bpf.o)

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h) include/vfiotop.h vmlinux.h
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/vfiotop.bpf.o: $(BPF_OBJS) | $(O)
	$(call msg,BPF-LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(O)/vfiotop.skel.h: $(O)/vfiotop.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vfiotop_bpf > $@.tmp && mv $@.tmp $@

# -MMD: each object's header dependencies in its .d, read back below
$(O)/%.o: src/%.c | $(O)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(O) -name '*.d' -type f 2>/dev/null)

$(O)/capture/hooks.o $(O)/capture/pin.o $(O)/capture/seed_vectors.o $(O)/daemon/vfiotopd.o \
	$(O)/daemon/collect.o: $(O)/vfiotop.skel.h

# the objects that print VFIOTOP_VERSION are rebuilt when it changes
$(O)/version.stamp: FORCE | $(O)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(O)/daemon/vfiotopd.o $(O)/view/client_opts.o: $(O)/version.stamp
.PHONY: FORCE

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# the web configuration's libraries: YAML, bcrypt, GnuTLS (its key check, HMAC)
WEB_LIBS := $(shell pkg-config --libs yaml-0.1 libcrypt gnutls 2>/dev/null || echo -lyaml -lcrypt -lgnutls) -lpthread

$(O)/vfiotopd: $(DAEMON_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) $(WEB_LIBS) -o $@

$(O)/vfiotop: $(CLIENT_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw) -o $@

# the VM tests' guest-side workload: one program from the files of its folder
WORKLOAD_SRCS := $(wildcard tests/vm/workload/*.c)

$(O)/workload: $(WORKLOAD_SRCS) tests/vm/workload/workload.h | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WORKLOAD_SRCS) -o $@

$(O)/loadclient: tests/vm/loadclient.c | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< -lpthread -o $@

workload: $(O)/workload $(O)/loadclient

# make bench's floor for the daemon's attach: empty programs on the same hooks
$(O)/attach-floor: tests/bench/attach-floor.c | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -o $@

# make bench's eventfd turn: reads of an eventfd no vfio vector has
$(O)/eventfd-reads: tests/bench/eventfd-reads.c | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

# make bench's floor for the daemon serving a reader: a document's bytes, nothing else
$(O)/serve-floor: tests/bench/serve-floor.c | $(O)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) -o $@

$(O)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(O)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# the option tables of both parsers, for tests/host/completion.sh
$(O)/tests/list-options: tests/host/list-options.c $(O)/view/client_opts.o $(O)/view/top_model.o \
			 $(LIB) | $(O)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(filter %.o %.a,$^) $(LDLIBS) -o $@

# device_numbers.h as JSON, for tests/host/device-docs.py
$(O)/tests/device-numbers: tests/host/device-numbers.c $(LIB) | $(O)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(filter %.a,$^) $(LDLIBS) -o $@

# the docs' tables and the schema's device numbers from device_numbers.h
docs: $(O)/tests/device-numbers
	@python3 tests/host/device-docs.py --write $(O)

# the live view's model is pure: its test links it, the daemon does not
$(O)/tests/test_top_model: tests/unit/test_top_model.c $(LIB_OBJS) $(O)/view/top_model.o \
			   $(O)/view/top_detail.o | $(O)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(filter %.o,$^) $(LDLIBS) -lcmocka -o $@

# BTF probing is the daemon's, outside the archive
$(O)/tests/test_btf_probe: tests/unit/test_btf_probe.c $(LIB_OBJS) $(O)/capture/btf_probe.o | $(O)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(filter %.o,$^) $(LDLIBS) -lcmocka -o $@

# --web-config and its password checks: with their libraries, outside the archive
$(O)/tests/test_web_config: tests/unit/test_web_config.c $(LIB_OBJS) $(O)/serve/web_config.o \
			    $(O)/serve/http_auth.o | $(O)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(filter %.o,$^) $(LDLIBS) $(WEB_LIBS) -lcmocka -o $@

# libFuzzer harnesses (fuzz/): every parser, with ASan and UBSan (docs/testing.md).
# Each links only the sources it needs: FUZZ_SRCS_<name>.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 120
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -Wall -Wno-unused-parameter \
		-Iinclude $(SRC_DIRS:%=-Isrc/%) -I$(O) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
		-DVFIOTOP_VERSION='"$(VERSION)"'
FUZZ_LDLIBS  := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c) -lm
FUZZ_SRCS_protocol      := common/protocol.c
FUZZ_SRCS_http_route    := serve/http_route.c common/listen_addr.c
FUZZ_SRCS_daemon_opts   := daemon/daemon_opts.c common/listen_addr.c view/client_opts.c common/parse_num.c \
			   serve/metrics_filter.c \
			   view/top_model.c common/json_path.c common/device_paths.c common/names.c
FUZZ_SRCS_snapshot_json := common/json_path.c common/device_paths.c view/top_model.c view/top_detail.c \
			   common/names.c
FUZZ_SRCS_sysfs_proc    := aggregate/pci_sysfs.c aggregate/owners.c aggregate/devices.c aggregate/vm_ident.c \
			   aggregate/counters.c
FUZZ_SRCS_report        := view/report_view.c common/json_path.c common/report_files.c \
			   common/term_safe.c common/utf8.c
FUZZ_SRCS_stall         := stalls/stall_tracker.c stalls/stall_render.c common/safe_files.c \
			   common/report_files.c common/log.c common/names.c common/json_util.c \
			   common/utf8.c common/json_writer.c view/report_view.c common/json_path.c \
			   common/term_safe.c
FUZZ_SRCS_event         := capture/event_decode.c aggregate/devices.c aggregate/dma_procs.c \
			   aggregate/counters.c \
			   aggregate/pci_sysfs.c aggregate/owners.c aggregate/vm_ident.c common/names.c common/log.c
FUZZ_SRCS_web_config    := serve/web_config.c
FUZZ_LIBS_web_config    := -lyaml -lcrypt -lgnutls
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_OBJS    := $(sort $(foreach n,$(FUZZ_NAMES),$(FUZZ_SRCS_$(n):%.c=$(O)/fuzz/obj/%.o)))
FUZZ_BINS    := $(addprefix $(O)/fuzz/fuzz_,$(FUZZ_NAMES))

$(O)/fuzz/obj/%.o: src/%.c include/vfiotop.h
	@mkdir -p $(@D)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c $< -o $@

define fuzz_link
$(O)/fuzz/fuzz_$(1): fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1):%.c=$(O)/fuzz/obj/%.o) $(wildcard fuzz/*.h)
	@mkdir -p $$(@D)
	$$(call msg,FUZZ-LD,$$@)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer $$< $$(filter %.o,$$^) $$(FUZZ_LDLIBS) $$(FUZZ_LIBS_$(1)) -o $$@
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_link,$(n))))

fuzz-build: $(FUZZ_BINS)

# objects built by a pattern rule only: keep them, or every make rebuilds them
.SECONDARY: $(FUZZ_OBJS)

# each harness FUZZ_SECONDS on a scratch copy of its corpus; fails on any crash
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@bash tests/host/fuzz.sh $(O) $(FUZZ_SECONDS)

deps:
	@bash scripts/deps.sh

# check and demo install what they need first, so each is one command on a
# fresh machine; the build is a second make so it sees the installed tools.
check: deps
	@$(MAKE) --no-print-directory check-all

demo: deps
	@$(MAKE) --no-print-directory demo-run

# Every test prints TAP; tests/summary.sh turns all of it into the one closing line.
check-all: all $(O)/workload $(O)/loadclient $(O)/attach-floor $(O)/serve-floor \
	$(O)/eventfd-reads $(UNIT_TESTS) $(O)/tests/list-options \
	   $(O)/tests/device-numbers fuzz-build kernel
	@rm -f $(O)/tests/*.tap
	@for t in $(UNIT_TESTS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t > $$t.tap 2>&1; cat $$t.tap; \
	done
	@# the snapshots the unit tests read (tests/unit/data/record.py), against today's schema
	@python3 tests/host/validate-json.py --label fixtures snapshot tests/unit/data/snapshot-*.json \
		| tee $(O)/tests/fixtures.tap
	@python3 tests/host/device-docs.py $(O) | tee $(O)/tests/device-docs.tap
	@bash tests/host/install.sh $(O) | tee $(O)/tests/install.tap
	@bash tests/host/deb.sh $(O) | tee $(O)/tests/deb.tap
	@bash tests/host/web-config.sh $(O) | tee $(O)/tests/web-config.tap
	@bash tests/host/pci-names.sh $(O) | tee $(O)/tests/pci-names.tap
	@bash tests/host/emulator-failure.sh | tee $(O)/tests/emulator-failure.tap
	@bash tests/host/attach-floor.sh $(O) | tee $(O)/tests/attach-floor.tap
	@bash tests/host/serve-floor.sh $(O) | tee $(O)/tests/serve-floor.tap
	@python3 tests/host/bench-report.py | tee $(O)/tests/bench-report.tap
	@python3 tests/host/http-attack.py $(O) | tee $(O)/tests/http-attack.tap
	@bash tests/host/completion.sh $(O) | tee $(O)/tests/completion.tap
	@bash tests/host/prometheus/rules.sh | tee $(O)/tests/rules.tap
	@bash tests/host/prometheus/node-join.sh | tee $(O)/tests/node-join.tap
	@python3 tests/host/dashboard-queries.py packaging/grafana/vfiotop-dashboard.json --two-hosts \
		| tee $(O)/tests/dashboard.tap
	@bash tests/host/fuzz-smoke.sh $(O) | tee $(O)/tests/fuzz.tap
	@bash tests/host/valgrind.sh $(O) | tee $(O)/tests/valgrind.tap
	@python3 tests/host/local-attacks.py $(O) | tee $(O)/tests/local-attacks.tap
	@bash tests/host/kernel-checkpatch.sh | tee $(O)/tests/checkpatch.tap
	@bash tests/host/kernel-dkms.sh $(O) | tee $(O)/tests/dkms.tap
	@bash tests/vm/run-tests.sh $(O) | tee $(O)/tests/vm.tap
	@bash tests/summary.sh $(O)/tests/*.tap

# every test runs; the target fails if any did
test-unit: $(UNIT_TESTS)
	@failed=0; for t in $(UNIT_TESTS); do CMOCKA_MESSAGE_OUTPUT=TAP $$t || failed=1; done; exit $$failed

test-vm: all $(O)/workload $(O)/loadclient $(O)/tests/device-numbers
	@bash tests/vm/run-tests.sh $(O)

demo-run: all $(O)/workload $(O)/loadclient
	@bash tests/vm/demo.sh $(O)

# without make's flags: an O= on make's command line would become kbuild's O=
kernel:
	@env -u MAKEFLAGS -u MFLAGS bash kernel/build.sh $(O)

install: all
	install -D -m 0755 $(O)/vfiotopd $(DESTDIR)$(SBINDIR)/vfiotopd
	install -D -m 0755 $(O)/vfiotop $(DESTDIR)$(SBINDIR)/vfiotop
	install -d $(DESTDIR)$(MANDIR)/man8
	sed 's|@DOCDIR@|$(DOCDIR)|g' packaging/vfiotopd.8 > $(DESTDIR)$(MANDIR)/man8/vfiotopd.8
	sed 's|@DOCDIR@|$(DOCDIR)|g' packaging/vfiotop.8 > $(DESTDIR)$(MANDIR)/man8/vfiotop.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@DOCDIR@|$(DOCDIR)|g' packaging/vfiotopd.service \
		> $(DESTDIR)$(UNITDIR)/vfiotopd.service
	install -D -m 0644 packaging/bash-completion/vfiotop \
		$(DESTDIR)$(COMPLDIR)/vfiotop
	install -d $(DESTDIR)$(MODPROBEDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/modprobe/vfiotop.conf \
		> $(DESTDIR)$(MODPROBEDIR)/vfiotop.conf
	ln -sf vfiotop $(DESTDIR)$(COMPLDIR)/vfiotopd
	install -D -m 0644 packaging/prometheus/vfiotop.rules.yml \
		$(DESTDIR)$(DATADIR)/vfiotop/prometheus/vfiotop.rules.yml
	install -D -m 0644 packaging/grafana/vfiotop-dashboard.json \
		$(DESTDIR)$(DATADIR)/vfiotop/grafana/vfiotop-dashboard.json
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/vfiotop/remote \
		packaging/remote/remote-scrape.conf packaging/remote/web.yml
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 $(OPERATOR_DOCS) $(DESTDIR)$(DOCDIR)/

# make deb: the Debian package, built by dpkg-buildpackage (debhelper) from a
# copy of the tracked files, into $(O)/deb/
deb: deps
	@bash packaging/build-deb.sh $(O)

# bench observers come from Debian too: bpftrace, gnuplot for the plots, and
# perf for the daemon's profile
bench: deps
	@bash scripts/deps.sh bpftrace gnuplot-nox linux-perf
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(O)/workload $(O)/loadclient $(O)/attach-floor $(O)/serve-floor \
	$(O)/eventfd-reads kernel
	@bash tests/bench/run.sh $(O)

# vmlinux.h is committed; this regenerates it from the current Debian 6.1 kernel.
vmlinux:
	@bash scripts/gen-vmlinux-h.sh > vmlinux.h.new && mv vmlinux.h.new vmlinux.h
	@echo "vmlinux.h regenerated ($$(wc -l < vmlinux.h) lines)"

clean:
	rm -rf $(O)
