/* FP32 vhswish kernel, avx2 (body: f32_velementwise_tmpl.h; bit-identical
 * to the reference). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/vec_avx2.h"

#define KIND_VHSWISH
#define FN_NAME vhswish
#include "arch/x86/f32_velementwise_tmpl.h"

const tern_f32_vunary_ukernel tern_f32_vhswish__avx2 = {"f32_vhswish__avx2", vhswish};
