/* FP32 vmul kernel, avx512 (body: f32_velementwise_tmpl.h; bit-identical
 * to the reference). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/vec_avx512.h"

#define KIND_VMUL
#define FN_NAME vmul
#include "arch/x86/f32_velementwise_tmpl.h"

const tern_f32_vbinary_ukernel tern_f32_vmul__avx512 = {"f32_vmul__avx512", vmul};
