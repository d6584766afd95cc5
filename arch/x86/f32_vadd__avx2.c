/* FP32 vadd kernel, avx2 (body: f32_velementwise_tmpl.h; bit-identical
 * to the reference). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/vec_avx2.h"

#define KIND_VADD
#define FN_NAME vadd
#include "arch/x86/f32_velementwise_tmpl.h"

const tern_f32_vbinary_ukernel tern_f32_vadd__avx2 = {"f32_vadd__avx2", vadd};
