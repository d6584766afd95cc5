# tern build. `make` builds build/libtern.a and build/tern; `make test` runs the
# suite; `make test SAN=1` the same under ASan+UBSan (in build/san/); `make demo`.
CC      ?= cc
OPT     ?= -O2
# -ffp-contract=off: no FMA contraction, so float results (the INT8
# requantization above all) are the same bits on every ISA and compiler
# (docs/quantization.md, section 10). Never -ffast-math.
CFLAGS  += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wvla -D_POSIX_C_SOURCE=200809L \
           -ffp-contract=off \
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
# QEMU_CPU picks the emulated core: cortex-a72 (a Pi 4: NEON, no dot
# product), max (dot product, i8mm), or empty for qemu's default (max).
QEMU_CPU ?=
RUN     ?= qemu-aarch64$(if $(QEMU_CPU), -cpu $(QEMU_CPU))
else ifeq ($(origin ARCH),command line)
$(error unknown ARCH=$(ARCH) (supported: aarch64; none for the host))
endif

ifeq ($(FUZZ),1)
# libFuzzer builds (make fuzz): the library instrumented for coverage and
# sanitizers, the targets linked with libFuzzer's main
CC      := clang
BUILD   ?= build/fuzz
OPT     := -O1
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
else
CFLAGS  += -Wno-format-truncation # gcc only
endif

ifeq ($(SAN),1)
BUILD   ?= build/san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
BUILD   ?= build
endif

