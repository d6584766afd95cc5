/* The aarch64 kernel list: X(slot, ISA, descriptor), parents before
 * children (NEON, then NEONDOT, then NEONI8MM). See arch/kernels.h. */
#ifndef TERN_ARCH_ARM_KERNELS_ARM_H
#define TERN_ARCH_ARM_KERNELS_ARM_H

#define TERN_KERNEL_ENTRIES_ARM(X)

#endif
