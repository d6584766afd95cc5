# tern build. `make` builds build/libtern.a and build/tern; `make test` runs the
# suite; `make test SAN=1` the same under ASan+UBSan (in build/san/); `make demo`.
CC      ?= cc
OPT     ?= -O2
CFLAGS  += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wvla -D_POSIX_C_SOURCE=200809L \
           -Wno-format-truncation \
           -I. -Iinclude
LDLIBS  += -lm -lpthread

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

.PHONY: all test demo clean bench-jpeg
all: $(LIB) $(CLI)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(TESTS): $(TEST_OBJ) $(LIB) $(CLI)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(LDLIBS)

# The test binary runs from the repo root; ../shared is found relative to it
# (override with TERN_SHARED=path). The CLI it drives is $(CLI).
test: $(TESTS)
	TERN_CLI=$(CLI) $(TESTS) $(TEST_ARGS)

# The demo: tools/demo/demo.c classifies the test digits with tools/demo/digits.onnx
# (see tools/demo/README.md). Needs neither ../shared nor Python.
DEMO_SRC := $(sort $(wildcard tools/demo/*.c))
DEMO_OBJ := $(DEMO_SRC:%.c=$(BUILD)/obj/%.o)
DEMO     := $(BUILD)/tern_demo

$(DEMO): $(DEMO_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(DEMO_OBJ) $(LIB) $(LDLIBS)

demo: $(CLI) $(DEMO)
	$(DEMO)

-include $(DEMO_OBJ:.o=.d)

# `make bench-jpeg`: tern's JPEG decoder against djpeg (Debian
# libjpeg-turbo-progs) on the same files; not part of `make test`.
BENCH_JPEG_DIR ?= $(or $(TERN_SHARED),../shared)/data/imagenet-sample/images
$(BUILD)/bench_jpeg: $(BUILD)/obj/bench/bench_jpeg.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-jpeg: $(BUILD)/bench_jpeg
	$(BUILD)/bench_jpeg $(BENCH_JPEG_DIR)

-include $(BUILD)/obj/bench/bench_jpeg.d

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