# SIMD kernels: arch/x86/ on an x86-64 host, arch/arm/ for aarch64 (cross
# or native); each kernel file gets the flags of its __<isa> suffix, so the
# rest of the library stays baseline code that runs on any CPU of the
# architecture (arch/kernels.h picks kernels at run time).
HOST_M   := $(shell uname -m)
ARCH_DIR := $(if $(filter aarch64,$(ARCH) $(HOST_M)),arm,$(if $(filter x86_64,$(HOST_M)),x86,))
LIB_SRC  := $(sort $(wildcard loader/*.c graph/*.c graph/ops/*.c graph/passes/*.c \
                              kernels/*.c kernels/ref/*.c quant/*.c arch/*.c \
                              $(if $(ARCH_DIR),arch/$(ARCH_DIR)/*.c)))
ISA_AVX2      := -mavx2 -mfma -mf16c
ISA_AVX512    := $(ISA_AVX2) -mavx512f -mavx512bw -mavx512vl -mavx512dq
$(BUILD)/obj/arch/x86/%__avx2.o:       XFLAGS := $(ISA_AVX2)
$(BUILD)/obj/arch/x86/%__avxvnni.o:    XFLAGS := $(ISA_AVX2) -mavxvnni
$(BUILD)/obj/arch/x86/%__avx512.o:     XFLAGS := $(ISA_AVX512)
$(BUILD)/obj/arch/x86/%__avx512vnni.o: XFLAGS := $(ISA_AVX512) -mavx512vnni
$(BUILD)/obj/arch/x86/%__avx512vbmi.o: XFLAGS := $(ISA_AVX512) -mavx512vbmi
$(BUILD)/obj/arch/x86/%__amx.o:        XFLAGS := $(ISA_AVX512) -mavx512vnni -mamx-tile -mamx-int8
$(BUILD)/obj/arch/arm/%__neondot.o:    XFLAGS := -march=armv8.2-a+dotprod
$(BUILD)/obj/arch/arm/%__neoni8mm.o:   XFLAGS := -march=armv8.2-a+dotprod+i8mm
CLI_SRC  := $(sort $(wildcard tools/tern/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

LIB   := $(BUILD)/libtern.a
CLI   := $(BUILD)/tern
TESTS := $(BUILD)/tern_tests

.PHONY: all test test-isas demo clean fuzz fuzz-run bench-plan bench-jpeg bench bench-qs8 bench-peak \
        bench-kit
all: $(LIB) $(CLI)

# The integer reference kernels at -O3: their int8 dot products vectorize
# (integer sums are exact in any order; float code is unaffected, since
# without -ffast-math the compiler may not reorder float operations).
$(BUILD)/obj/kernels/ref/qs8_%.o: OPT := -O3

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XFLAGS) -MMD -MP -c $< -o $@

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
# `make test ISA=avx2` pins the kernels of one ISA level (TERN_ISA; an error
# if the CPU lacks it); `make test-isas` runs the suites once per level this
# CPU has (the kernel suite itself always covers every level it can run).
TEST_ENV := TERN_CLI=$(TEST_CLI) $(if $(ISA),TERN_ISA=$(ISA))
test: $(TESTS) $(TEST_CLI)
	$(TEST_ENV) $(RUN) $(TESTS) $(TEST_ARGS)

test-isas: $(TESTS) $(TEST_CLI)
	@for isa in $$(TERN_CLI=$(TEST_CLI) $(RUN) $(TEST_CLI) isa --list); do \
	    echo "== TERN_ISA=$$isa"; \
	    TERN_CLI=$(TEST_CLI) TERN_ISA=$$isa $(RUN) $(TESTS) $(TEST_ARGS) || exit 1; \
	done

# The CLI under $(RUN) (qemu), as one executable path for the tests to spawn.
# Rewritten every time: RUN changes with QEMU_CPU.
$(BUILD)/tern-run: $(CLI) FORCE
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

# Fuzzing (clang and libFuzzer; Debian: clang libclang-rt-14-dev). `make fuzz`
# builds every tests/fuzz/fuzz_*.c into build/fuzz/; `make fuzz-run` replays
# each target's seeds (tests/fuzz/corpus/<target>/, for session also
# tests/models/) and fuzzes it for FUZZ_SECONDS; new inputs go to
# build/fuzz/corpus_<target>/. A crash (or slow unit, leak, timeout) leaves
# its input in build/fuzz/artifacts/, never in the source tree.
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 60
FUZZ_OPTS    ?= -max_len=65536 -timeout=25 -rss_limit_mb=2560 -print_final_stats=1

fuzz:
	$(MAKE) FUZZ=1 $(FUZZ_BIN)

build/fuzz/fuzz_%: build/fuzz/obj/tests/fuzz/fuzz_%.o build/fuzz/libtern.a
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzz-run: fuzz
	@for t in $(notdir $(FUZZ_BIN)); do \
	    name=$${t#fuzz_}; mkdir -p build/fuzz/corpus_$$name build/fuzz/artifacts || exit 1; \
	    seeds=tests/fuzz/corpus/$$name; [ $$name = session ] && seeds="$$seeds tests/models tests/models/int8"; \
	    echo "== $$t: $(FUZZ_SECONDS) s"; \
	    build/fuzz/$$t build/fuzz/corpus_$$name $$seeds -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=build/fuzz/artifacts/ $(FUZZ_OPTS) || exit 1; \
	done

# Benchmarks (never part of `make test`): bench/bench_plan.c times loading and
# compiling 100k-node chains (planner and pass helpers; see the file).
BENCH_PLAN_OBJ := $(BUILD)/obj/bench/bench_plan.o $(BUILD)/obj/tests/onnx_writer.o
BENCH_PLAN     := $(BUILD)/bench_plan

$(BENCH_PLAN): $(BENCH_PLAN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_PLAN_OBJ) $(LIB) $(LDLIBS)

bench-plan: $(BENCH_PLAN)
	$(BENCH_PLAN) $(BENCH_ARGS)

-include $(BENCH_PLAN_OBJ:.o=.d)

# `make bench-qs8`: the INT8 micro-kernels in GMAC/s against the measured
# peak of this CPU's multiply-add instructions (bench/bench_qs8.c).
$(BUILD)/bench_qs8: $(BUILD)/obj/bench/bench_qs8.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-qs8: $(BUILD)/bench_qs8
	$(BUILD)/bench_qs8 $(BENCH_ARGS)

-include $(BUILD)/obj/bench/bench_qs8.d

# `make bench-jpeg`: tern's JPEG decoder against djpeg (Debian
# libjpeg-turbo-progs) on the same files; not part of `make test`.
BENCH_JPEG_DIR ?= $(or $(TERN_SHARED),../shared)/data/imagenet-sample/images
$(BUILD)/bench_jpeg: $(BUILD)/obj/bench/bench_jpeg.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-jpeg: $(BUILD)/bench_jpeg
	$(BUILD)/bench_jpeg $(BENCH_JPEG_DIR)

-include $(BUILD)/obj/bench/bench_jpeg.d

ifneq ($(ARCH),aarch64)
# `make bench`: tern against ONNX Runtime and TFLite+XNNPACK on every shared
# model, 1 and 2 threads, interleaved in rounds (bench/run.py); writes
# bench/results.md and bench/results.svg. Needs bench/setup.sh once (a
# git-ignored venv with onnxruntime and ai-edge-litert), or BENCH_PY=python
# with both installed. `make bench-peak` prints the FMA peak per ISA.
BENCH_PY ?= bench/.venv/bin/python
bench: $(CLI)
	@[ -x "$(BENCH_PY)" ] || command -v "$(BENCH_PY)" >/dev/null || \
	    { echo "make bench: run bench/setup.sh first (or BENCH_PY=python)"; exit 2; }
	$(BENCH_PY) bench/run.py --tern $(CLI) $(BENCH_ARGS)
else
# `make bench ARCH=aarch64`: qemu gives no timing, so this counts the guest
# instructions one inference executes, per layer and per model, for the
# reference kernels and each Arm level side by side (bench/insn_report.py;
# bench_insn runs under qemu's block trace, the host's insn_count adds it
# up). Slow for the reference kernels (minutes per model); BENCH_ISAS and
# BENCH_MODELS narrow it. Writes bench/insn_results.md.
SHARED_DIR   ?= $(or $(TERN_SHARED),../shared)
BENCH_MODELS ?= $(sort $(wildcard $(SHARED_DIR)/models/*int8*.onnx $(SHARED_DIR)/models/*uint8*.onnx))
BENCH_ISAS   ?= ref,neon,neondot
HOSTCC       ?= cc
$(BUILD)/bench_insn: $(BUILD)/obj/bench/bench_insn.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/insn_count: bench/insn_count.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

bench: $(BUILD)/bench_insn $(BUILD)/insn_count
	@[ -n "$(BENCH_MODELS)" ] || { echo "make bench: no models (../shared/models or BENCH_MODELS)"; exit 2; }
	python3 bench/insn_report.py --bin $(BUILD)/bench_insn --counter $(BUILD)/insn_count \
	    --nm $(CROSS)nm --qemu "qemu-aarch64 -cpu max" --isas $(BENCH_ISAS) $(BENCH_MODELS)

-include $(BUILD)/obj/bench/bench_insn.d

# `make ARCH=aarch64 bench-kit`: a folder (and .tar.gz) to copy to a Pi: the
# static tern, bench/kit/run-bench.sh (the `tern bench` table for every
# model x level x 1/4 threads) and the shared INT8 models plus MobileNetV2
# FP32 (BENCH_KIT_MODELS to change).
BENCH_KIT        := $(BUILD)/tern-bench-kit
BENCH_KIT_MODELS ?= $(BENCH_MODELS) $(wildcard $(SHARED_DIR)/models/mobilenet_v2_fp32.onnx)
bench-kit: $(CLI)
	rm -rf $(BENCH_KIT) && mkdir -p $(BENCH_KIT)/models
	cp $(CLI) $(BENCH_KIT)/tern
	cp bench/kit/run-bench.sh bench/kit/README.txt $(BENCH_KIT)/
	$(if $(strip $(BENCH_KIT_MODELS)),cp $(BENCH_KIT_MODELS) $(BENCH_KIT)/models/)
	tar -C $(BUILD) -czf $(BUILD)/tern-bench-kit.tar.gz tern-bench-kit
	@echo "bench kit: $(BENCH_KIT) and $(BUILD)/tern-bench-kit.tar.gz (see its README.txt)"
endif

$(BUILD)/bench_peak: $(BUILD)/obj/bench/bench_peak.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-peak: $(BUILD)/bench_peak
	$(BUILD)/bench_peak

-include $(BUILD)/obj/bench/bench_peak.d

FORCE:

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
