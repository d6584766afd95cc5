/* Tests of the tern CLI (tools/tern), run as a separate process. */
#include "tests/harness.h"

TH_SUITE(suite_cli) { th_skip(t, "cli", "not written yet"); }
