/* Cast between float32, float64, float16, int8, uint8, int32, int64, bool.
 *
 * Defined for every input (no UB):
 *  - float -> integer: truncate toward zero, saturate to the target's range,
 *    NaN -> 0 (ONNX leaves this undefined; saturating is what most runtimes
 *    do on x86 for in-range-ish values and never traps);
 *  - integer -> narrower integer: wrap modulo 2^bits (numpy, ONNX Runtime);
 *  - anything -> bool: nonzero (and NaN) -> 1;
 *  - -> float16: round to nearest even, overflow -> inf; finite doubles
 *    beyond the float32 range -> +-inf.
 */
#ifndef TERN_REF_CAST_H
#define TERN_REF_CAST_H

#include <stdint.h>

#include "tern.h"

/* 1 if tern_ref_cast handles dt */
int tern_cast_supported(tern_dtype dt);

void tern_ref_cast(tern_dtype from, const void *src, tern_dtype to, void *dst, int64_t n);

float tern_half_to_float(uint16_t h);
uint16_t tern_float_to_half(float f);

#endif
