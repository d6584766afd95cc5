/* FP32 depthwise 3x3 micro-kernel, NEON FMA, 4 channels per vector, any
 * stride (body: the ISA-neutral template arch/x86/f32_dwconv_tmpl.h with
 * the NEON macros of arch/arm/f32_dwconv_neon.h). */
#include "arch/arm/f32_dwconv_neon.h"
#include "arch/arm/kernels_arm.h"

#define KH 3
#define KW 3
#define DW_FN dwconv

#include "arch/x86/f32_dwconv_tmpl.h"

const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_3x3__neon = {"f32_dwconv_minmax_3x3__neon",
                                                                  dwconv, 3, 3, DW_LANES};
