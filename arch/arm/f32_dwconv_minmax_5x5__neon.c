/* FP32 depthwise 5x5 micro-kernel, NEON FMA, 4 channels per vector, any
 * stride (body: the ISA-neutral template arch/x86/f32_dwconv_tmpl.h with
 * the NEON macros of arch/arm/f32_dwconv_neon.h). */
#include "arch/arm/f32_dwconv_neon.h"
#include "arch/arm/kernels_arm.h"

#define KH 5
#define KW 5
#define DW_FN dwconv

#include "arch/x86/f32_dwconv_tmpl.h"

const tern_f32_dwconv_ukernel tern_f32_dwconv_minmax_5x5__neon = {"f32_dwconv_minmax_5x5__neon",
                                                                  dwconv, 5, 5, DW_LANES};
