/* FP32 vhsigmoid kernel, avx512 (body: f32_velementwise_tmpl.h; bit-identical
 * to the reference). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/vec_avx512.h"

#define KIND_VHSIGMOID
#define FN_NAME vhsigmoid
#include "arch/x86/f32_velementwise_tmpl.h"

const tern_f32_vunary_ukernel tern_f32_vhsigmoid__avx512 = {"f32_vhsigmoid__avx512", vhsigmoid};
