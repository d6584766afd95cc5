# tern build. `make` builds build/libtern.a and build/tern; `make test` runs the
# suite; `make test SAN=1` the same under ASan+UBSan (in build/san/); `make demo`.
CC      ?= cc
OPT     ?= -O2
# -ffp-contract=off: no FMA contraction, so float results (the INT8
# requantization above all) are the same bits on every ISA and compiler
# (docs/quantization.md, section 10). Never -ffast-math.
CFLAGS  += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wvla -D_POSIX_C_SOURCE=200809L \
           -Wno-format-truncation -ffp-contract=off \
           -I. -Iinclude
LDLIBS  += -lm -lpthread

# `make ARCH=aarch64` cross-builds with Debian's gcc-aarch64-linux-gnu into
# build/aarch64/, statically linked so qemu-aarch64 (Debian's qemu-user) runs
# it without an aarch64 sysroot; `make test ARCH=aarch64` runs the suite
# under qemu, the CLI it spawns through a two-line wrapper script.
ifeq ($(ARCH),aarch64)
ifeq ($(SAN),1)
$(error SAN=1 is not supported with ARCH=aarch64 (sanitizers do not run under qemu-user))
endif
CROSS   ?= aarch64-linux-gnu-
CC      := $(CROSS)gcc
AR      := $(CROSS)ar
LDFLAGS += -static
BUILD   ?= build/aarch64
RUN     ?= qemu-aarch64
else ifeq ($(origin ARCH),command line)
$(error unknown ARCH=$(ARCH) (supported: aarch64; none for the host))
endif

ifeq ($(SAN),1)
BUILD   ?= build/san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
BUILD   ?= build
endif

LIB_SRC  := $(sort $(wildcard loader/*.c graph/*.c graph/ops/*.c graph/passes/*.c \
                              kernels/*.c kernels/ref/*.c quant/*.c arch/*.c))
CLI_SRC  := $(sort $(wildcard tools/tern/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

LIB   := $(BUILD)/libtern.a
CLI   := $(BUILD)/tern
TESTS := $(BUILD)/tern_tests

.PHONY: all test demo clean
all: $(LIB) $(CLI)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(TESTS): $(TEST_OBJ) $(LIB) $(CLI)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(LDLIBS)

# The test binary runs from the repo root; ../shared is found relative to it
# (override with TERN_SHARED=path). The CLI it drives is $(CLI).
TEST_CLI := $(if $(RUN),$(BUILD)/tern-run,$(CLI))
test: $(TESTS) $(TEST_CLI)
	TERN_CLI=$(TEST_CLI) $(RUN) $(TESTS) $(TEST_ARGS)

# The CLI under $(RUN) (qemu), as one executable path for the tests to spawn.
$(BUILD)/tern-run: $(CLI)
	printf '#!/bin/sh\nexec %s "%s" "$$@"\n' '$(RUN)' '$(abspath $(CLI))' > $@
	chmod +x $@

# The demo: tools/demo/demo.c classifies the test digits with tools/demo/digits.onnx
# (see tools/demo/README.md). Needs neither ../shared nor Python.
DEMO_SRC := $(sort $(wildcard tools/demo/*.c))
DEMO_OBJ := $(DEMO_SRC:%.c=$(BUILD)/obj/%.o)
DEMO     := $(BUILD)/tern_demo

$(DEMO): $(DEMO_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(DEMO_OBJ) $(LIB) $(LDLIBS)

demo: $(CLI) $(DEMO)
	$(RUN) $(DEMO)

-include $(DEMO_OBJ:.o=.d)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
