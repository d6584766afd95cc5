/* FP32 vmulc kernel, avx2 (body: f32_velementwise_tmpl.h; bit-identical
 * to the reference). */
#include "arch/x86/kernels_x86.h"
#include "arch/x86/vec_avx2.h"

#define KIND_VMULC
#define FN_NAME vmulc
#include "arch/x86/f32_velementwise_tmpl.h"

const tern_f32_vmulc_ukernel tern_f32_vmulc__avx2 = {"f32_vmulc__avx2", vmulc};
