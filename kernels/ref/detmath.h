/* Deterministic double-precision exp, expm1, tanh and sigmoid made of
 * + - * / only, so that they return the same bits on every IEEE-754
 * machine and compiler (with -ffp-contract=off). libm's functions are not
 * guaranteed to: glibc's exp differs between x86-64 and aarch64 code paths.
 * The INT8 lookup tables (qs8_lut.h) are built with these, which is what
 * makes a table, and so every LUT activation's output, identical on x86-64
 * and aarch64 (docs/quantization.md, section 5). Accuracy: a few ulp
 * (tested against libm to 1e-13 relative). */
#ifndef TERN_KERNELS_REF_DETMATH_H
#define TERN_KERNELS_REF_DETMATH_H

double tern_det_exp(double x);
double tern_det_expm1(double x);
double tern_det_tanh(double x);
double tern_det_sigmoid(double x); /* 1 / (1 + exp(-x)) */

#endif
